import { Link } from 'react-router';
import { LiveStatus } from '../chase/live-status.tsx';
import { useLiveProgress } from '../chase/live-progress.ts';
import { ProgressBars } from '../chase/progress-bars.tsx';
import { formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/chase';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const election = await context.services.elections.requireCurrent();
  return { lists: await context.services.chase.lists.list(principal), timeZone: election.timezone };
}

export default function ChaseLists({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const { lists, timeZone } = loaderData;
  const live = useLiveProgress(lists.map((list) => list.progress));
  return (
    <section className="page chase" aria-labelledby="chase-title">
      <title>{`${t('chase.title')} — Relance`}</title>
      <div className="page-heading">
        <div>
          <h1 id="chase-title">{t('chase.title')}</h1>
          <p className="subtitle">{t('chase.intro')}</p>
        </div>
        <div className="heading-side">
          <LiveStatus status={live.status} />
          <p>
            <Link to="/chase/teams">{t('chase.teams.nav')}</Link> · <Link to="/rides">{t('chase.rides.nav')}</Link>
          </p>
        </div>
      </div>
      {lists.length === 0 ? (
        <p className="alert">
          {t('chase.none')} <Link to="/dashboard">{t('chase.toWarRoom')}</Link>
        </p>
      ) : (
        <ul className="chase-lists">
          {lists.map((list) => {
            const names = [...list.assignees.teams, ...list.assignees.users].map((who) => who.name);
            return (
              <li key={list.id} className="card chase-card" data-list={list.id}>
                <h2>
                  <Link to={`/chase/${list.id}`}>{list.name}</Link>
                </h2>
                <p className="muted">
                  {t(`chase.channel.${list.channel}`)} · {t('chase.createdAt', { time: formatTime(locale, list.createdAt, timeZone) })}
                  {list.splitFromId !== null && <> · {t('chase.splitFrom', { id: list.splitFromId })}</>}
                </p>
                <ProgressBars progress={live.progressOf(list.id) ?? list.progress} />
                <p className="chase-assignees">
                  {names.length > 0 ? t('chase.assignees', { names: names.join(', ') }) : t('chase.unassigned')}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
