import type { Principal, Role } from '../../server/auth/auth.roles.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { Link } from 'react-router';
import { formatCount, formatDate, formatShare, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { useLiveTurnout, type LiveStatus } from '../war-room/live-turnout.ts';
import type { Route } from './+types/dashboard';

/** What the war-room page shows of a snapshot: totals and districts (the full snapshot is larger). */
function warRoomView(snapshot: TurnoutSnapshot) {
  return {
    asOf: snapshot.asOf,
    election: snapshot.election,
    totals: snapshot.totals,
    districts: snapshot.areas.filter((area) => area.kind === 'district'),
  };
}

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.warRoom);
  // No election set up yet: the page says so.
  const election = await context.services.elections.current();
  if (!election) return { snapshot: null, retention: null };
  return {
    snapshot: await context.services.liveTurnout.snapshot(),
    retention: await retentionReminder(context, principal, election.id),
  };
}

/** After polling day, admins are reminded to purge the election's personal data, until it is done. */
async function retentionReminder(context: Route.LoaderArgs['context'], principal: Principal, electionId: number) {
  if (!(context.access.dataProtection as readonly Role[]).includes(principal.role)) return null;
  const status = await context.services.people.elections.retention(electionId);
  if (!status.over || status.purgedAt) return null;
  return {
    purgeBy: status.purgeBy.toISOString(),
    timezone: status.timezone,
    overdue: status.overdue,
    days: context.services.config.personalDataRetentionDays,
  };
}

function RetentionReminder({ reminder }: { reminder: { purgeBy: string; timezone: string; overdue: boolean; days: number } }) {
  const t = useT();
  const locale = useLocale();
  const date = formatDate(locale, reminder.purgeBy, reminder.timezone);
  return (
    <p className={`alert ${reminder.overdue ? 'alert-error' : 'alert-warn'}`} role="status">
      {reminder.overdue ? t('dashboard.retentionOverdue', { date }) : t('dashboard.retention', { date, days: reminder.days })}{' '}
      <Link to="/admin/data">{t('dashboard.retentionLink')}</Link>
    </p>
  );
}

function LiveBadge({ status }: { status: LiveStatus }) {
  const t = useT();
  return (
    <p className={`live-badge live-${status}`} role="status" aria-live="polite">
      <span className="live-dot" aria-hidden="true" />
      {t(`dashboard.live.${status}`)}
    </p>
  );
}

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd>
        <span className="figure-value">{value}</span>
        {detail && <span className="figure-detail">{detail}</span>}
      </dd>
    </div>
  );
}

function WarRoom({ initial }: { initial: TurnoutSnapshot }) {
  const t = useT();
  const locale = useLocale();
  const { snapshot, status } = useLiveTurnout(initial);
  const view = warRoomView(snapshot ?? initial);
  const { election, totals } = view;
  return (
    <>
      <div className="page-heading">
        <div>
          <h1 id="dashboard-title">{election.name}</h1>
          <p className="subtitle">
            {t('dashboard.pollsOpen', {
              opens: formatTime(locale, election.pollsOpenAt, election.timezone),
              closes: formatTime(locale, election.pollsCloseAt, election.timezone),
              timezone: election.timezone,
            })}
          </p>
        </div>
        <div className="heading-side">
          <LiveBadge status={status} />
          <p className="as-of">{t('dashboard.asOf', { time: formatTime(locale, view.asOf, election.timezone) })}</p>
        </div>
      </div>
      <dl className="figures">
        <Figure label={t('dashboard.registered')} value={formatCount(locale, totals.registered)} />
        <Figure label={t('dashboard.voted')} value={formatCount(locale, totals.voted)} />
        <Figure label={t('dashboard.turnout')} value={formatShare(locale, totals.turnout)} />
        <Figure
          label={t('dashboard.reporting')}
          value={formatCount(locale, totals.reportingStations)}
          detail={t('dashboard.reportingOf', {
            reporting: formatCount(locale, totals.reportingStations),
            stations: formatCount(locale, totals.stations),
          })}
        />
      </dl>
      <section aria-labelledby="districts-title" className="panel">
        <h2 id="districts-title">{t('dashboard.districts')}</h2>
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="districts-title">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('dashboard.area')}</th>
                <th scope="col" className="num">
                  {t('dashboard.stations')}
                </th>
                <th scope="col" className="num">
                  {t('dashboard.registered')}
                </th>
                <th scope="col" className="num">
                  {t('dashboard.voted')}
                </th>
                <th scope="col" className="num">
                  {t('dashboard.turnout')}
                </th>
              </tr>
            </thead>
            <tbody>
              {view.districts.map((district) => (
                <tr key={district.code}>
                  <th scope="row">{district.name}</th>
                  <td className="num">{formatCount(locale, district.stations)}</td>
                  <td className="num">{formatCount(locale, district.registered)}</td>
                  <td className="num">{formatCount(locale, district.voted)}</td>
                  <td className="num">{formatShare(locale, district.turnout)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

export default function Dashboard({ loaderData }: Route.ComponentProps) {
  const t = useT();
  return (
    <section className="page" aria-labelledby="dashboard-title">
      <title>{`${t('dashboard.title')} — Relance`}</title>
      {loaderData.retention && <RetentionReminder reminder={loaderData.retention} />}
      {loaderData.snapshot ? (
        <WarRoom initial={loaderData.snapshot} />
      ) : (
        <>
          <h1 id="dashboard-title">{t('dashboard.title')}</h1>
          <p>{t('dashboard.noElection')}</p>
        </>
      )}
    </section>
  );
}
