import type { CountryCode } from 'libphonenumber-js/max';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { applySuppressions, type SuppressionResult } from '../people/people.suppression.ts';
import { copyRow, normalizeHeader, openCsv, WRONG_FIELD_COUNT, type CsvFormat } from './imports.csv.ts';
import { ImportRejected, ProblemList, type ImportSummary } from './imports.errors.ts';
import { StationLocator } from './imports.geo.ts';
import { detectPreset, mapColumns, type PresetName } from './imports.presets.ts';
import { parseRecord } from './imports.rows.ts';
import { REQUIRED_VOTER_COLUMNS, VOTER_COLUMNS, voterColumns, type VoterFieldName } from './imports.voter-columns.ts';

export interface VoterImportOptions {
  /** The tool the file comes from; detected from its header when not given. */
  preset?: PresetName;
  /** File column (as in the header) → Relance field, over the preset's. */
  map?: Partial<Record<string, VoterFieldName>>;
  /** Region of numbers written without a country code (FR). */
  region?: CountryCode;
  /** `reject-file` (the default): any bad row and nothing is imported; `skip-rows`: the valid rows are. */
  onErrors?: 'reject-file' | 'skip-rows';
  /** Where to write the rejected rows (line, column, value, reason), when there are some. */
  errorReport?: string;
  /** Read, check and merge everything, then roll back: what the import would do. */
  dryRun?: boolean;
  onProgress?: (progress: { rows: number; bytes: number }) => void;
}

export interface VoterImportResult extends ImportSummary {
  created: number;
  updated: number;
  format: CsvFormat;
  preset: PresetName;
  /** Relance field → the file's column it was read from. */
  mapping: Partial<Record<VoterFieldName, string>>;
  /** Columns of the file that Relance does not read (a typo in a header shows up here). */
  ignoredColumns: string[];
  /** People on the suppression list: erased ones left out, objecting ones marked do-not-contact. */
  suppressed: SuppressionResult;
  /** The first rows, as Relance reads them: what the column-mapping step shows. */
  preview: Record<string, string>[];
  dryRun: boolean;
}

const PREVIEW_ROWS = 5;
const PROGRESS_EVERY = 10_000;
const COPY_BATCH_CHARS = 64 * 1024;

class DryRunFinished extends Error {
  constructor(readonly result: VoterImportResult) {
    super('dry run');
  }
}

/**
 * Reads the file and streams its valid rows into a temporary staging table (COPY). Every problem is
 * collected, into the error report too; in `reject-file` mode nothing more is staged after the
 * first one, but the rest is still checked so that the report is complete.
 */
