import { useEffect, useMemo, useRef, useState } from 'react';
import type { TurnoutHistory, TurnoutHistoryPoint } from '../../server/turnout/turnout.history.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import type { PageClock } from '../election-clock.ts';
import { formatCount, formatShare, formatSignedShare, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { DayChart } from './day-chart.tsx';
import { useElectionNow } from './election-time.ts';
import { useFlagCategory } from './flags-feed.tsx';
import { LAG_COLOURS, lagClass } from './lag-scale.ts';
import { areaScope, selectedUnit, type WarRoomSelection } from './selection.ts';
import { formatProjection } from './turnout-table.tsx';

/**
 * The day's counts of the selected area or station, asked again when its figures change (a report
 * arrived); the last answer stays on screen meanwhile.
 */
function useTurnoutHistory(selection: WarRoomSelection, version: string) {
  const [history, setHistory] = useState<{ key: string; points: TurnoutHistoryPoint[] } | null>(null);
  const [failed, setFailed] = useState(false);
  const key = `${selection.kind}=${encodeURIComponent(selection.code)}`;
  useEffect(() => {
    const controller = new AbortController();
    fetch(`/api/v1/turnout/history?${key}`, { signal: controller.signal, headers: { Accept: 'application/json' } })
      .then(async (response) => {
        if (!response.ok) throw new Error(`history: ${response.status}`);
        const body = (await response.json()) as TurnoutHistory;
        setHistory({ key, points: body.points });
        setFailed(false);
      })
      .catch(() => {
        if (!controller.signal.aborted) setFailed(true);
      });
    return () => controller.abort();
  }, [key, version]);
  return { points: history?.key === key ? history.points : null, failed };
}

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="panel-figure">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * The side sheet of a selected area or station: its figures, its open flags, the chart of the day,
 * and the button that starts chasing its supporters.
 */
export function AreaPanel({
  snapshot,
  selection,
  clock,
  onClose,
  onChase,
}: {
  snapshot: TurnoutSnapshot;
  selection: WarRoomSelection;
  clock: PageClock;
  onClose: () => void;
  /** Opens the chase list preview for an area; absent for those who may not chase (viewers). */
  onChase?: (areaCode: string) => void;
}) {
  const t = useT();
  const locale = useLocale();
  const category = useFlagCategory();
  const now = useElectionNow(clock, 5000);
  const heading = useRef<HTMLHeadingElement>(null);
  const unit = useMemo(() => selectedUnit(snapshot, selection), [snapshot, selection]);
  const version = !unit
    ? ''
    : unit.kind === 'area'
      ? `${unit.area.voted}:${unit.area.reportingStations}`
      : `${unit.station.voted}:${unit.station.reportedAt}`;
  const history = useTurnoutHistory(selection, version);
  const { areas, stations, flags, election } = snapshot;
  const flagsHere = useMemo(() => {
    if (selection.kind === 'station') return flags.filter((flag) => flag.stationCode === selection.code);
    const scope = areaScope(areas, selection.code);
    const inScope = new Set(stations.filter((station) => scope.has(station.areaCode)).map((station) => station.code));
    return flags.filter((flag) => inScope.has(flag.stationCode));
  }, [flags, areas, stations, selection]);
  const names = useMemo(() => new Map(stations.map((station) => [station.code, station.name])), [stations]);

  // Keyboard users land in the sheet when it opens, and go back where they were when it closes.
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    heading.current?.focus();
    return () => opener?.focus?.();
  }, [selection.kind, selection.code]);

  if (!unit) return null;
  const figures = unit.kind === 'area' ? unit.area : unit.station;
  const chaseArea = unit.kind === 'area' ? unit.area.code : unit.station.areaCode;
  const lag = lagClass(figures.lag);
  const kindLabel =
    unit.kind === 'area' ? t(`warRoom.panel.kind.${unit.area.kind}`) : t('warRoom.panel.station', { code: unit.station.code });

  return (
    <aside
      className="war-sheet"
      aria-labelledby="panel-title"
      data-selected={`${selection.kind}:${selection.code}`}
      data-lag-class={lag}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="war-sheet-head">
        <div>
          <p className="war-sheet-kind">{kindLabel}</p>
          <h2 id="panel-title" ref={heading} tabIndex={-1}>
            {figures.name}
          </h2>
        </div>
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('warRoom.panel.close')}
        </button>
      </div>
      <dl className="panel-figures">
        <Figure label={t('warRoom.registered')}>{formatCount(locale, figures.registered)}</Figure>
        <Figure label={t('warRoom.voted')}>
          <span className="panel-voted">{formatCount(locale, figures.voted)}</span>
        </Figure>
        <Figure label={t('warRoom.turnoutNow')}>
          <span className="panel-turnout">{formatShare(locale, figures.current ?? figures.turnout)}</span>
          {figures.expected !== null && (
            <span className="figure-detail">{t('warRoom.expectedShare', { share: formatShare(locale, figures.expected) })}</span>
          )}
          {unit.kind === 'station' && unit.station.estimated && <span className="figure-detail">{t('warRoom.panel.estimated')}</span>}
        </Figure>
        <Figure label={t('warRoom.lag')}>
          <span className="lag-swatch" style={{ background: LAG_COLOURS[lag] }} aria-hidden="true" />{' '}
          <span className="panel-lag">{formatSignedShare(locale, figures.lag)}</span>{' '}
          <span className="figure-detail">{t(`warRoom.lagClass.${lag}`)}</span>
        </Figure>
        <Figure label={t('warRoom.projected')}>{formatProjection(locale, figures)}</Figure>
        {unit.kind === 'area' ? (
          <Figure label={t('warRoom.panel.stations')}>
            {t('warRoom.panel.stationsValue', {
              reporting: formatCount(locale, unit.area.reportingStations),
              stations: formatCount(locale, unit.area.stations),
              silent: formatCount(locale, unit.area.silentStations),
            })}
          </Figure>
        ) : (
          <Figure label={t('warRoom.panel.lastReport')}>
            {unit.station.reportedAt ? formatTime(locale, unit.station.reportedAt, election.timezone) : t('warRoom.silent.never')}
            {unit.station.silent && <span className="figure-detail">{t('warRoom.panel.silent')}</span>}
          </Figure>
        )}
        <Figure label={t('warRoom.supportersLeft')}>
          <span className="panel-supporters">{formatCount(locale, figures.supportersLeft)}</span>
        </Figure>
      </dl>

      {onChase && (
        <div className="war-chase">
          <button type="button" className="button primary" data-chase-area={chaseArea} onClick={() => onChase(chaseArea)}>
            {t('warRoom.chase')}
          </button>
        </div>
      )}

      <DayChart name={figures.name} election={election} curve={snapshot.curve} figures={figures} history={history.points} now={now} />
      {history.failed && <p className="war-hint">{t('warRoom.chart.failed')}</p>}

      <h3>{t('warRoom.panel.flags')}</h3>
      {flagsHere.length === 0 ? (
        <p className="war-empty">{t('warRoom.panel.noFlags')}</p>
      ) : (
        <ul className="war-feed">
          {flagsHere.map((flag) => (
            <li key={flag.id}>
              <time dateTime={flag.observedAt}>{formatTime(locale, flag.observedAt, election.timezone)}</time>{' '}
              <strong>{category(flag.category)}</strong> — {names.get(flag.stationCode) ?? flag.stationCode}
              {flag.note && <span className="war-feed-note">{flag.note}</span>}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
