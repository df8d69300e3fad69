import type { StationSummary } from '../../server/geo/geo.service.ts';
import { formatCount, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { OutboxItem } from './outbox.ts';
import type { LastReport } from './report-panel.tsx';

/** The latest count this watcher knows of: the server's standing one, or a newer one of their own not sent yet. */
export function lastReport(
  station: Pick<StationSummary, 'code' | 'reportedVoters' | 'reportedAt'>,
  items: readonly OutboxItem[],
): LastReport | null {
  let last: LastReport | null =
    station.reportedVoters !== null && station.reportedAt
      ? { voters: station.reportedVoters, observedAt: Date.parse(station.reportedAt) }
      : null;
  for (const item of items) {
    if (item.kind !== 'report' || item.stationCode !== station.code || item.state === 'refused') continue;
    const observedAt = Date.parse(String(item.payload.observedAt));
    if (!last || observedAt >= last.observedAt) last = { voters: Number(item.payload.voters), observedAt };
  }
  return last;
}

/** Address, closing time, registered voters and the last report, as a watcher needs them at a glance. */
export function StationFacts({ station, last, timeZone }: { station: StationSummary; last: LastReport | null; timeZone: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <>
      {station.address && <p>{station.address}</p>}
      <p className="muted">
        {t('watch.closes', { time: formatTime(locale, station.closesAt, timeZone) })} ·{' '}
        {t('watch.registered', { count: formatCount(locale, station.registeredVoters) })}
      </p>
      <p className="last-report">
        {last
          ? t('watch.lastReport', {
              count: formatCount(locale, last.voters),
              time: formatTime(locale, new Date(last.observedAt).toISOString(), timeZone),
            })
          : t('watch.noReport')}
      </p>
    </>
  );
}
