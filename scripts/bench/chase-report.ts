/**
 * The chase benchmark's report (chase.ts measures): p50s and p95s, the ratios to the yardsticks measured
 * in the same run, and whether the budgets were met.
 */
import os from 'node:os';
import type { City } from './chase-city.ts';
import type { VolunteersResult } from './chase-load.ts';
import type { BenchReport, ReportRow } from './report.ts';
import { percentile, type LatencySummary } from './stats.ts';

export const CHASE_BUDGET = { previewMs: 200, buildMs: 500, buildRatio: 1.5, claimsPerSecond: 500, claimP99Ms: 100 };

export interface Measured {
  city: City;
  generatedMs: number;
  areas: number;
  stations: number;
  previewMs: number[];
  /** The hand-written count of the selection, and what it counted. */
  countMs: number[];
  countedEntries: number;
  buildMs: number[];
  baselineMs: number[];
  entries: number;
  previewEntries: number;
  baselineEntries: number;
  mismatches: number;
  claims: VolunteersResult;
  /** The same loop straight on PostgreSQL. */
  ceiling: VolunteersResult;
  seconds: number;
  serverCpuMs: number;
  volunteers: number;
  renewEvery: number;
  warmUpSeconds: number;
  marks: { latency: LatencySummary; leftPending: number; errors: number };
}

