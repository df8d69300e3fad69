import { memo, useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Principal, Role } from '../../server/auth/auth.roles.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { ChaseDialog, type ChaseTarget } from '../chase/chase-dialog.tsx';
import type { PageClock } from '../election-clock.ts';
import { formatDate } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { AreaPanel } from '../war-room/area-panel.tsx';
import { FlagsFeed } from '../war-room/flags-feed.tsx';
import { LaggingAreas } from '../war-room/lagging-areas.tsx';
import { useLiveTurnout } from '../war-room/live-turnout.ts';
import type { WarRoomSelection } from '../war-room/selection.ts';
import { SilentStations } from '../war-room/silent-stations.tsx';
import { TurnoutMap, useMapGeometry } from '../war-room/turnout-map.tsx';
import { TurnoutTable } from '../war-room/turnout-table.tsx';
import { WarRoomHeader } from '../war-room/war-room-header.tsx';
import type { Route } from './+types/dashboard';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.warRoom);
  // No election set up yet: the page says so.
  const election = await context.services.elections.current();
  const canChase = (context.access.manageChase as readonly Role[]).includes(principal.role);
  if (!election) return { snapshot: null, clock: null, retention: null, mapStyleUrl: null, canChase };
  // The snapshot as the live channel sends it: the page starts from it and applies the deltas that follow.
  return {
    snapshot: await context.services.liveTurnout.snapshot(),
    clock: await context.services.elections.pageClock(election.id),
    retention: await retentionReminder(context, principal, election.id),
    mapStyleUrl: context.services.config.mapStyleUrl,
    canChase,
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

// A delta keeps the arrays it does not change (app/war-room/turnout-deltas.ts): these parts then skip rendering.
const Lagging = memo(LaggingAreas);
const Flags = memo(FlagsFeed);
const Silent = memo(SilentStations);
const Table = memo(TurnoutTable);

function WarRoom({
  initial,
  clock,
  mapStyleUrl,
  canChase,
}: {
  initial: TurnoutSnapshot;
  clock: PageClock;
  mapStyleUrl: string | null;
  canChase: boolean;
}) {
  const t = useT();
  const live = useLiveTurnout(initial);
  const snapshot = live.snapshot ?? initial;
  const geometry = useMapGeometry(snapshot.election.id);
  // After the children's effects (the map's repaint): the delta is on screen (npm run bench -- live).
  useEffect(() => {
    if (live.lastDelta) performance.mark('war-room:delta-applied');
  }, [live.lastDelta]);
  const [selected, setSelected] = useState<WarRoomSelection | null>(null);
  const select = useCallback((selection: WarRoomSelection | null) => setSelected(selection), []);
  const close = useCallback(() => setSelected(null), []);
  // Coordinators and admins chase an area, or every lagging one, from a preview (viewers do not).
  const [chasing, setChasing] = useState<ChaseTarget | null>(null);
  const chaseArea = useCallback(
    (areaCode: string) => {
      const area = snapshot.areas.find((candidate) => candidate.code === areaCode);
      setChasing({ kind: 'areas', areaCodes: [areaCode], names: area?.name ?? areaCode });
    },
    [snapshot.areas],
  );
  return (
    <>
      <WarRoomHeader snapshot={snapshot} live={live} clock={clock} />
      <div
        className={`war-layout${selected ? ' has-sheet' : ''}`}
        // Hydrated and showing live figures (npm run bench -- live, browser tests).
        data-war-room-ready={live.status === 'connected' && live.receivedAt !== null ? '' : undefined}
      >
        <section className="war-map" aria-label={t('warRoom.map')}>
          <TurnoutMap
            snapshot={snapshot}
            lastDelta={live.lastDelta}
            geometry={geometry}
            selected={selected}
            onSelect={select}
            theme="light"
            baseStyleUrl={mapStyleUrl}
          />
        </section>
        <div className="war-side">
          {canChase && (
            <button type="button" className="button primary war-chase-all" onClick={() => setChasing({ kind: 'lagging' })}>
              {t('chase.chaseAll')}
            </button>
          )}
          <Lagging areas={snapshot.areas} selected={selected} onSelect={select} />
          <Flags flags={snapshot.flags} stations={snapshot.stations} timezone={snapshot.election.timezone} />
          <Silent stations={snapshot.stations} timezone={snapshot.election.timezone} onSelect={select} />
        </div>
        {selected && (
          <AreaPanel snapshot={snapshot} selection={selected} clock={clock} onClose={close} onChase={canChase ? chaseArea : undefined} />
        )}
      </div>
      {chasing && <ChaseDialog target={chasing} onClose={() => setChasing(null)} />}
      <Table areas={snapshot.areas} selected={selected} onSelect={select} />
    </>
  );
}

export default function Dashboard({ loaderData }: Route.ComponentProps) {
  const t = useT();
  return (
    <section className="page war-room" aria-labelledby="dashboard-title">
      <title>{`${t('dashboard.title')} — Relance`}</title>
      {loaderData.retention && <RetentionReminder reminder={loaderData.retention} />}
      {loaderData.snapshot && loaderData.clock ? (
        <WarRoom
          initial={loaderData.snapshot}
          clock={loaderData.clock}
          mapStyleUrl={loaderData.mapStyleUrl}
          canChase={loaderData.canChase}
        />
      ) : (
        <>
          <h1 id="dashboard-title">{t('dashboard.title')}</h1>
          <p>{t('dashboard.noElection')}</p>
        </>
      )}
    </section>
  );
}
