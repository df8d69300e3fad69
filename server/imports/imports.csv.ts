import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { Readable, Transform } from 'node:stream';
import { ImportRejected } from './imports.errors.ts';

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

export type Encoding = 'utf-8' | 'windows-1252';
export type Separator = ',' | ';' | '\t';

/** How a file was read: what a preview shows, so that a wrong guess is seen before anything is written. */
export interface CsvFormat {
  encoding: Encoding;
  bom: boolean;
  separator: Separator;
}

// Enough to hold the header and many rows; a file that is UTF-8 this far and not later is refused
// with a message, never read half in one encoding and half in another.
const SNIFF_BYTES = 64 * 1024;
// A row longer than this is not a row of a campaign file: a cut or binary file, or one whose
// quotes never close. Refused before it fills the memory.
export const MAX_ROW_BYTES = 1024 * 1024;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Whether the bytes are UTF-8 (a multi-byte character cut at the end of the sample is fine). */
function isUtf8(sample: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The encodings a campaign's files come in: UTF-8 (with or without BOM), or Excel on French
 * Windows' Windows-1252. ISO-8859-1 files are read as Windows-1252, which only differs from it in
 * 0x80–0x9F: control characters in ISO-8859-1 that no text file uses, and €, œ, « » quotes… in
 * Windows-1252.
 */
export function detectEncoding(sample: Buffer): { encoding: Encoding; bom: boolean } {
  if (sample.subarray(0, 3).equals(UTF8_BOM)) return { encoding: 'utf-8', bom: true };
  return { encoding: isUtf8(sample) ? 'utf-8' : 'windows-1252', bom: false };
}

/** The separator of the header line: the most frequent of `,` `;` and tab outside quotes. */
export function detectSeparator(headerLine: string): Separator {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char in counts) counts[char as Separator]++;
  }
  const [best] = (Object.entries(counts) as [Separator, number][]).sort((a, b) => b[1] - a[1]);
  return best![1] > 0 ? best![0] : ',';
}

/** UTF-8 decoding that refuses a byte sequence that is not UTF-8, instead of replacing it. */
function strictUtf8() {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const fail = () =>
    new ImportRejected('', [
      { line: 0, message: 'the file starts as UTF-8 but is not UTF-8 further on: save it again as UTF-8 (CSV UTF-8 in Excel)' },
    ]);
  return new Transform({
    readableObjectMode: false,
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, done) {
      try {
        done(null, decoder.decode(chunk, { stream: true }));
      } catch {
        done(fail());
      }
    },
    flush(done) {
      try {
        done(null, decoder.decode());
      } catch {
        done(fail());
      }
    },
  });
}

/** Reads the first bytes of a stream, and gives them back with the stream to read from the start. */
async function sniff(input: Readable): Promise<{ sample: Buffer; whole: Readable; bytesRead: () => number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = input[Symbol.asyncIterator]();
  let done = false;
  while (size < SNIFF_BYTES) {
    const next = (await iterator.next()) as IteratorResult<Buffer | string>;
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    chunks.push(chunk);
    size += chunk.length;
  }
  const sample = Buffer.concat(chunks);
  async function* rest() {
    yield sample;
    if (done) return;
    for (;;) {
      const next = (await iterator.next()) as IteratorResult<Buffer | string>;
      if (next.done) return;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      size += chunk.length;
      yield chunk;
    }
  }
  return { sample, whole: Readable.from(rest(), { objectMode: false }), bytesRead: () => size };
}

export interface OpenedCsv {
  format: CsvFormat;
  /** Normalised header names, in the file's order. */
  header: string[];
  /** The file's header as written. */
  rawHeader: string[];
  records: AsyncGenerator<CsvRecord>;
  /** Bytes read so far, for progress. */
  bytesRead(): number;
}

/**
 * Opens a CSV file: detects its encoding and separator, reads its header, and streams its records
 * (each with its line number). A row with more or fewer fields than the header, an unclosed quote
 * or an overlong row is refused with the line it is on.
 */
export async function openCsv(input: Readable, what = 'CSV'): Promise<OpenedCsv> {
  const { sample, whole, bytesRead } = await sniff(input);
  const { encoding, bom } = detectEncoding(sample);
  const sampleText = encoding === 'utf-8' ? sample.toString('utf8') : iconv.decode(sample, 'win1252');
  const separator = detectSeparator(sampleText.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '');
  const text = whole.pipe(encoding === 'utf-8' ? strictUtf8() : iconv.decodeStream('win1252'));
  const parser = text.pipe(
    parse({
      bom: true,
      delimiter: separator,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_ROW_BYTES,
      info: true,
    }),
  );
  text.on('error', (error) => parser.destroy(error));
  const rows = (parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)[Symbol.asyncIterator]();

  const refuse = (error: unknown): never => {
    if (error instanceof ImportRejected) throw new ImportRejected(what, error.problems, error.problemCount);
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      const message =
        error.code === 'CSV_MAX_RECORD_SIZE'
          ? `a row is longer than ${MAX_ROW_BYTES / 1024 / 1024} MB: the file is cut, is not a CSV file, or has a quote that never closes`
          : error.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote opened on this line never closes: the file is cut, or a field has an unmatched "'
            : error.code === 'CSV_INVALID_CLOSING_QUOTE'
              ? 'a quoted field goes on after its closing quote: a quote inside a field must be doubled ("")'
              : `the file cannot be read as CSV (${error.message})`;
      throw new ImportRejected(what, [{ line, message }]);
    }
    throw error;
  };

  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await rows.next();
  } catch (error) {
    return refuse(error);
  }
  if (first.done) throw new ImportRejected(what, [{ line: 1, message: 'the file is empty' }]);
  const rawHeader = first.value.record;
  const header = rawHeader.map(normalizeHeader);

  async function* records(): AsyncGenerator<CsvRecord> {
    try {
      for (;;) {
        const next = await rows.next();
        if (next.done) return;
        const { record, info } = next.value;
        const fields: Record<string, string> = {};
        if (record.length !== header.length) {
          // Kept as a record, so that the caller reports it like any other bad row.
          fields[WRONG_FIELD_COUNT] = `${record.length}`;
        }
        for (let i = 0; i < header.length; i++) fields[header[i]!] = record[i] ?? '';
        yield { line: info.lines, fields };
      }
    } catch (error) {
      refuse(error);
    }
  }
  return { format: { encoding, bom, separator }, header, rawHeader, records: records(), bytesRead };
}

/** Set on a record whose number of fields differs from the header's (the value is that number). */
export const WRONG_FIELD_COUNT = '\0fields';

/** The records of a CSV file, after its header (see openCsv). */
export async function* readCsv(input: Readable, what?: string): AsyncGenerator<CsvRecord> {
  const csv = await openCsv(input, what);
  yield* csv.records;
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