export function buildReport(m: Measured): BenchReport {
  const sorted = (values: number[]) => Float64Array.from(values).sort();
  const p = (values: number[], q: number) => percentile(sorted(values), q);
  const preview = { p50: p(m.previewMs, 50), p95: p(m.previewMs, 95) };
  const build = { p50: p(m.buildMs, 50), p95: p(m.buildMs, 95) };
  const hand = { p50: p(m.baselineMs, 50), p95: p(m.baselineMs, 95) };
  const ratio = build.p50 / hand.p50;
  const count = { p50: p(m.countMs, 50), p95: p(m.countMs, 95) };
  const perSecond = (phase: VolunteersResult) => phase.claims / (phase.windowMs / 1000);
  const claimsPerSecond = perSecond(m.claims);
  const ceilingPerSecond = perSecond(m.ceiling);
  const failuresOf = (phase: VolunteersResult) => Object.values(phase.errors).reduce((sum, count) => sum + count, 0);
  const failed = failuresOf(m.claims);
  const ceilingFailed = failuresOf(m.ceiling);
  const loadavg = os.loadavg();

  const metrics: Record<string, number> = {
    voters: m.city.voters,
    stations: m.city.stationIds.size,
    contactAttempts: m.city.contactAttempts,
    earlierEntries: m.city.earlierEntries,
    generateMs: m.generatedMs,
    areas: m.areas,
    listStations: m.stations,
    runs: m.previewMs.length,
    entries: m.entries,
    previewEntries: m.previewEntries,
    previewP50Ms: preview.p50,
    previewP95Ms: preview.p95,
    countP50Ms: count.p50,
    countP95Ms: count.p95,
    previewToCountRatio: preview.p50 / count.p50,
    countedEntries: m.countedEntries,
    buildP50Ms: build.p50,
    buildP95Ms: build.p95,
    baselineP50Ms: hand.p50,
    baselineP95Ms: hand.p95,
    buildToBaselineRatio: ratio,
    baselineEntries: m.baselineEntries,
    baselineMismatches: m.mismatches,
    volunteers: m.volunteers,
    seconds: m.seconds,
    claimsPerSecond,
    claimP50Ms: m.claims.claimLatency.p50,
    claimP99Ms: m.claims.claimLatency.p99,
    claimMaxMs: m.claims.claimLatency.max,
    outcomeP50Ms: m.claims.outcomeLatency.p50,
    outcomeP99Ms: m.claims.outcomeLatency.p99,
    renewals: m.claims.renewals,
    outcomes: m.claims.outcomes,
    doubleClaims: m.claims.doubleClaims,
    failedRequests: failed,
    serverCpuMsPerClaim: m.claims.claims > 0 ? m.serverCpuMs / m.claims.claims : Number.NaN,
    ceilingClaimsPerSecond: ceilingPerSecond,
    ceilingClaimP99Ms: m.ceiling.claimLatency.p99,
    ceilingDoubleClaims: m.ceiling.doubleClaims,
    ceilingFailures: ceilingFailed,
    claimsToCeilingRatio: claimsPerSecond / ceilingPerSecond,
    marks: m.marks.latency.count,
    markToDroppedP50Ms: m.marks.latency.p50,
    markToDroppedP99Ms: m.marks.latency.p99,
    markToDroppedMaxMs: m.marks.latency.max,
    markEntriesLeftPending: m.marks.leftPending,
    markErrors: m.marks.errors,
    loadAverage1m: loadavg[0]!,
  };
  const rows: ReportRow[] = [
    {
      name: `city: ${m.city.voters.toLocaleString('en-US')} voters, ${m.city.earlierEntries.toLocaleString('en-US')} entries of earlier lists, generated in`,
      value: m.generatedMs,
      unit: 'ms',
    },
    { name: `list: ${m.areas} neighbourhoods, ${m.stations} stations, entries`, value: m.entries, unit: 'entries' },
    { name: `preview p50 (${m.previewMs.length} runs)`, value: preview.p50, unit: 'ms' },
    { name: 'preview p95', value: preview.p95, unit: 'ms' },
    { name: 'hand-written count of the selection p50', value: count.p50, unit: 'ms' },
    { name: 'ratio: preview p50 ÷ hand-written count p50', value: preview.p50 / count.p50, unit: '×' },
    { name: 'build and save p50', value: build.p50, unit: 'ms' },
    { name: 'build and save p95', value: build.p95, unit: 'ms' },
    { name: 'hand-written INSERT … SELECT p50', value: hand.p50, unit: 'ms' },
    { name: 'hand-written INSERT … SELECT p95', value: hand.p95, unit: 'ms' },
    { name: 'ratio: build p50 ÷ hand-written p50', value: ratio, unit: '×' },
    { name: 'entries differing from the hand-written list', value: m.mismatches, unit: 'entries' },
    { name: `claims, ${m.volunteers} volunteers over HTTP`, value: claimsPerSecond, unit: 'claims/s' },
    { name: '  claim p50', value: m.claims.claimLatency.p50, unit: 'ms' },
    { name: '  claim p99', value: m.claims.claimLatency.p99, unit: 'ms' },
    { name: '  outcome p99', value: m.claims.outcomeLatency.p99, unit: 'ms' },
    { name: '  same entry claimed twice', value: m.claims.doubleClaims, unit: 'entries' },
    { name: '  failed requests', value: failed, unit: 'requests' },
    { name: '  server CPU per claim (with its outcome)', value: metrics.serverCpuMsPerClaim!, unit: 'ms' },
    { name: `claims, the same statements on ${m.volunteers} PostgreSQL connections`, value: ceilingPerSecond, unit: 'claims/s' },
    { name: '  claim p99', value: m.ceiling.claimLatency.p99, unit: 'ms' },
    { name: '  ratio: over HTTP ÷ straight on PostgreSQL', value: claimsPerSecond / ceilingPerSecond, unit: '×' },
    { name: `marked as voted → off every list p50 (${m.marks.latency.count} marks)`, value: m.marks.latency.p50, unit: 'ms' },
    { name: '  p99', value: m.marks.latency.p99, unit: 'ms' },
    { name: '  entries still pending after the answer', value: m.marks.leftPending, unit: 'entries' },
  ];
  const notes = [
    `budgets (p50 of ${m.previewMs.length} runs): preview ≤ ${CHASE_BUDGET.previewMs} ms; build and save ≤ ${CHASE_BUDGET.buildMs} ms and ≤ ${CHASE_BUDGET.buildRatio} × hand-written; ≥ ${CHASE_BUDGET.claimsPerSecond} claims/s with p99 ≤ ${CHASE_BUDGET.claimP99Ms} ms`,
    `volunteers (own session each, one kept-alive connection) in a separate process: next person, renew 1 call in ${m.renewEvery}, outcome no_answer; ${m.seconds} s after a ${m.warmUpSeconds} s warm-up`,
    `load average at the end: ${loadavg.map((value) => value.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`,
  ];
  if (failed > 0) notes.push(...m.claims.errorSamples.map((sample) => `e.g. ${sample}`));
  if (ceilingFailed > 0) notes.push(...m.ceiling.errorSamples.map((sample) => `on PostgreSQL, e.g. ${sample}`));
  if (m.countedEntries !== m.entries) notes.push(`the hand-written count found ${m.countedEntries} entries, the build made ${m.entries}`);
  if (m.previewEntries !== m.entries) notes.push(`the preview counted ${m.previewEntries} entries, the build made ${m.entries}`);
  const ok =
    preview.p50 <= CHASE_BUDGET.previewMs &&
    build.p50 <= CHASE_BUDGET.buildMs &&
    ratio <= CHASE_BUDGET.buildRatio &&
    claimsPerSecond >= CHASE_BUDGET.claimsPerSecond &&
    m.claims.claimLatency.p99 <= CHASE_BUDGET.claimP99Ms &&
    m.mismatches === 0 &&
    m.claims.doubleClaims === 0 &&
    failed === 0 &&
    m.ceiling.doubleClaims === 0 &&
    ceilingFailed === 0 &&
    m.marks.leftPending === 0 &&
    m.marks.errors === 0;
  return {
    scenario: 'chase',
    rows,
    metrics,
    baseline: {
      handWrittenP50Ms: hand.p50,
      handWrittenP95Ms: hand.p95,
      handWrittenEntries: m.baselineEntries,
      handWrittenCountP50Ms: count.p50,
      postgresClaimsPerSecond: ceilingPerSecond,
    },
    ok,
    notes,
  };
}
