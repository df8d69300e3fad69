import { useEffect, useState } from 'react';
import { electionNow, type PageClock } from '../election-clock.ts';
import { useLocale, useT } from '../i18n/i18n.ts';

/** The election's simulated clock as the root loader reads it (server/elections/elections.clock.ts). */
export type SimulatedClock = PageClock & { simulation: NonNullable<PageClock['simulation']>; timezone: string };

/**
 * Says on every page that the polling day is simulated, and its time, so that nobody takes the
 * figures for a real day. The time moves on in the browser at the simulation's speed between
 * page loads, from the time the server gave.
 */
export function SimulationBanner({ clock }: { clock: SimulatedClock }) {
  const t = useT();
  const locale = useLocale();
  // The time the server rendered, then the same clock read in the browser every second.
  const [now, setNow] = useState(() => new Date(electionNow(clock, clock.serverNow, clock.serverNow)));
  useEffect(() => {
    const mountedAt = Date.now();
    const tick = () => setNow(new Date(electionNow(clock, mountedAt)));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [clock]);

  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: clock.timezone, hourCycle: 'h23' })
    .formatToParts(now)
    .reduce<Record<string, string>>((found, part) => ({ ...found, [part.type]: part.value }), {});
  const time = locale === 'fr' ? `${Number(parts.hour)} h ${parts.minute}` : `${parts.hour}:${parts.minute}`;
  const over = now.getTime() >= clock.simulation.endsAt;
  return (
    // A status, not an alert; and not announced at every simulated minute (aria-live off), only read when looked for.
    <p className="simulation-banner" role="status" aria-live="off">
      <strong>{t('simulation.label')}</strong> — {t(over ? 'simulation.over' : 'simulation.time', { time })}
    </p>
  );
}
