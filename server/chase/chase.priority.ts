import type { ContactOutcome } from '../db/generated/client.ts';

/**
 * Who is called first (docs/chase-lists.md). Plain functions with no I/O: the list builder computes
 * each (station, support level, last outcome) combination here and hands the table to SQL, so the
 * order a list gets is exactly what these functions say.
 */

/** Weight of each part of the score; they add up to 100. */
export const PRIORITY_WEIGHTS = { support: 50, lag: 30, urgency: 20 } as const;

/** An area this far behind its expected turnout (−20 %) or further gets the full lag weight. */
export const FULL_LAG = 0.2;

/** With this long or more before the station closes, time adds nothing; with an hour or less, it adds its full weight. */
export const URGENCY_FROM_MINUTES = 6 * 60;
export const URGENCY_FULL_MINUTES = 60;

/** How much a supporter's level counts: 1 = strong support … 5 = strong opposition. */
const SUPPORT_SCORE: Record<number, number> = { 1: 1, 2: 0.6, 3: 0.3, 4: 0.1, 5: 0 };

/**
 * What the last contact says about calling again. Absent outcomes exclude the person: they said no,
 * asked never to be called, the number is wrong, or they already voted.
 */
export const OUTCOME_FACTOR = {
  none: 1,
  /** Worth another try, a little later in the list. */
  no_answer: 0.85,
  /** A ride is queued for them; a reminder still helps. */
  needs_ride: 0.6,
  /** They said they would vote: a second call is a reminder, after those never reached. */
  will_vote: 0.5,
} as const;

export type OutcomeClass = keyof typeof OUTCOME_FACTOR;
export const OUTCOME_CLASSES = Object.keys(OUTCOME_FACTOR) as OutcomeClass[];

export interface PriorityInputs {
  /** The area's lag (observed / expected − 1, negative = behind), or null when unknown. */
  lag: number | null;
  supportLevel: number | null;
  /** Minutes before the voter's station closes. */
  minutesLeft: number;
  /** The last recorded outcome with this voter, or null when never contacted. */
  lastOutcome: ContactOutcome | null;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** 0–1: how far behind the area is. An area ahead of expectations adds nothing. */
export function lagScore(lag: number | null): number {
  return lag === null ? 0 : clamp01(-lag / FULL_LAG);
}

/** 0–1: how close the station is to closing. */
export function urgencyScore(minutesLeft: number): number {
  return clamp01((URGENCY_FROM_MINUTES - minutesLeft) / (URGENCY_FROM_MINUTES - URGENCY_FULL_MINUTES));
}

export function supportScore(supportLevel: number | null): number {
  return supportLevel === null ? 0.2 : (SUPPORT_SCORE[supportLevel] ?? 0);
}

/** The outcome class a last contact puts a voter in, or null when it excludes them. */
export function outcomeClassOf(outcome: ContactOutcome | null): OutcomeClass | null {
  if (outcome === null) return 'none';
  return outcome in OUTCOME_FACTOR ? (outcome as OutcomeClass) : null;
}

/**
 * A voter's priority, 0–100, higher first; null when they are not to be called at all (their
 * station has closed, or their last contact excludes them). Rounded to 4 decimals so that the same
 * inputs give the same number on every machine; ties are broken by voter id (lowest first).
 */
export function chasePriority(input: PriorityInputs): number | null {
  const outcome = outcomeClassOf(input.lastOutcome);
  if (outcome === null || input.minutesLeft <= 0) return null;
  const score =
    PRIORITY_WEIGHTS.support * supportScore(input.supportLevel) +
    PRIORITY_WEIGHTS.lag * lagScore(input.lag) +
    PRIORITY_WEIGHTS.urgency * urgencyScore(input.minutesLeft);
  return Math.round(score * OUTCOME_FACTOR[outcome] * 10_000) / 10_000;
}

/** A station as the builder sees it: its id, its area's lag, when it closes. */
export interface StationForPriority {
  stationId: number;
  lag: number | null;
  closesAt: Date;
}

export interface PriorityRow {
  station_id: number;
  support_level: number;
  outcome: OutcomeClass;
  priority: number;
}

/**
 * Every combination the builder may meet among open stations, support levels 1…maxSupport and
 * outcome classes, with its priority: the table SQL joins voters with.
 */
export function priorityTable(stations: readonly StationForPriority[], maxSupport: number, now: Date): PriorityRow[] {
  const rows: PriorityRow[] = [];
  for (const station of stations) {
    const minutesLeft = (station.closesAt.getTime() - now.getTime()) / 60_000;
    for (let level = 1; level <= maxSupport; level++) {
      for (const outcome of OUTCOME_CLASSES) {
        const priority = chasePriority({
          lag: station.lag,
          supportLevel: level,
          minutesLeft,
          lastOutcome: outcome === 'none' ? null : outcome,
        });
        if (priority !== null) rows.push({ station_id: station.stationId, support_level: level, outcome, priority });
      }
    }
  }
  return rows;
}

/** Orders entries as lists do: priority first, then voter id. */
export function byPriority(a: { priority: number; voterId: number }, b: { priority: number; voterId: number }): number {
  return b.priority - a.priority || a.voterId - b.voterId;
}
