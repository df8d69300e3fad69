import { useMemo } from 'react';
import type { OpenFlag, StationTurnout } from '../../server/turnout/turnout.service.ts';
import { formatTime } from '../format.ts';
import { isMessageKey, useLocale, useT } from '../i18n/i18n.ts';

/** A flag's category in the reader's language (watchers.schemas.ts FLAG_CATEGORIES; the watcher pages' words). */
export function useFlagCategory() {
  const t = useT();
  return (category: string) => {
    const key = `watch.flag.${category}`;
    return isMessageKey(key) ? t(key) : category;
  };
}

/** Watchers' open flags, newest first: station, category and time. */
export function FlagsFeed({
  flags,
  stations,
  timezone,
  limit,
}: {
  flags: readonly OpenFlag[];
  stations: readonly StationTurnout[];
  timezone: string;
  limit?: number;
}) {
  const t = useT();
  const locale = useLocale();
  const category = useFlagCategory();
  const names = useMemo(() => new Map(stations.map((station) => [station.code, station.name])), [stations]);
  const newest = useMemo(
    () => [...flags].sort((a, b) => b.observedAt.localeCompare(a.observedAt) || a.id.localeCompare(b.id)).slice(0, limit),
    [flags, limit],
  );
  return (
    <section className="war-box war-flags" aria-labelledby="flags-title">
      <h2 id="flags-title">{t('warRoom.flags')}</h2>
      {newest.length === 0 ? (
        <p className="war-empty">{t('warRoom.flags.none')}</p>
      ) : (
        <ul className="war-feed">
          {newest.map((flag) => (
            <li key={flag.id} data-flag={flag.id}>
              <time dateTime={flag.observedAt}>{formatTime(locale, flag.observedAt, timezone)}</time>{' '}
              <strong>{category(flag.category)}</strong> — {names.get(flag.stationCode) ?? flag.stationCode} ({flag.stationCode})
              {flag.note && <span className="war-feed-note">{flag.note}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
