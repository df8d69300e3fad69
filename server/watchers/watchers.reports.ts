import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import { electionTime, type SimulationWindow } from '../elections/elections.clock.ts';
import { Conflict, DomainError, InvalidInput, statusOf } from '../errors.ts';
import { parseInput } from '../fields.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { judgeReport, type FlagReason } from './watchers.rules.ts';
import { TurnoutReportSchema, type TurnoutReportInput } from './watchers.schemas.ts';
import { requireReportableStation, senderOf, type StationDirectory, type StationEntry } from './watchers.stations.ts';

export type ReportSource = 'web' | 'sms' | 'api';

/** A stored report, as the API answers it (the same answer every time its id is sent again). */
export interface ReportView {
  id: string;
  stationCode: string;
  voters: number;
  observedAt: string;
  receivedAt: string;
  status: 'accepted' | 'flagged' | 'superseded';
  flagReason: FlagReason | null;
  /** The phone's time, when it was in the future and the received time replaced it. */
  claimedObservedAt: string | null;
  note: string | null;
  rehearsal: boolean;
}

export type ReportOutcome =
  { status: 201 | 200; report: ReportView } | { status: number; error: { code: string; message: string; field: string | null } };

export class DuplicateReportConflict extends Conflict {
  override name = 'DuplicateReportConflict';
  override readonly code = 'duplicate_report_conflict';
}

interface PendingReport {
  input: TurnoutReportInput;
  station: StationEntry;
  principal: Principal;
  source: ReportSource;
}

interface StoredRow {
  id: string;
  station_id: number;
  voters: number;
  observed_at: Date;
  received_at: Date;
  status: ReportView['status'];
  flag_reason: FlagReason | null;
  claimed_observed_at: Date | null;
  note: string | null;
  rehearsal: boolean;
}

function viewOf(row: StoredRow, stationCode: string): ReportView {
  return {
    id: row.id,
    stationCode,
    voters: row.voters,
    observedAt: row.observed_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    status: row.status,
    flagReason: row.flag_reason,
    claimedObservedAt: row.claimed_observed_at?.toISOString() ?? null,
    note: row.note,
    rehearsal: row.rehearsal,
  };
}

/** Whether a report sent again is the same report: same station, count, time and note. */
function samePayload(row: StoredRow, pending: PendingReport): boolean {
  const sentAt = new Date(pending.input.observedAt).getTime();
  return (
    row.station_id === pending.station.id &&
    row.voters === pending.input.voters &&
    (row.claimed_observed_at ?? row.observed_at).getTime() === sentAt &&
    (row.note ?? null) === (pending.input.note ?? null)
  );
}

function failure(error: DomainError): ReportOutcome {
  return { status: statusOf(error), error: { code: error.code, message: error.message, field: error.field ?? null } };
}

const BATCH_TRANSACTION = { timeout: 30_000, maxWait: 10_000 };

/** The simulation window as JSON gives it back (timestamps as strings). */
function simulationWindow(json: SimulationWindow): SimulationWindow {
  return { startedAt: new Date(json.startedAt), startsFrom: new Date(json.startsFrom), endsAt: new Date(json.endsAt), speed: json.speed };
}

/** Tells the group commit to run a batch again: another node stored one of its ids meanwhile. */
class ConcurrentInsert extends Error {}

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Pick<Config, 'maxTurnoutRatio'>;
  stations: StationDirectory;
  feed: LiveFeed;
}

/**
 * Turnout reports from phones, the SMS gateway and scripts (POST /api/v1/reports and /batch).
 * Each is judged (watchers.rules.ts), stored once by its id, and acknowledged only once committed.
 * Reports arriving together are committed together (group commit), each station's row locked for
 * the length of that transaction, so that the count standing at a station is decided in one place
 * even with several web nodes.
 */