async function stage(client: pg.PoolClient, electionId: number, input: Readable, options: VoterImportOptions) {
  const columns = voterColumns(options.region);
  const csv = await openCsv(input, 'voter');
  const preset = options.preset ?? detectPreset(csv.header);
  const overrides = Object.fromEntries(Object.entries(options.map ?? {}).map(([column, f]) => [normalizeHeader(column), f]));
  for (const column of Object.keys(overrides)) {
    if (!csv.header.includes(column))
      throw new ImportRejected('voter', [{ line: 1, field: column, message: `no column ${column} in the file to map` }]);
  }
  const mapping = mapColumns(csv.header, preset, VOTER_COLUMNS, overrides);
  const missing = REQUIRED_VOTER_COLUMNS.filter((name) => !mapping.fields[name] && !mapping.derived.includes(name));
  if (missing.length > 0) {
    const named = missing.map((name) => (preset === 'relance' ? name : `${name} (${PRESET_COLUMN_HINT[preset]})`));
    throw new ImportRejected('voter', [{ line: 1, message: `missing column${missing.length > 1 ? 's' : ''} ${named.join(', ')}` }]);
  }
  const hasLocation = mapping.fields.latitude !== undefined && mapping.fields.longitude !== undefined;
  if (!mapping.fields.station_code && !hasLocation) {
    throw new ImportRejected('voter', [
      { line: 1, message: 'missing column station_code (or latitude and longitude to find the station)' },
    ]);
  }

  const { rows: stations } = await client.query<{ id: number; code: string; geometry: unknown }>(
    `SELECT id, code, ${hasLocation ? 'geometry' : 'NULL AS geometry'} FROM polling_station WHERE election_id = $1`,
    [electionId],
  );
  const stationIds = new Map(stations.map((s) => [s.code, s.id]));
  const locator = hasLocation ? new StationLocator(stations) : undefined;

  await client.query(`CREATE TEMP TABLE voter_import (${columns.stored.map((c) => `${c.column} ${c.sqlType}`).join(', ')}) ON COMMIT DROP`);
  const copy = client.query(copyFrom(`COPY voter_import (${columns.stored.map((c) => c.column).join(', ')}) FROM STDIN`));
  const copied = finished(copy);
  copied.catch(() => undefined); // awaited below, once the input is read
  const skipRows = options.onErrors === 'skip-rows';
  const problems = new ProblemList(options.errorReport);
  const seenIds = new Set<string>();
  const seenListNumbers = new Set<string>();
  const preview: Record<string, string>[] = [];
  let rows = 0;
  let staged = 0;
  let pending = '';
  try {
    for await (const { line, fields } of csv.records) {
      const sourceColumn = (name: string) => mapping.sourceOf(name as VoterFieldName, fields);
      rows++;
      if (rows % PROGRESS_EVERY === 0) options.onProgress?.({ rows, bytes: csv.bytesRead() });
      if (fields[WRONG_FIELD_COUNT] !== undefined) {
        problems.add({ line, message: `has ${fields[WRONG_FIELD_COUNT]} fields where the header has ${csv.header.length}` });
        continue;
      }
      const mapped = mapping.apply(fields);
      if (preview.length < PREVIEW_ROWS) preview.push(mapped);
      const parsed = parseRecord(columns.schema, line, mapped);
      if (!parsed.ok) {
        for (const p of parsed.problems)
          problems.add({ ...p, field: p.field && sourceColumn(p.field), value: p.field ? mapped[p.field] : undefined });
        continue;
      }
      const voter = parsed.row;
      let stationId: number | undefined;
      if (voter.station_code !== null) {
        stationId = stationIds.get(voter.station_code);
        if (stationId === undefined) {
          problems.add({
            line,
            field: sourceColumn('station_code'),
            value: voter.station_code,
            message: `no station ${voter.station_code} in this election`,
          });
          continue;
        }
      } else if (locator && voter.latitude !== null && voter.longitude !== null) {
        stationId = locator.find(voter.longitude, voter.latitude);
        if (stationId === undefined) {
          problems.add({
            line,
            field: sourceColumn('latitude'),
            value: `${voter.latitude} ${voter.longitude}`,
            message: 'is in no polling station’s area',
          });
          continue;
        }
      } else {
        problems.add({
          line,
          field: sourceColumn('station_code'),
          value: '',
          message: 'is required (or a latitude and longitude inside a station’s area)',
        });
        continue;
      }
      const listKey = `${stationId}:${voter.list_number}`;
      if (seenIds.has(voter.external_id)) {
        problems.add({
          line,
          field: sourceColumn('external_id'),
          value: voter.external_id,
          message: `${voter.external_id} appears twice in the file`,
        });
      } else if (voter.list_number !== null && seenListNumbers.has(listKey)) {
        problems.add({
          line,
          field: sourceColumn('list_number'),
          value: String(voter.list_number),
          message: `list number ${voter.list_number} appears twice for station ${voter.station_code ?? stationId}`,
        });
      } else {
        seenIds.add(voter.external_id);
        if (voter.list_number !== null) seenListNumbers.add(listKey);
        if (skipRows || problems.count === 0) {
          staged++;
          // Rows go to COPY in batches: one write per row costs a message and a callback each.
          pending += copyRow(columns.copyValues(voter, { stationId }));
          if (pending.length >= COPY_BATCH_CHARS) {
            const more = copy.write(pending);
            pending = '';
            if (!more) await once(copy, 'drain');
          }
        }
      }
    }
    if (pending !== '') copy.write(pending);
    copy.end();
    await copied;
  } catch (error) {
    // An open COPY must be aborted (CopyFail) before the connection accepts the ROLLBACK.
    copy.destroy(error as Error);
    problems.close();
    throw error;
  }
  options.onProgress?.({ rows, bytes: csv.bytesRead() });
  const errorReport = problems.close();
  const summary = { read: rows, imported: skipRows ? staged : problems.count > 0 ? 0 : staged, rejected: problems.rejected, errorReport };
  if (!skipRows && problems.count > 0) {
    const rejected = new ImportRejected('voter', problems.kept, problems.count);
    rejected.summary = summary;
    throw rejected;
  }
  return { summary, format: csv.format, preset, mapping: mapping.fields, ignoredColumns: mapping.ignored, preview, columns };
}

