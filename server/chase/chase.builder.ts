import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import { Prisma } from '../db/generated/client.ts';
import type { Election, Elections } from '../elections/elections.service.ts';
import { localTimeOf } from '../elections/elections.time.ts';
import { InvalidInput } from '../errors.ts';
import { parseInput } from '../fields.ts';
import type { Logger } from '../logger.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import type { TurnoutStream } from '../turnout/turnout.stream.ts';
import { refreshEntryStatistics } from './chase.claims.ts';
import { BUILD_LOCK } from './chase.live.ts';
import { OUTCOME_CLASSES, priorityTable, type StationForPriority } from './chase.priority.ts';
import { ChaseCriteriaSchema, type ChaseCriteria } from './chase.schemas.ts';

/**
 * One click from a lagging area to the list of its supporters who have not voted yet
 * (docs/chase-lists.md). The selection runs in PostgreSQL, as one statement over the voter file
 * (a million voters: decision 009's second layer), with the priority of each (station, support
 * level, last outcome) computed by chase.priority.ts and joined as a table.
 */

/** Average time a volunteer spends per person: dialling, ringing, talking, recording the outcome. */
export const AVERAGE_CALL_SECONDS = 150;

/** A volunteer who claimed or recorded something this recently counts as online. */
export const ONLINE_WITHIN_MINUTES = 15;

interface AreaOfStation {
  code: string;
  name: string;
  lag: number | null;
}

interface OpenStation extends StationForPriority {
  code: string;
  area: AreaOfStation;
}

/** What a preview or a build selects from, resolved from the criteria and the live turnout. */
interface Selection {
  election: Election;
  criteria: ChaseCriteria;
  /** The election's time (simulated during a simulation): which stations are still open. */
  electionNow: Date;
  /** The areas the list is for: those asked for, or those lagging past the threshold. */
  areas: AreaOfStation[];
  stations: OpenStation[];
}

export interface AreaPreview {
  code: string;
  name: string;
  lag: number | null;
  /** Supporters matching every criterion but the channel's. */
  supporters: number;
  byPhone: number;
  bySms: number;
  /** How many the list would hold. */
  inList: number;
}

export interface ChasePreview {
  channel: 'call' | 'sms';
  areaCodes: string[];
  /** Open stations in those areas. */
  stations: number;
  supporters: number;
  /** Among them, reachable by a call (a phone and consent to calls) or a text (a mobile and consent to texts). */
  reachable: { call: number; sms: number };
  /** How many the list would hold: reachable on its channel, one per phone number, up to `limit`. */
  entries: number;
  byArea: AreaPreview[];
  estimate: {
    volunteersOnline: number;
    averageCallSeconds: number;
    /** Minutes to call everyone on the list (for a text list: everyone reachable by phone) with the volunteers online now. */
    minutes: number;
  };
}

const CHANNEL_COLUMN = { call: Prisma.raw('callable'), sms: Prisma.raw('textable') } as const;

/**
 * The index of a voter's last outcome among OUTCOME_CLASSES, in SQL: 'none' for a voter never
 * contacted, 7 (no row of the priority table) for outcomes that exclude.
 */
const OUTCOME_INDEX = Prisma.raw(
  `CASE ${OUTCOME_CLASSES.map((outcome, index) =>
    outcome === 'none' ? `WHEN v.last_outcome IS NULL THEN ${index}` : `WHEN v.last_outcome = '${outcome}' THEN ${index}`,
  ).join(' ')} ELSE 7 END`,
);

/**
 * Sorting a city's supporters by phone and by priority needs more than PostgreSQL's default 4 MB,
 * or the sorts spill to disk (several times slower); set for the selection's transaction only.
 */
const SELECTION_WORK_MEM = `set_config('work_mem', '64MB', true)`;

/**
 * The priority table's few thousand rows are joined by hash; the planner, which cannot know how few
 * voters share a key, would otherwise sort every selected voter to merge them. For the selection's
 * transaction only.
 */
const SELECTION_HASH_JOIN = `set_config('enable_mergejoin', 'off', true)`;

/**
 * One process per selection: with parallel workers, each built its own hash of the day's last
 * contacts and the leader merged their rows, which on a two-core server already busy with the web
 * process took twice as long as a single process (EXPLAIN ANALYZE, 150,000 voters: 1.7 s against
 * 0.7 s). For the selection's transaction only.
 */
