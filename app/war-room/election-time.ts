import { useEffect, useState } from 'react';
import { electionNow, type PageClock } from '../election-clock.ts';
import type { LiveStatus } from './live-turnout.ts';

/** Where polling day stands at `now`: polls not open yet, open (minutes left before they close), or closed. */
export type PollsPhase = { phase: 'before'; minutes: number } | { phase: 'open'; minutes: number } | { phase: 'closed' };

export function timeLeft(now: number, election: { pollsOpenAt: string; pollsCloseAt: string }): PollsPhase {
  const opens = Date.parse(election.pollsOpenAt);
  const closes = Date.parse(election.pollsCloseAt);
  if (now >= closes) return { phase: 'closed' };
  // Rounded up: "1 min left" until the very minute polls close.
  if (now < opens) return { phase: 'before', minutes: Math.ceil((opens - now) / 60_000) };
  return { phase: 'open', minutes: Math.ceil((closes - now) / 60_000) };
}

/** After this long without a connection, the war room says it is offline rather than reconnecting. */
export const OFFLINE_AFTER_MS = 10_000;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export function connectionState(status: LiveStatus, offlineSince: number | null, now: number): ConnectionState {
  if (status !== 'offline') return status;
  return offlineSince !== null && now - offlineSince >= OFFLINE_AFTER_MS ? 'offline' : 'reconnecting';
}

/**
 * The election's time, moving on every `stepMs` (at the simulation's speed during a simulation),
 * from the time the server rendered the page: the first render is the same on the server and in
 * the browser. Used by small components only, so that the clock does not re-render a whole page.
 */
export function useElectionNow(clock: PageClock, stepMs = 1000): number {
  const [now, setNow] = useState(() => electionNow(clock, clock.serverNow, clock.serverNow));
  useEffect(() => {
    const mountedAt = Date.now();
    const tick = () => setNow(electionNow(clock, mountedAt));
    tick();
    const timer = setInterval(tick, stepMs);
    return () => clearInterval(timer);
  }, [clock, stepMs]);
  return now;
}

/** This device's clock, moving on every `stepMs` (for how long the connection has been down). */
export function useDeviceNow(stepMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), stepMs);
    return () => clearInterval(timer);
  }, [stepMs]);
  return now;
}
