import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';

export interface CsvRecord {
  line: number;
  fields: Record<string, string>;
}

/** Header names as people write them ("Station code", "station_code", "STATION-CODE") → station_code. */
export function normalizeHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * Streams the records of a CSV file (comma or semicolon separated, as French spreadsheets save
 * it; UTF-8, with or without BOM), each with its line number for error messages.
 */
export async function* readCsv(input: Readable): AsyncGenerator<CsvRecord> {
  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => header.map(normalizeHeader),
      delimiter: [',', ';'],
      trim: true,
      skip_empty_lines: true,
      relax_column_count: false,
      info: true,
    }),
  );
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { line: info.lines, fields: record };
  }
}

/** One field for a CSV line (RFC 4180 quoting). */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row for PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes. */
export function copyRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return (
    values
      .map((value) =>
        value === null || value === undefined
          ? '\\N'
          : String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!),
      )
      .join('\t') + '\n'
  );
}
