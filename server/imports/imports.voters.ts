import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyRow, readCsv } from './imports.csv.ts';
import { ImportRejected, ProblemList } from './imports.errors.ts';
import { missingColumns, parseRecord, REQUIRED_VOTER_COLUMNS, VOTER_COLUMNS, VoterRowSchema } from './imports.rows.ts';

export interface VoterImportResult {
  rows: number;
  created: number;
  updated: number;
  /** Columns of the file that Relance does not read (a typo in a header shows up here). */
  ignoredColumns: string[];
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

/**
 * Imports a campaign's voter file (CSV) into an election: new people are added, known ones (same
 * external_id) updated; whether someone has voted today is never touched by an import.
 *
 * All or nothing: rows are validated while they stream into a staging table (COPY), and one
 * INSERT … ON CONFLICT merges them in the same transaction. Any invalid row rolls everything back.
 */
export async function importVoters(pool: pg.Pool, electionId: number, input: Readable): Promise<VoterImportResult> {
  const client = await pool.connect();
  let copy: ReturnType<typeof copyFrom> | undefined;
  try {
    await client.query('BEGIN');
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
    copy = client.query(copyFrom(`COPY voter_import (${STAGING_COLUMNS.join(', ')}) FROM STDIN`));
    const copyDone = finished(copy);
    copyDone.catch(() => undefined); // surfaced below, after the input is read

    const problems = new ProblemList();
    const seenIds = new Set<string>();
    const seenListNumbers = new Set<string>();
    let header: string[] | undefined;
    let rows = 0;
    for await (const { line, fields } of readCsv(input)) {
      if (!header) {
        header = Object.keys(fields);
        const missing = missingColumns(header, REQUIRED_VOTER_COLUMNS);
        if (missing.length > 0)
          throw new ImportRejected('voter', [{ line: 1, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` }]);
      }
      rows++;
      const parsed = parseRecord(VoterRowSchema, line, fields);
      if (!parsed.ok) {
        parsed.problems.forEach((p) => problems.add(p));
        continue;
      }
      const voter = parsed.row;
      const stationId = stationIds.get(voter.station_code);
      if (stationId === undefined) {
        problems.add({ line, field: 'station_code', message: `no station ${voter.station_code} in this election` });
        continue;
      }
      if (seenIds.has(voter.external_id)) {
        problems.add({ line, field: 'external_id', message: `${voter.external_id} appears twice in the file` });
        continue;
      }
      seenIds.add(voter.external_id);
      if (voter.list_number !== null) {
        const key = `${stationId}:${voter.list_number}`;
        if (seenListNumbers.has(key)) {
          problems.add({
            line,
            field: 'list_number',
            message: `list number ${voter.list_number} appears twice for station ${voter.station_code}`,
          });
          continue;
        }
        seenListNumbers.add(key);
      }
      if (problems.count > 0) continue; // nothing will be written: just keep checking the rest
      const written = copy!.write(
        copyRow([
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
        ]),
      );
      if (!written) await once(copy, 'drain');
    }
    copy.end();
    await copyDone;
    if (!header) throw new ImportRejected('voter', [{ line: 1, message: 'the file is empty' }]);
    problems.throwIfAny('voter');

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
    const after = await countVoters(client, electionId);
    await client.query('COMMIT');
    const created = after - before;
    return { rows, created, updated: rows - created, ignoredColumns: (header ?? []).filter((c) => !VOTER_COLUMNS.includes(c)) };
  } catch (error) {
    // A COPY still open must be aborted (CopyFail) before the connection accepts ROLLBACK.
    if (copy && !copy.writableFinished) copy.destroy(new Error('import aborted'));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function countVoters(client: pg.PoolClient, electionId: number): Promise<number> {
  const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM voter WHERE election_id = $1', [electionId]);
  return Number(rows[0]!.count);
}
