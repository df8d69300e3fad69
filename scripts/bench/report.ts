/**
 * Output of every benchmark scenario: a table for people, and with --json one machine-readable
 * line, always the last line of stdout, so a caller can take `tail -n 1` whatever came before.
 */

export interface ReportRow {
  name: string;
  value: number;
  unit: string;
}

export interface BenchReport {
  scenario: string;
  rows: ReportRow[];
  /** The figures this scenario measured, by stable camelCase key. */
  metrics: Record<string, number>;
  /** The raw building block measured in the same run, so results on noisy machines compare as ratios. */
  baseline: Record<string, number>;
  /** Whether the scenario's budget was met. */
  ok: boolean;
  /** Context printed under the table (server version, settings): helps read the figures, not compared. */
  notes?: string[];
}

/** The contract of the --json line. */
export interface BenchJson {
  scenario: string;
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  ok: boolean;
}

/**
 * Thousands separators, and fewer decimals as numbers grow: a rate of 12,345.678 rows/s is noise
 * past the units, a 1.25 ms duration is not. Written out rather than Intl so output is the same
 * under any locale or ICU build.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  const [whole = '', fraction = ''] = value.toFixed(decimals).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const significantFraction = fraction.replace(/0+$/, '');
  return significantFraction ? `${grouped}.${significantFraction}` : grouped;
}

export function formatTable(report: BenchReport): string[] {
  const names = report.rows.map((row) => row.name);
  const values = report.rows.map((row) => formatNumber(row.value));
  const nameWidth = Math.max(0, ...names.map((name) => name.length));
  const valueWidth = Math.max(0, ...values.map((value) => value.length));
  const lines = [report.scenario];
  report.rows.forEach((row, index) => {
    lines.push(`  ${names[index]!.padEnd(nameWidth)}  ${values[index]!.padStart(valueWidth)}  ${row.unit}`.trimEnd());
  });
  lines.push(`  result: ${report.ok ? 'ok' : 'budget NOT met'}`);
  for (const note of report.notes ?? []) lines.push(`  ${note}`);
  return lines;
}

export function jsonLine(report: BenchReport): string {
  const json: BenchJson = { scenario: report.scenario, metrics: report.metrics, baseline: report.baseline, ok: report.ok };
  return JSON.stringify(json);
}

/** Every line the scenario prints, the JSON line last when asked for. */
export function renderReport(report: BenchReport, options: { json: boolean }): string[] {
  const lines = formatTable(report);
  if (options.json) lines.push(jsonLine(report));
  return lines;
}

export function printReport(report: BenchReport, options: { json: boolean }): void {
  process.stdout.write(`${renderReport(report, options).join('\n')}\n`);
}
