/**
 * What Relance makes of a turnout report, as pure functions: whether it is plausible, whether it
 * is flagged for a person to look at, and whether its count becomes the station's count. Each rule
 * is written down, with why, in docs/watchers.md.
 */

/** A phone's clock may run a little fast; beyond this, its time is not believed. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export type FlagReason = 'lower_than_before' | 'outside_polling_hours';

export interface StationForReports {
  registered: number;
  opensAt: Date;
  /** The station's own closing time (it may close later than the election's). */
  closesAt: Date;
  /** The count that stands now, and when it was read; null before the first counted report. */
  standing: { voters: number; observedAt: Date } | null;
}

export interface ReportReading {
  voters: number;
  observedAt: Date;
}

export type ReportVerdict =
  | { kind: 'refused'; message: string }
  | {
      kind: 'stored';
      status: 'accepted' | 'flagged';
      flagReason: FlagReason | null;
      /** The time the report is filed under (the received time when the phone's was in the future). */
      observedAt: Date;
      /** The phone's time, kept when it was replaced. */
      claimedObservedAt: Date | null;
      /** Whether its count becomes the station's count. */
      stands: boolean;
    };

export interface ReportRules {
  /** The election's time when the report arrived. */
  now: Date;
  /** Registered voters × this is the most a station can report. */
  maxTurnoutRatio: number;
  /** Reports sent during a rehearsal are judged like any other, then never counted. */
  rehearsal: boolean;
}

/** The largest count a station can report: more means a typo or a wrong station. */
export function maxVoters(registered: number, maxTurnoutRatio: number): number {
  return Math.floor(registered * maxTurnoutRatio);
}

/**
 * Judges one report against its station.
 * - More voters than registered × the ratio: refused, since it cannot be true.
 * - A time more than 5 minutes ahead of the election's clock: filed at the received time, and the
 *   phone's time is kept.
 * - Read before the polls opened or after the station closed: stored and flagged.
 * - Lower than the count standing at an earlier or equal time: stored and flagged, never dropped
 *   (cumulative counts only go up; a lower one is a typo or a misread sheet, for a person to check).
 * - Otherwise accepted. An accepted report stands, becoming the station's count, when it was read
 *   at or after the standing one: the latest reading wins, whoever sent it, so two watchers at one
 *   station never overwrite each other with older figures. A late report from a phone that was
 *   offline is kept in the station's history but does not replace a newer count.
 */
export function judgeReport(reading: ReportReading, station: StationForReports, rules: ReportRules): ReportVerdict {
  const ceiling = maxVoters(station.registered, rules.maxTurnoutRatio);
  if (reading.voters > ceiling) {
    return {
      kind: 'refused',
      message: `${reading.voters} voters is more than this station can have: it has ${station.registered} registered voters. Check the figure on the signature sheet.`,
    };
  }
  const inFuture = reading.observedAt.getTime() > rules.now.getTime() + FUTURE_TOLERANCE_MS;
  const observedAt = inFuture ? rules.now : reading.observedAt;
  const claimedObservedAt = inFuture ? reading.observedAt : null;

  const { standing } = station;
  const newerOrSame = standing === null || observedAt.getTime() >= standing.observedAt.getTime();
  let flagReason: FlagReason | null = null;
  if (observedAt < station.opensAt || observedAt > station.closesAt) flagReason = 'outside_polling_hours';
  else if (standing && newerOrSame && reading.voters < standing.voters) flagReason = 'lower_than_before';

  const accepted = flagReason === null;
  return {
    kind: 'stored',
    status: accepted ? 'accepted' : 'flagged',
    flagReason,
    observedAt,
    claimedObservedAt,
    stands: accepted && !rules.rehearsal && newerOrSame,
  };
}