const SELECTION_SERIAL = `set_config('max_parallel_workers_per_gather', '0', true)`;

/**
 * No just-in-time compilation: the selection's estimated cost is over PostgreSQL's threshold, and
 * compiling its expressions took 15–30 ms of a 300 ms preview, for rows it then ran through faster
 * by no more than that. For the selection's transaction only.
 */
const SELECTION_NO_JIT = `set_config('jit', 'off', true)`;

/** The four settings above, for the transaction only (set_config's `true`), in one round trip. */
const SELECTION_SETTINGS = Prisma.raw(`SELECT ${SELECTION_WORK_MEM}, ${SELECTION_HASH_JOIN}, ${SELECTION_SERIAL}, ${SELECTION_NO_JIT}`);

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  elections: Elections;
  liveTurnout: TurnoutStream;
  feed: LiveFeed;
  audit: AuditLog;
  log: Logger;
}

export function createChaseBuilder({ prisma, clock, elections, liveTurnout, feed, audit, log }: Dependencies) {
  async function select(raw: unknown): Promise<Selection> {
    const criteria = parseInput(ChaseCriteriaSchema, raw);
    const election = await elections.requireCurrent();
    const [snapshot, electionClock, ids] = await Promise.all([
      liveTurnout.snapshot(),
      elections.clockOf(election.id),
      prisma.pollingStation.findMany({ where: { electionId: election.id }, select: { id: true, code: true } }),
    ]);
    const idOf = new Map(ids.map((station) => [station.code, station.id]));
    const areaByCode = new Map(snapshot.areas.map((area) => [area.code, area]));

    let chosen: Set<string>;
    if (criteria.areaCodes) {
      const unknown = criteria.areaCodes.filter((code) => !areaByCode.has(code));
      if (unknown.length > 0) {
        throw new InvalidInput(
          `areaCodes: no area ${unknown.join(', ')} in ${election.name}. Use the codes the war room shows.`,
          'areaCodes',
        );
      }
      chosen = new Set(criteria.areaCodes);
    } else {
      // Every area stations belong to (the neighbourhoods) that is behind by the threshold or more.
      chosen = new Set(
        snapshot.stations
          .map((station) => areaByCode.get(station.areaCode))
          .filter((area) => area?.lag !== null && area?.lag !== undefined && area.lag <= -criteria.lagThreshold)
          .map((area) => area!.code),
      );
    }
    /** Whether a station's area, or one of the areas above it, was chosen. */
    const inChosen = (areaCode: string) => {
      for (
        let code: string | null | undefined = areaCode, depth = 0;
        code && depth < 20;
        code = areaByCode.get(code)?.parentCode, depth++
      ) {
        if (chosen.has(code)) return true;
      }
      return false;
    };
    const stations: OpenStation[] = snapshot.stations
      .filter((station) => inChosen(station.areaCode) && new Date(station.closesAt) > electionClock.now && idOf.has(station.code))
      .map((station) => {
        const area = areaByCode.get(station.areaCode);
        const lag = area?.lag ?? station.lag;
        return {
          stationId: idOf.get(station.code)!,
          code: station.code,
          lag,
          closesAt: new Date(station.closesAt),
          area: { code: station.areaCode, name: area?.name ?? station.areaCode, lag: area?.lag ?? null },
        };
      });
    const areas = [...chosen].sort().map((code) => {
      const area = areaByCode.get(code)!;
      return { code, name: area.name, lag: area.lag };
    });
    return { election, criteria, electionNow: electionClock.now, areas, stations };
  }

  /**
   * The selection as SQL: `base` is every voter matching the criteria but the channel's, with their
   * priority; `chosen` those reachable on the list's channel, one per phone number (the highest
   * priority), the first `limit` of them, ranked. Nobody already on a pending or claimed entry of a list.
   */
  function selectionSql(selection: Selection, { ranked }: { ranked: boolean }): Prisma.Sql {
    const { election, criteria, stations } = selection;
    // One integer key per (station, support level, last outcome): a single hash join with a table of
    // a few thousand rows.
    const table = priorityTable(stations, criteria.maxSupport, selection.electionNow);
    const keys = table.map((row) => row.station_id * 64 + row.support_level * 8 + OUTCOME_CLASSES.indexOf(row.outcome));
    const priorities = table.map((row) => row.priority);
    const since = new Date(clock.now().getTime() - criteria.notContactedForMinutes * 60_000);
    const tags = criteria.tags ? Prisma.sql`AND v.tags && ${criteria.tags}::text[]` : Prisma.empty;
    // Voters are read from the partial index voter_chase_idx (those not voted and not do-not-contact,
    // with every column used here, their last contact too), without visiting the table. Phones are
    // compared byte by byte (COLLATE "C"): equality is the same in every collation, and sorting a
    // hundred thousand of them is several times faster.
    return Prisma.sql`
      WITH lookup AS (
        SELECT * FROM unnest(${keys}::bigint[], ${priorities}::float8[]) AS p(key, priority)
      ), base AS (
        SELECT v.id, v.station_id, v.phone, l.priority,
               v.phone IS NOT NULL AND v.call_consent AS callable,
               v.phone IS NOT NULL AND v.sms_consent AND v.phone_kind IS DISTINCT FROM 'landline' AS textable
        FROM voter v
        JOIN lookup l ON l.key = v.station_id::bigint * 64 + v.support_level * 8 + ${OUTCOME_INDEX}
        WHERE v.election_id = ${election.id}
          AND v.station_id = ANY(${stations.map((station) => station.stationId)}::int[])
          AND v.support_level <= ${criteria.maxSupport}
          AND v.voted_at IS NULL AND NOT v.do_not_contact
          AND (v.last_contact_at IS NULL OR v.last_contact_at < ${since})
          ${tags}
          AND v.id NOT IN (SELECT voter_id FROM chase_entry WHERE state IN ('pending', 'claimed'))
      ), one_per_phone AS (
        SELECT DISTINCT ON (b.phone COLLATE "C") b.id, b.station_id, b.priority FROM base b
        WHERE b.${CHANNEL_COLUMN[criteria.channel]}
        ORDER BY b.phone COLLATE "C", b.priority DESC, b.id
      ), chosen AS (
        ${
          ranked || criteria.limit !== undefined
            ? Prisma.sql`
        -- The limit applies before numbering: a bounded top-N sort rather than ranking everyone.
        SELECT id, station_id, priority, row_number() OVER (ORDER BY priority DESC, id) AS rank
        FROM (
          SELECT * FROM one_per_phone
          ORDER BY priority DESC, id
          ${criteria.limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${criteria.limit}`}
        ) top`
            : // A preview without a limit only counts: no order to put them in.
              Prisma.sql`SELECT id, station_id, priority FROM one_per_phone`
        }
      )`;
  }

  async function volunteersOnline(): Promise<number> {
    const now = clock.now();
    const since = new Date(now.getTime() - ONLINE_WITHIN_MINUTES * 60_000);
    const [row] = await prisma.$queryRaw<[{ count: bigint }]>`
      SELECT count(DISTINCT id) AS count FROM (
        SELECT volunteer_id AS id FROM contact_attempt WHERE created_at > ${since} AND volunteer_id IS NOT NULL
        UNION ALL
        SELECT assignee_id FROM chase_entry WHERE state = 'claimed' AND lease_expires_at > ${now} AND assignee_id IS NOT NULL
      ) online`;
    return Number(row.count);
  }

  function defaultName(selection: Selection): string {
    const { criteria, election, areas } = selection;
    const what = criteria.channel === 'call' ? 'Calls' : 'Texts';
    const names = areas.map((area) => area.name).join(', ') || 'no area';
    const name = `${what} ${localTimeOf(selection.electionNow, election.timezone)} — ${names}`;
    return name.length > 100 ? `${name.slice(0, 99)}…` : name;
  }

  return {
    /** Who a list would hold, counted by area and channel, and how long calling them would take. */
    async preview(raw: unknown): Promise<ChasePreview> {
      const selection = await select(raw);
      const { criteria } = selection;
      const [rows, online] = await Promise.all([
        selection.stations.length === 0
          ? []
          : prisma.$transaction(async (tx) => {
              await tx.$queryRaw(SELECTION_SETTINGS);
              return tx.$queryRaw<{ station_id: number; supporters: bigint; callable: bigint; textable: bigint; in_list: bigint }[]>`
                ${selectionSql(selection, { ranked: false })}
                SELECT station_id, count(*) AS supporters, count(*) FILTER (WHERE callable) AS callable,
                       count(*) FILTER (WHERE textable) AS textable, 0::bigint AS in_list
                FROM base GROUP BY station_id
                UNION ALL
                SELECT station_id, 0, 0, 0, count(*) FROM chosen GROUP BY station_id`;
            }),
        volunteersOnline(),
      ]);
      const areaOf = new Map(selection.stations.map((station) => [station.stationId, station.area]));
      const byArea = new Map<string, AreaPreview>(
        selection.stations.map((station) => [station.area.code, { ...station.area, supporters: 0, byPhone: 0, bySms: 0, inList: 0 }]),
      );
      for (const row of rows) {
        const area = byArea.get(areaOf.get(row.station_id)!.code)!;
        area.supporters += Number(row.supporters);
        area.byPhone += Number(row.callable);
        area.bySms += Number(row.textable);
        area.inList += Number(row.in_list);
      }
      const areas = [...byArea.values()].sort((a, b) => a.code.localeCompare(b.code));
      const sum = (pick: (area: AreaPreview) => number) => areas.reduce((total, area) => total + pick(area), 0);
      const entries = sum((area) => area.inList);
      const byPhone = sum((area) => area.byPhone);
      const volunteers = Math.max(1, online);
      const toCall = criteria.channel === 'call' ? entries : byPhone;
      return {
        channel: criteria.channel,
        areaCodes: selection.areas.map((area) => area.code),
        stations: selection.stations.length,
        supporters: sum((area) => area.supporters),
        reachable: { call: byPhone, sms: sum((area) => area.bySms) },
        entries,
        byArea: areas,
        estimate: {
          volunteersOnline: volunteers,
          averageCallSeconds: AVERAGE_CALL_SECONDS,
          minutes: Math.ceil((toCall * AVERAGE_CALL_SECONDS) / 60 / volunteers),
        },
      };
    },

    /**
     * Builds and saves the list: the list row, its entries (one INSERT … SELECT) and the audit entry,
     * in one transaction. Two builds of one election run one after the other, so nobody lands on two
     * lists. Refused when nobody matches.
     */
    async build(raw: unknown, actor: Principal | null): Promise<{ id: number; name: string; entries: number }> {
      const selection = await select(raw);
      const { criteria, election } = selection;
      if (selection.stations.length === 0) {
        throw new InvalidInput(
          criteria.areaCodes
            ? 'areaCodes: every polling station of these areas has closed. Choose areas whose stations are still open.'
            : `No area is ${Math.round(criteria.lagThreshold * 100)} % or more behind its expected turnout with a station still open. Choose areas, or lower lagThreshold.`,
          criteria.areaCodes ? 'areaCodes' : 'lagThreshold',
        );
      }
      const name = criteria.name ?? defaultName(selection);
      const list = await prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(${BUILD_LOCK}::int, ${election.id}::int)`;
          await tx.$queryRaw(SELECTION_SETTINGS);
          const created = await tx.chaseList.create({
            data: {
              electionId: election.id,
              name,
              channel: criteria.channel,
              criteria: { ...criteria, areaCodes: selection.areas.map((area) => area.code), builtAt: selection.electionNow.toISOString() },
              createdById: actor?.kind === 'user' ? actor.id : null,
            },
          });
          const entries = await tx.$executeRaw`
            ${selectionSql(selection, { ranked: true })}
            INSERT INTO chase_entry (list_id, voter_id, priority, rank)
            SELECT ${created.id}, id, priority, rank FROM chosen`;
          if (entries === 0) {
            throw new InvalidInput(
              'Nobody matches these criteria now: every supporter there has voted, is on another list, was contacted recently or cannot be reached on this channel. Preview to see the counts.',
            );
          }
          await tx.chaseList.update({ where: { id: created.id }, data: { entryCount: entries } });
          await audit.record(tx, {
            actor,
            action: 'chase.build',
            subjectType: 'chase_list',
            subjectId: created.id,
            details: { channel: criteria.channel, areas: selection.areas.length, entries },
          });
          return { id: created.id, name, entries };
        },
        { timeout: 60_000, maxWait: 10_000 },
      );
      refreshEntryStatistics(prisma, log);
      feed.publish({ type: 'chase:changed', electionId: election.id, listIds: [list.id] });
      return list;
    },
  };
}

export type ChaseBuilder = ReturnType<typeof createChaseBuilder>;
