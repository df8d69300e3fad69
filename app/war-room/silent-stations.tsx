import { useMemo } from 'react';
import type { StationTurnout } from '../../server/turnout/turnout.service.ts';
import { formatCount, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { WarRoomSelection } from './selection.ts';

/** The list shows this many; the rest are counted (before the first reports, every station is silent). */
const SILENT_SHOWN = 30;

/** Stations open with no report for 30 minutes, longest silent first, with the time of their last report. */
export function SilentStations({
  stations,
  timezone,
  onSelect,
}: {
  stations: readonly StationTurnout[];
  timezone: string;
  onSelect?: (selection: WarRoomSelection) => void;
}) {
  const t = useT();
  const locale = useLocale();
  const silent = useMemo(
    () =>
      stations
        .filter((station) => station.silent)
        .sort((a, b) => (a.reportedAt ?? '').localeCompare(b.reportedAt ?? '') || a.code.localeCompare(b.code)),
    [stations],
  );
  return (
    <section className="war-box war-silent" aria-labelledby="silent-title">
      <h2 id="silent-title">{t('warRoom.silent')}</h2>
      <p className="war-hint">{t('warRoom.silent.hint')}</p>
      {silent.length === 0 ? (
        <p className="war-empty">{t('warRoom.silent.none')}</p>
      ) : (
        <ul className="war-feed">
          {silent.slice(0, SILENT_SHOWN).map((station) => {
            const label = `${station.code} ${station.name}`;
            return (
              <li key={station.code} data-station={station.code}>
                {onSelect ? (
                  <button type="button" className="war-link" onClick={() => onSelect({ kind: 'station', code: station.code })}>
                    {label}
                  </button>
                ) : (
                  label
                )}{' '}
                <span className="war-feed-note">
                  {station.reportedAt
                    ? t('warRoom.silent.last', { time: formatTime(locale, station.reportedAt, timezone) })
                    : t('warRoom.silent.never')}
                </span>
              </li>
            );
          })}
          {silent.length > SILENT_SHOWN && (
            <li className="war-feed-note">{t('warRoom.silent.more', { count: formatCount(locale, silent.length - SILENT_SHOWN) })}</li>
          )}
        </ul>
      )}
    </section>
  );
}
