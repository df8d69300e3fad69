/**
 * Second thoughts before a report is sent: the figure a watcher typed may be right, but when it
 * looks wrong the page asks them to confirm it. The server stores it either way (a lower count is
 * flagged for a coordinator, docs/watchers.md); only an impossible one is refused there.
 */
export type ReportWarning = 'lower_than_last' | 'above_registered' | 'faster_than_usual';

/** A station rarely sees more than this share of its registered voters an hour. */
export const FAST_SHARE_PER_HOUR = 0.25;

export function reportWarnings(
  voters: number,
  station: { registered: number; last: { voters: number; observedAt: number } | null },
  observedAt: number,
): ReportWarning[] {
  const warnings: ReportWarning[] = [];
  const { last, registered } = station;
  if (last && voters < last.voters) warnings.push('lower_than_last');
  if (voters > registered) warnings.push('above_registered');
  if (last && voters > last.voters) {
    // Over at least a quarter of an hour, so two reports a minute apart do not look like a rush.
    const hours = Math.max(0.25, (observedAt - last.observedAt) / 3_600_000);
    if ((voters - last.voters) / hours > registered * FAST_SHARE_PER_HOUR) warnings.push('faster_than_usual');
  }
  return warnings;
}
