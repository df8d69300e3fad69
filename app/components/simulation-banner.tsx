import { useEffect, useState } from 'react';
import { useLocale, useT } from '../i18n/i18n.ts';

/** The election's simulated clock as the root loader reads it (server/elections/elections.clock.ts). */
export interface SimulatedClock {
  /** The election's time when the page was served. */
  now: string;
  endsAt: string;
  /** Simulated seconds per real second. */
  speed: number;
  timezone: string;
}

/**
 * Says on every page that the polling day is simulated, and its time, so that nobody takes the
 * figures for a real day. The time moves on in the browser at the simulation's speed between
 * page loads, from the time the server gave.
 */
export function SimulationBanner({ clock }: { clock: SimulatedClock }) {
  const t = useT();
  const locale = useLocale();
  const [now, setNow] = useState(() => new Date(clock.now));
  useEffect(() => {
    const served = new Date(clock.now).getTime();
    const endsAt = new Date(clock.endsAt).getTime();
    const mountedAt = Date.now();
    setNow(new Date(served));
    if (served >= endsAt) return;
    const timer = setInterval(() => {
      const simulated = Math.min(endsAt, served + (Date.now() - mountedAt) * clock.speed);
      setNow(new Date(simulated));
      if (simulated >= endsAt) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [clock.now, clock.endsAt, clock.speed]);

  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: clock.timezone, hourCycle: 'h23' })
    .formatToParts(now)
    .reduce<Record<string, string>>((found, part) => ({ ...found, [part.type]: part.value }), {});
  const time = locale === 'fr' ? `${Number(parts.hour)} h ${parts.minute}` : `${parts.hour}:${parts.minute}`;
  const over = now.getTime() >= new Date(clock.endsAt).getTime();
  return (
    // A status, not an alert; and not announced at every simulated minute (aria-live off), only read when looked for.
    <p className="simulation-banner" role="status" aria-live="off">
      <strong>{t('simulation.label')}</strong> — {t(over ? 'simulation.over' : 'simulation.time', { time })}
    </p>
  );
}
