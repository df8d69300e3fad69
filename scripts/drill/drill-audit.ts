/**
 * What a drill checks once the load is over, against PostgreSQL itself: every report and mark a
 * phone had acknowledged is stored exactly once, nothing is stored that no phone sent, and every
 * voter an acknowledged mark named is known to have voted.
 */
import type pg from 'pg';
import type { PhonesResult } from './drill-phones.ts';

export interface StoredAudit {
  /** Distinct ids the phones made (reports and marks). */
  sent: number;
  acknowledged: number;
  /** Rows found for the scenario's stations. */
  stored: number;
  /** Rows beyond one per id a phone made: stored twice, or stored though no phone sent it. */
  duplicates: number;
  extra: number;
  /** Acknowledged, not stored exactly once. */
  lost: number;
  /** Made, never acknowledged by the end (still in a phone's outbox). */
  unacknowledged: number;
  /** Voters named by an acknowledged mark and not known to have voted. */
  markedNotVoted: number;
}

export async function auditStored(pool: pg.Pool, electionId: number, stationCodes: string[], phones: PhonesResult): Promise<StoredAudit> {
  const { rows: reports } = await pool.query<{ id: string }>(
    `SELECT r.id::text FROM turnout_report r JOIN polling_station s ON s.id = r.station_id
     WHERE s.election_id = $1 AND s.code = ANY($2::text[])`,
    [electionId, stationCodes],
  );
  const { rows: marks } = await pool.query<{ id: string }>(
    `SELECT m.id::text FROM vote_mark m JOIN polling_station s ON s.id = m.station_id
     WHERE s.election_id = $1 AND s.code = ANY($2::text[])`,
    [electionId, stationCodes],
  );
  const acknowledgedMarks = new Set(phones.marks.acknowledged);
  const named = phones.marks.sent.filter((mark) => acknowledgedMarks.has(mark.id));
  const { rows: notVoted } = await pool.query<{ count: string }>(
    `SELECT count(*) FROM voter v JOIN polling_station s ON s.id = v.station_id
     JOIN jsonb_to_recordset($2::jsonb) AS m(code text, list_number int) ON m.code = s.code AND m.list_number = v.list_number
     WHERE s.election_id = $1 AND v.voted_at IS NULL`,
    [
      electionId,
      JSON.stringify(named.flatMap((mark) => mark.listNumbers.map((number) => ({ code: mark.stationCode, list_number: number })))),
    ],
  );

  let duplicates = 0;
  let extra = 0;
  let lost = 0;
  for (const [rows, sentIds, acknowledgedIds] of [
    [reports, phones.reports.sent, phones.reports.acknowledged],
    [marks, phones.marks.sent.map((mark) => mark.id), phones.marks.acknowledged],
  ] as const) {
    const stored = new Map<string, number>();
    for (const row of rows) stored.set(row.id, (stored.get(row.id) ?? 0) + 1);
    const sent = new Set(sentIds);
    for (const [id, count] of stored) {
      if (sent.has(id)) duplicates += count - 1;
      else extra += count;
    }
    lost += acknowledgedIds.filter((id) => stored.get(id) !== 1).length;
  }
  const sent = phones.reports.sent.length + phones.marks.sent.length;
  const acknowledged = phones.reports.acknowledged.length + phones.marks.acknowledged.length;
  return {
    sent,
    acknowledged,
    stored: reports.length + marks.length,
    duplicates,
    extra,
    lost,
    unacknowledged: sent - acknowledged,
    markedNotVoted: Number(notVoted[0]!.count),
  };
}

/** Each station's count as PostgreSQL holds it: what every screen must come to show. */
export async function storedCounts(pool: pg.Pool, electionId: number): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ code: string; voted: number | null }>(
    'SELECT code, reported_voters AS voted FROM polling_station WHERE election_id = $1',
    [electionId],
  );
  return Object.fromEntries(rows.map((row) => [row.code, row.voted ?? 0]));
}

/** Stations whose count differs between a screen and the stored truth. */
export function differences(shown: Record<string, number>, truth: Record<string, number>): number {
  let differ = 0;
  for (const [code, voted] of Object.entries(truth)) if ((shown[code] ?? 0) !== voted) differ++;
  return differ;
}
