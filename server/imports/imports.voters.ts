import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { applySuppressions, type SuppressionResult } from '../people/people.suppression.ts';
import { copyRow, readCsv } from './imports.csv.ts';
import { ImportRejected, ProblemList, requireColumns } from './imports.errors.ts';
import { parseRecord, REQUIRED_VOTER_COLUMNS, VOTER_COLUMNS, VoterRowSchema, type VoterRow } from './imports.rows.ts';

export interface VoterImportResult {
  rows: number;
  created: number;
  updated: number;
  /** Columns of the file that Relance does not read (a typo in a header shows up here). */
  ignoredColumns: string[];
  /** People on the suppression list: erased ones left out, objecting ones marked do-not-contact. */
  suppressed: SuppressionResult;
}

const STAGING_COLUMNS = [
  'external_id',
  'first_name',
  'last_name',
  'phone',
  'email',
  'address',
  'station_id',
  'list_number',
  'support_level',
  'sms_consent',
  'call_consent',
  'do_not_contact',
  'latitude',
  'longitude',
] as const;

function stagingRow(voter: VoterRow, stationId: number): string {
  return copyRow([
    voter.external_id,
    voter.first_name,
    voter.last_name,
    voter.phone,
    voter.email,
    voter.address,
    stationId,
    voter.list_number,
    voter.support_level,
    voter.sms_consent,
    voter.call_consent,
    voter.do_not_contact,
    voter.latitude,
    voter.longitude,
  ]);
}

/**
 * Validates the file while streaming its valid rows into a temporary staging table (COPY). Every
 * problem is collected; once there is one, nothing more is staged, but the rest is still checked.
 */
async function stage(client: pg.PoolClient, electionId: number, input: Readable) {
  const { rows: stations } = await client.query<{ id: number; code: string }>(
    'SELECT id, code FROM polling_station WHERE election_id = $1',
    [electionId],
  );
  const stationIds = new Map(stations.map((s) => [s.code, s.id]));
  await client.query(`CREATE TEMP TABLE voter_import (
    external_id text, first_name text, last_name text, phone text, email text, address text,
    station_id integer, list_number integer, support_level smallint,
    sms_consent boolean, call_consent boolean, do_not_contact boolean,
    latitude double precision, longitude double precision
  ) ON COMMIT DROP`);

  const copy = client.query(copyFrom(`COPY voter_import (${STAGING_COLUMNS.join(', ')}) FROM STDIN`));
  const copied = finished(copy);
  copied.catch(() => undefined); // awaited below, once the input is read
  const problems = new ProblemList();
  const seenIds = new Set<string>();
  const seenListNumbers = new Set<string>();
  let header: string[] | undefined;
  let rows = 0;
  try {
    for await (const { line, fields } of readCsv(input)) {
      if (!header) requireColumns('voter', (header = Object.keys(fields)), REQUIRED_VOTER_COLUMNS);
      rows++;
      const parsed = parseRecord(VoterRowSchema, line, fields);
      if (!parsed.ok) {
        parsed.problems.forEach((p) => problems.add(p));
        continue;
      }
      const voter = parsed.row;
      const stationId = stationIds.get(voter.station_code);
      const listKey = `${stationId}:${voter.list_number}`;
      if (stationId === undefined) {
        problems.add({ line, field: 'station_code', message: `no station ${voter.station_code} in this election` });
      } else if (seenIds.has(voter.external_id)) {
        problems.add({ line, field: 'external_id', message: `${voter.external_id} appears twice in the file` });
      } else if (voter.list_number !== null && seenListNumbers.has(listKey)) {
        problems.add({
          line,
          field: 'list_number',
          message: `list number ${voter.list_number} appears twice for station ${voter.station_code}`,
        });
      } else {
        seenIds.add(voter.external_id);
        if (voter.list_number !== null) seenListNumbers.add(listKey);
        if (problems.count === 0 && !copy.write(stagingRow(voter, stationId))) await once(copy, 'drain');
      }
    }
    copy.end();
    await copied;
  } catch (error) {
    // An open COPY must be aborted (CopyFail) before the connection accepts the ROLLBACK.
    copy.destroy(error as Error);
    throw error;
  }
  if (!header) throw new ImportRejected('voter', [{ line: 1, message: 'the file is empty' }]);
  problems.throwIfAny('voter');
  return { rows, header };
}

async function countVoters(client: pg.PoolClient, electionId: number): Promise<number> {
  const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM voter WHERE election_id = $1', [electionId]);
  return Number(rows[0]!.count);
}

/** Merges the staging table into the voter file: new people added, known ones updated. */
async function merge(client: pg.PoolClient, electionId: number): Promise<number> {
  const before = await countVoters(client, electionId);
  try {
    await client.query(
      `INSERT INTO voter (election_id, ${STAGING_COLUMNS.join(', ')})
       SELECT $1, ${STAGING_COLUMNS.join(', ')} FROM voter_import
       ON CONFLICT (election_id, external_id) DO UPDATE SET
         first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, phone = EXCLUDED.phone,
         email = EXCLUDED.email, address = EXCLUDED.address, station_id = EXCLUDED.station_id,
         list_number = EXCLUDED.list_number, support_level = EXCLUDED.support_level,
         sms_consent = EXCLUDED.sms_consent, call_consent = EXCLUDED.call_consent,
         do_not_contact = EXCLUDED.do_not_contact, latitude = EXCLUDED.latitude,
         longitude = EXCLUDED.longitude, updated_at = now()`,
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
 * external_id) updated; whether someone has voted today is never touched by an import.
 *
 * All or nothing: rows are validated while they stream into a staging table, and one
 * INSERT … ON CONFLICT merges them, in the caller's transaction (`client` is in one): any invalid
 * row rolls everything back.
 */
export async function importVoters(client: pg.PoolClient, electionId: number, input: Readable): Promise<VoterImportResult> {
  const { rows, header } = await stage(client, electionId, input);
  const suppressed = await applySuppressions(client);
  const created = await merge(client, electionId);
  return {
    rows,
    created,
    updated: rows - suppressed.erased - created,
    ignoredColumns: header.filter((c) => !VOTER_COLUMNS.includes(c)),
    suppressed,
  };
}