const PRESET_COLUMN_HINT: Record<Exclude<PresetName, 'relance'>, string> = {
  nationbuilder: 'NationBuilder: nationbuilder_id, last_name',
  ngpvan: 'NGP VAN: VANID, LastName',
};

async function countVoters(client: pg.PoolClient, electionId: number): Promise<number> {
  const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM voter WHERE election_id = $1', [electionId]);
  return Number(rows[0]!.count);
}

/**
 * Merges the staging table into the voter file: new people added, known ones (same external id)
 * updated, column by column as imports.voter-columns.ts declares them. Whether someone has voted
 * today is not among them: an import never changes it.
 */
async function merge(client: pg.PoolClient, electionId: number, stored: readonly { column: string }[]): Promise<number> {
  const names = stored.map((c) => c.column);
  const updates = names.filter((name) => name !== 'external_id').map((name) => `${name} = EXCLUDED.${name}`);
  const before = await countVoters(client, electionId);
  try {
    await client.query(
      `INSERT INTO voter (election_id, ${names.join(', ')})
       SELECT $1, ${names.join(', ')} FROM voter_import
       ON CONFLICT (election_id, external_id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()`,
      [electionId],
    );
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string; detail?: string };
    if (pgError.code === '23505' && pgError.constraint === 'voter_station_id_list_number_key') {
      throw new ImportRejected('voter', [
        {
          line: 0,
          field: 'list_number',
          message: `a list number in the file is already used by another person at the same station (${pgError.detail ?? ''})`,
        },
      ]);
    }
    throw error;
  }
  return (await countVoters(client, electionId)) - before;
}

/**
 * Imports a campaign's voter file (CSV) into an election: new people are added, known ones (same
 * external id) updated; whether someone has voted today is never touched by an import.
 *
 * All or nothing: rows are validated while they stream into a staging table, and one
 * INSERT … ON CONFLICT merges them, in the caller's transaction (`client` is in one). With
 * `skip-rows`, the valid rows are merged and the others are listed in the error report.
 */
export async function importVoters(
  client: pg.PoolClient,
  electionId: number,
  input: Readable,
  options: VoterImportOptions = {},
): Promise<VoterImportResult> {
  const staged = await stage(client, electionId, input, options);
  // People erased at their request never come back with an old file; those who objected stay uncontacted.
  const suppressed = await applySuppressions(client);
  const created = await merge(client, electionId, staged.columns.stored);
  const { summary, format, preset, mapping, ignoredColumns, preview } = staged;
  const imported = summary.imported - suppressed.erased;
  const result: VoterImportResult = {
    ...summary,
    imported,
    created,
    updated: imported - created,
    suppressed,
    format,
    preset,
    mapping,
    ignoredColumns,
    preview,
    dryRun: options.dryRun ?? false,
  };
  if (options.dryRun) throw new DryRunFinished(result);
  return result;
}

/** The result of a dry run, which importVoters throws so that the transaction rolls back. */
export function dryRunResult(error: unknown): VoterImportResult | undefined {
  return error instanceof DryRunFinished ? error.result : undefined;
}
