import { useState, useSyncExternalStore } from 'react';
import { data, Link } from 'react-router';
import { formatCount, formatTime } from '../format.ts';
import { useLocale, useT, type MessageKey } from '../i18n/i18n.ts';
import { electionNow } from '../election-clock.ts';
import { FlagPanel } from '../watch/flag-panel.tsx';
import { MarksPanel } from '../watch/marks-panel.tsx';
import { useOfflineReadiness } from '../watch/offline.ts';
import { useOutbox, type OutboxItem } from '../watch/outbox.ts';
import { ReportPanel } from '../watch/report-panel.tsx';
import { lastReport, StationFacts } from '../watch/station-facts.tsx';
import { SyncBar } from '../watch/sync-bar.tsx';
import type { Route } from './+types/watch-station';

export async function loader({ context, params }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.watchStations);
  const station = await context.services.geo.stationInScope(principal, params.code);
  if (!station) throw data({ code: 'not_found' }, { status: 404 });
  const election = await context.services.elections.requireCurrent();
  return { station, timeZone: election.timezone, clock: await context.services.elections.pageClock(election.id) };
}

const TABS = ['report', 'marks', 'flag'] as const;
type Tab = (typeof TABS)[number];

const noSubscription = () => () => {};

/** False in the server's HTML and while it hydrates: a keypad drawn but not yet wired would swallow the first taps. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

function HistoryLine({ item, timeZone }: { item: OutboxItem; timeZone: string }) {
  const t = useT();
  const locale = useLocale();
  const { payload } = item;
  const what =
    item.kind === 'report'
      ? t('watch.history.report', {
          count: formatCount(locale, Number(payload.voters)),
          time: formatTime(locale, String(payload.observedAt), timeZone),
        })
      : item.kind === 'mark'
        ? t(payload.action === 'undo' ? 'watch.history.undo' : 'watch.history.mark', {
            numbers: (payload.listNumbers as number[]).join(', '),
          })
        : t('watch.history.flag', { category: t(`watch.flag.${String(payload.category)}` as MessageKey) });
  const state =
    item.state === 'waiting'
      ? t('watch.state.waiting')
      : item.state === 'refused'
        ? t('watch.state.refused', { reason: item.answer?.message ?? item.answer?.status ?? '' })
        : item.answer?.status === 'flagged'
          ? t('watch.state.flagged')
          : t('watch.state.sent');
  return (
    <li className={`history-${item.state}`}>
      <span>{what}</span> <span className="muted">— {state}</span>
    </li>
  );
}

export default function WatchStation({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const { station, timeZone, clock } = loaderData;
  const outbox = useOutbox();
  const offline = useOfflineReadiness();
  const hydrated = useHydrated();
  const [loadedAt] = useState(() => Date.now());
  const [tab, setTab] = useState<Tab>('report');
  const now = () => electionNow(clock, loadedAt);
  const mine = outbox.items.filter((item) => item.stationCode === station.code);
  const last = lastReport(station, outbox.items);

  return (
    <section className="page narrow watch" aria-labelledby="station-title">
      <title>{`${station.code} ${station.name} — Relance`}</title>
      <SyncBar outbox={outbox} offline={offline} />
      <p>
        <Link to="/watch">← {t('watch.back')}</Link>
      </p>
      <h1 id="station-title">
        <span className="station-code">{station.code}</span> {station.name}
      </h1>
      <StationFacts station={station} last={last} timeZone={timeZone} />

      <div className="tabs" role="tablist" aria-label={t('watch.tabs')}>
        {TABS.map((option) => (
          <button
            key={option}
            type="button"
            role="tab"
            id={`tab-${option}`}
            aria-selected={tab === option}
            aria-controls={`panel-${option}`}
            className="tab"
            onClick={() => setTab(option)}
          >
            {t(`watch.tab.${option}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'report' && (
          <ReportPanel stationCode={station.code} registered={station.registeredVoters} last={last} now={now} ready={hydrated} />
        )}
        {tab === 'marks' && (
          <MarksPanel
            stationCode={station.code}
            now={now}
            ready={hydrated}
            marks={mine.filter((item) => item.kind === 'mark' && item.state !== 'refused')}
          />
        )}
        {tab === 'flag' && <FlagPanel stationCode={station.code} now={now} ready={hydrated} />}
      </div>

      {mine.length > 0 && (
        <section aria-labelledby="history-title" className="history">
          <h2 id="history-title">{t('watch.history')}</h2>
          <ul className="plain-list">
            {mine
              .slice(-15)
              .reverse()
              .map((item) => (
                <HistoryLine key={item.id} item={item} timeZone={timeZone} />
              ))}
          </ul>
        </section>
      )}
    </section>
  );
}