export function createReports({ prisma, clock, config, stations, feed }: Dependencies) {
  async function commit(batch: PendingReport[]): Promise<ReportOutcome[]> {
    const electionId = batch[0]!.station.electionId;
    const receivedAt = clock.now();
    const stationIds = [...new Set(batch.map((pending) => pending.station.id))].sort((a, b) => a - b);
    const ids = batch.map((pending) => pending.input.id);

    const { outcomes, standing } = await prisma.$transaction(async (tx) => {
      // Whether the election is in rehearsal, and its clock, as of this transaction.
      const [election] = await tx.$queryRaw<[{ rehearsal: boolean; simulation: SimulationWindow | null }]>`
        SELECT e.rehearsal, CASE WHEN s.election_id IS NULL THEN NULL ELSE json_build_object(
          'startedAt', s.started_at, 'startsFrom', s.starts_from, 'endsAt', s.ends_at, 'speed', s.speed) END AS simulation
        FROM election e LEFT JOIN election_simulation s ON s.election_id = e.id WHERE e.id = ${electionId}`;
      const electionNow = electionTime(receivedAt, election.simulation && simulationWindow(election.simulation));
      const locked = await tx.$queryRaw<{ id: number; reported_voters: number | null; reported_at: Date | null }[]>`
        SELECT id, reported_voters, reported_at FROM polling_station WHERE id = ANY(${stationIds}::int[]) ORDER BY id FOR UPDATE`;
      const stored = await tx.$queryRaw<StoredRow[]>`
        SELECT id::text, station_id, voters, observed_at, received_at, status, flag_reason, claimed_observed_at, note, rehearsal
        FROM turnout_report WHERE id = ANY(${ids}::uuid[])`;
      const byId = new Map(stored.map((row) => [row.id, row]));
      const standing = new Map(
        locked.map((row) => [row.id, row.reported_at ? { voters: row.reported_voters!, observedAt: row.reported_at } : null]),
      );
      const changed = new Set<number>();
      const rows: StoredRow[] = [];
      const insertedBy: { reporter_id: number | null; api_token_id: number | null; source: ReportSource }[] = [];

      const outcomes = batch.map((pending): ReportOutcome => {
        const { input, station } = pending;
        const earlier = byId.get(input.id);
        if (earlier) {
          return samePayload(earlier, pending)
            ? { status: 200, report: viewOf(earlier, station.code) }
            : failure(
                new DuplicateReportConflict(
                  `Report ${input.id} was already received with other figures. Send a new report with a new id.`,
                  'id',
                ),
              );
        }
        const verdict = judgeReport(
          { voters: input.voters, observedAt: new Date(input.observedAt) },
          {
            registered: station.registered,
            opensAt: station.opensAt,
            closesAt: station.closesAt,
            standing: standing.get(station.id) ?? null,
          },
          { now: electionNow, maxTurnoutRatio: config.maxTurnoutRatio, rehearsal: election.rehearsal },
        );
        if (verdict.kind === 'refused') return failure(new InvalidInput(verdict.message, 'voters'));
        const row: StoredRow = {
          id: input.id,
          station_id: station.id,
          voters: input.voters,
          observed_at: verdict.observedAt,
          received_at: receivedAt,
          status: verdict.status,
          flag_reason: verdict.flagReason,
          claimed_observed_at: verdict.claimedObservedAt,
          note: input.note ?? null,
          rehearsal: election.rehearsal,
        };
        byId.set(row.id, row);
        rows.push(row);
        const { reporterId, apiTokenId } = senderOf(pending.principal);
        insertedBy.push({ reporter_id: reporterId, api_token_id: apiTokenId, source: pending.source });
        if (verdict.stands) {
          standing.set(station.id, { voters: input.voters, observedAt: verdict.observedAt });
          changed.add(station.id);
        }
        return { status: 201, report: viewOf(row, station.code) };
      });

      if (rows.length > 0) {
        const records = JSON.stringify(rows.map((row, index) => ({ ...row, ...insertedBy[index] })));
        const inserted = await tx.$queryRaw<{ id: string }[]>`
          INSERT INTO turnout_report
            (id, station_id, voters, observed_at, received_at, status, flag_reason, claimed_observed_at, note, rehearsal, reporter_id, api_token_id, source)
          SELECT id, station_id, voters, observed_at, received_at, status, flag_reason, claimed_observed_at, note, rehearsal, reporter_id, api_token_id, source
          FROM jsonb_to_recordset(${records}::jsonb) AS r(
            id uuid, station_id int, voters int, observed_at timestamptz, received_at timestamptz, status report_status,
            flag_reason text, claimed_observed_at timestamptz, note text, rehearsal boolean, reporter_id int, api_token_id int,
            source report_source)
          ON CONFLICT (id) DO NOTHING
          RETURNING id`;
        if (inserted.length !== rows.length) throw new ConcurrentInsert();
      }
      if (changed.size > 0) {
        const counts = JSON.stringify(
          [...changed].map((id) => ({ id, voters: standing.get(id)!.voters, observed_at: standing.get(id)!.observedAt })),
        );
        await tx.$executeRaw`
          UPDATE polling_station s SET reported_voters = c.voters, reported_at = c.observed_at
          FROM jsonb_to_recordset(${counts}::jsonb) AS c(id int, voters int, observed_at timestamptz)
          WHERE s.id = c.id`;
      }
      return { outcomes, standing: [...changed].map((id) => ({ id, ...standing.get(id)! })) };
      // A batch of hundreds on a loaded machine may take longer than Prisma's default 5 s; it is
      // better late than answered 500 as a whole.
    }, BATCH_TRANSACTION);

    const codes = new Map(batch.map((pending) => [pending.station.id, pending.station.code]));
    for (const station of standing) {
      feed.publish({
        type: 'station:turnout',
        electionId,
        stationCode: codes.get(station.id)!,
        voters: station.voters,
        observedAt: station.observedAt.toISOString(),
      });
    }
    return outcomes;
  }

  /** Commits a batch, one transaction per election (a batch spans two only while the current one changes). */
  async function commitAll(batch: PendingReport[]): Promise<ReportOutcome[]> {
    const outcomes: ReportOutcome[] = new Array(batch.length);
    for (const electionId of new Set(batch.map((pending) => pending.station.electionId))) {
      const positions = batch.flatMap((pending, index) => (pending.station.electionId === electionId ? [index] : []));
      const part = positions.map((index) => batch[index]!);
      let results: ReportOutcome[];
      try {
        results = await commit(part);
      } catch (error) {
        if (!(error instanceof ConcurrentInsert)) throw error;
        // Once more: the ids another node stored meanwhile are now found and compared.
        results = await commit(part);
      }
      positions.forEach((position, index) => (outcomes[position] = results[index]!));
    }
    return outcomes;
  }

  const groupCommit = createGroupCommit(commitAll, { maxBatch: 500 });

  /** Checks one report before it waits for a commit: its fields, its station, the caller's scope. */
  async function prepare(principal: Principal, raw: unknown, source: ReportSource): Promise<PendingReport | DomainError> {
    try {
      const input = parseInput(TurnoutReportSchema, raw);
      const station = await requireReportableStation(stations, principal, input.stationCode);
      return { input, station, principal, source };
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  }

  return {
    /** One report per entry of `raws`, in order: each stored, refused or found again by its id. */
    async submit(principal: Principal, raws: readonly unknown[], source: ReportSource): Promise<ReportOutcome[]> {
      const prepared = await Promise.all(raws.map((raw) => prepare(principal, raw, source)));
      const pending = prepared.filter((entry): entry is PendingReport => !(entry instanceof DomainError));
      const committed = pending.length > 0 ? await groupCommit.submit(pending) : [];
      let next = 0;
      return prepared.map((entry) => (entry instanceof DomainError ? failure(entry) : committed[next++]!));
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
