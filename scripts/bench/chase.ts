/**
 * chase: the one-click chase list on a city of 1,000,000 voters over 1,000 stations (chase-city.ts), and
 * the volunteers working it. Relance is served in this process as server/web.ts assembles it; the
 * volunteers run in a process of their own (chase-load.ts).
 *
 * In one run it measures, in order:
 *  1. the preview, and the build and save, of a list of about 100,000 entries (the first neighbourhoods
 *     whose lists add up to 100,000), through the builder service, over RUNS runs after a warm-up; each
 *     list is deleted before the next run, so "not already on an active list" leaves every run the same
 *     voters;
 *  2. in the same runs, interleaved, the same selection as one hand-written INSERT … SELECT into a list
 *     (the baseline), and once that it selects exactly the same voters in the same order; and the same
 *     selection counted by one hand-written SELECT, the preview's yardstick;
 *  3. 50 volunteers working one such list over HTTP: claims per second, claim latency; then 50 others
 *     sending the same statements straight to PostgreSQL, one connection each (the ceiling for claims);
 *  4. voters marked as voted through the watchers' marks API (POST /api/v1/marks), one at a time: the time
 *     until the answer, after which none of their entries may be pending or claimed any more (the drop is
 *     in the mark's transaction).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { priorityTable } from '../../server/chase/chase.priority.ts';
import { electionTime } from '../../server/elections/elections.clock.ts';
import type { Relance } from '../../server/relance.ts';
import { signedIn } from '../../tests/fixtures.ts';
import { createCity, reportTurnout, type City } from './chase-city.ts';
import type { VolunteersAnswer, VolunteersCommand, VolunteersResult } from './chase-load.ts';
import { startHelper } from './child.ts';
import { buildReport } from './chase-report.ts';
import { serveRelance } from './ingest-servers.ts';
import type { BenchReport } from './report.ts';
import type { ScenarioOptions } from './scenarios.ts';
import { summarize } from './stats.ts';

export const CHASE_DEFAULT_SECONDS = 20;
/** The pool Relance is opened with: the web process's default (DATABASE_POOL_SIZE). */
export const CHASE_CONNECTIONS = 20;

const RUNS = 7;
const TARGET_ENTRIES = 100_000;
const VOLUNTEERS = 50;
const WARM_UP_SECONDS = 3;
const MARKS = 100;
const RENEW_EVERY = 4;

const LOAD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'chase-load.ts');

/**
 * The same selection as the builder's, written by hand as one query: voters of the stations, priority from
 * the same table ($1–$4), of the election $5, not contacted since $6.
 */
const BASELINE_SELECTION = `
  WITH p(station_id, support_level, outcome, priority) AS (
    SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::float8[])
  ), one_per_phone AS (
    SELECT DISTINCT ON (v.phone) v.id, p.priority
    FROM voter v
    JOIN p ON p.station_id = v.station_id AND p.support_level = v.support_level AND p.outcome = coalesce(v.last_outcome::text, 'none')
    WHERE v.election_id = $5 AND v.station_id = ANY($1::int[])
      AND v.voted_at IS NULL AND NOT v.do_not_contact AND v.phone IS NOT NULL AND v.call_consent
      AND (v.last_contact_at IS NULL OR v.last_contact_at < $6)
      AND NOT EXISTS (SELECT 1 FROM chase_entry e WHERE e.voter_id = v.id AND e.state IN ('pending', 'claimed'))
    ORDER BY v.phone, p.priority DESC, v.id
  )`;

/** The build's yardstick: the selection inserted, ranked, into the list $7. */
const BASELINE_SQL = `${BASELINE_SELECTION}
  INSERT INTO chase_entry (list_id, voter_id, priority, rank)
  SELECT $7, id, priority, row_number() OVER (ORDER BY priority DESC, id) FROM one_per_phone`;

/** The preview's yardstick: the selection counted. */
const BASELINE_COUNT_SQL = `${BASELINE_SELECTION}
  SELECT count(*) FROM one_per_phone`;

const NOT_CONTACTED_FOR_MINUTES = 60;

interface Timed<T> {
  ms: number;
  value: T;
}

async function timed<T>(run: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** The neighbourhoods, in code order, whose lists add up to TARGET_ENTRIES or just over. */
async function chooseAreas(relance: Relance, city: City): Promise<{ areaCodes: string[]; expected: number }> {
  const neighbourhoods = await relance.services.db.prisma.area.findMany({
    where: { electionId: city.electionId, kind: 'neighbourhood' },
    select: { code: true },
    orderBy: { code: 'asc' },
  });
  const all = await relance.services.chase.builder.preview({ channel: 'call', areaCodes: neighbourhoods.map((area) => area.code) });
  const inList = new Map(all.byArea.map((area) => [area.code, area.inList]));
  const areaCodes: string[] = [];
  let expected = 0;
  for (const { code } of neighbourhoods) {
    if (expected >= TARGET_ENTRIES) break;
    areaCodes.push(code);
    expected += inList.get(code) ?? 0;
  }
  return { areaCodes, expected };
}

export async function runChase(relance: Relance, options: ScenarioOptions): Promise<BenchReport> {
  const seconds = options.seconds ?? CHASE_DEFAULT_SECONDS;
  const progress = options.onProgress;
  const { services } = relance;
  const { pool } = relance.db;
  const { builder } = services.chase;

  progress('generating the city: 1,000 stations, 1,000,000 voters');
  const generated = await timed(() => createCity(relance, progress));
  const city = generated.value;

  const server = await serveRelance(services);
  let load: ReturnType<typeof startHelper<VolunteersCommand, VolunteersAnswer>> | null = null;
  try {
    const { token: watcherToken } = await services.accounts.createApiToken(
      { name: 'Bench watcher', role: 'watcher', stationCodes: city.stationCodes },
      null,
    );
    progress('one turnout report per station, so that areas lag');
    await reportTurnout(server.url, city, watcherToken);
    const coordinator = await signedIn(services, 'coordinator', { name: 'Bench coordinator' });

    const { areaCodes, expected } = await chooseAreas(relance, city);
    const criteria = { channel: 'call' as const, areaCodes };
    progress(`${areaCodes.length} neighbourhoods, about ${expected.toLocaleString('en-US')} entries`);

    // The baseline's inputs: the stations and priority table the builder uses (same snapshot, same clock).
    const snapshot = await services.liveTurnout.snapshot();
    const chosen = new Set(areaCodes);
    const areaByCode = new Map(snapshot.areas.map((area) => [area.code, area]));
    const electionNow = (await services.elections.clockOf(city.electionId)).now;
    const stations = snapshot.stations
      .filter((station) => chosen.has(station.areaCode) && new Date(station.closesAt) > electionNow)
      .map((station) => ({
        stationId: city.stationIds.get(station.code)!,
        lag: areaByCode.get(station.areaCode)?.lag ?? station.lag,
        closesAt: new Date(station.closesAt),
      }));
    const table = priorityTable(stations, 2, electionNow);

    const deleteList = async (listId: number) => {
      await pool.query('DELETE FROM chase_list WHERE id = $1', [listId]);
      await pool.query('VACUUM ANALYZE chase_entry');
    };

    /** Runs a hand-written statement of the selection in a transaction, with the builder's memory for sorts: its time and answer. */
    const handWritten = async (sql: string, listId?: number): Promise<Timed<pg.QueryResult>> => {
      const since = new Date(Date.now() - NOT_CONTACTED_FOR_MINUTES * 60_000);
      const values: unknown[] = [
        table.map((row) => row.station_id),
        table.map((row) => row.support_level),
        table.map((row) => row.outcome),
        table.map((row) => row.priority),
        city.electionId,
        since,
      ];
      if (listId !== undefined) values.push(listId);
      const client = await pool.connect();
      try {
        return await timed(async () => {
          await client.query('BEGIN');
          await client.query(`SET LOCAL work_mem = '64MB'`);
          const result = await client.query(sql, values);
          await client.query('COMMIT');
          return result;
        });
      } finally {
        client.release();
      }
    };
    const baseline = async (): Promise<number> => {
      const { rows } = await pool.query<{ id: number }>(
        `INSERT INTO chase_list (election_id, name, channel, criteria) VALUES ($1, 'Baseline', 'call', '{}') RETURNING id`,
        [city.electionId],
      );
      lastBaselineList = rows[0]!.id;
      const inserted = await handWritten(BASELINE_SQL, lastBaselineList);
      baselineEntries = inserted.value.rowCount ?? 0;
      return inserted.ms;
    };
    let baselineEntries = 0;
    let lastBaselineList = 0;
    const countBaseline = async (): Promise<number> => {
      const counted = await handWritten(BASELINE_COUNT_SQL);
      countedEntries = Number((counted.value.rows[0] as { count: string }).count);
      return counted.ms;
    };
    let countedEntries = 0;

    progress('warm-up: one preview, one hand-written count, one build, one hand-written INSERT … SELECT');
    await builder.preview(criteria);
    await countBaseline();
    await deleteList((await builder.build(criteria, coordinator.principal)).id);
    await baseline();
    await deleteList(lastBaselineList);

    const previewMs: number[] = [];
    const countMs: number[] = [];
    const buildMs: number[] = [];
    const baselineMs: number[] = [];
    let entries = 0;
    let previewEntries = 0;
    let mismatches = -1;
    await pool.query('CREATE TABLE bench_chase_built (voter_id int PRIMARY KEY, rank int NOT NULL, priority float8 NOT NULL)');
    for (let run = 1; run <= RUNS; run++) {
      progress(`run ${run}/${RUNS}: preview, hand-written count, build and save, hand-written INSERT … SELECT`);
      // Alternately first and second, so that neither always runs on a warmer cache.
      const builderFirst = run % 2 === 1;
      if (!builderFirst) countMs.push(await countBaseline());
      const preview = await timed(() => builder.preview(criteria));
      previewMs.push(preview.ms);
      previewEntries = preview.value.entries;
      if (builderFirst) countMs.push(await countBaseline());
      if (!builderFirst) {
        baselineMs.push(await baseline());
        await deleteList(lastBaselineList);
      }
      const built = await timed(() => builder.build(criteria, coordinator.principal));
      buildMs.push(built.ms);
      entries = built.value.entries;
      if (run === RUNS) {
        await pool.query('INSERT INTO bench_chase_built SELECT voter_id, rank, priority FROM chase_entry WHERE list_id = $1', [
          built.value.id,
        ]);
      }
      await deleteList(built.value.id);
      if (builderFirst) {
        baselineMs.push(await baseline());
        if (run !== RUNS) await deleteList(lastBaselineList);
      }
    }
    {
      // The last baseline list is still there: it must hold the builder's voters, ranks and priorities.
      const { rows } = await pool.query<{ count: string }>(
        `SELECT count(*) FROM bench_chase_built b FULL JOIN (SELECT * FROM chase_entry WHERE list_id = $1) e USING (voter_id)
         WHERE b.voter_id IS NULL OR e.voter_id IS NULL OR b.rank <> e.rank OR b.priority <> e.priority`,
        [lastBaselineList],
      );
      mismatches = Number(rows[0]!.count);
      await deleteList(lastBaselineList);
      await pool.query('DROP TABLE bench_chase_built');
    }

    // Twice as many: the ceiling's volunteers start, as the others, with no call recorded (the pace each
    // outcome reads counts them).
    progress(`${2 * VOLUNTEERS} volunteers signing in; a list for them`);
    const volunteers = [];
    for (let index = 0; index < 2 * VOLUNTEERS; index++) {
      volunteers.push(await signedIn(services, 'volunteer', { name: `Bench volunteer ${index + 1}` }));
    }
    const overHttp = volunteers.slice(0, VOLUNTEERS);
    const onPostgres = volunteers.slice(VOLUNTEERS);
    const team = await services.chase.lists.createTeam(coordinator.principal, {
      name: 'Bench team',
      memberIds: volunteers.map((volunteer) => volunteer.user.id),
    });
    const list = await builder.build(criteria, coordinator.principal);
    await services.chase.lists.assign(coordinator.principal, list.id, { teamIds: [team.id] });

    load = startHelper<VolunteersCommand, VolunteersAnswer>(LOAD_SCRIPT, 'the volunteers’ process');
    await load.ask({ type: 'init', baseUrl: server.url, cookies: overHttp.map((volunteer) => volunteer.cookie) });
    progress(`warm-up: ${VOLUNTEERS} volunteers, ${WARM_UP_SECONDS} s`);
    await load.ask({ type: 'phase', seconds: WARM_UP_SECONDS, renewEvery: RENEW_EVERY });
    progress(`${VOLUNTEERS} volunteers claiming and recording outcomes: ${seconds} s`);
    const cpuBefore = process.cpuUsage();
    const claims = (await load.ask({ type: 'phase', seconds, renewEvery: RENEW_EVERY })) as VolunteersResult;
    const serverCpu = process.cpuUsage(cpuBefore);
    // The ceiling starts from tables as clean as the phase before it: no vacuum of its calls (and of the
    // voters' last contacts they moved) left to run.
    await pool.query('VACUUM ANALYZE chase_entry, contact_attempt, voter');
    progress(`the same statements straight on PostgreSQL, ${VOLUNTEERS} connections: ${seconds} s`);
    const ceiling = (await load.ask({
      type: 'ceiling',
      databaseUrl: relance.databaseUrl,
      volunteerIds: onPostgres.map((volunteer) => volunteer.user.id),
      listIds: [list.id],
      seconds,
      renewEvery: RENEW_EVERY,
    })) as VolunteersResult;
    load.stop();

    progress(`${MARKS} voters marked as voted through the marks API`);
    const { rows: marked } = await pool.query<{ voter_id: number; code: string; list_number: number }>(
      `SELECT e.voter_id, s.code, v.list_number FROM chase_entry e
       JOIN voter v ON v.id = e.voter_id JOIN polling_station s ON s.id = v.station_id
       WHERE e.list_id = $1 AND e.state = 'pending' ORDER BY e.rank DESC LIMIT $2`,
      [list.id, MARKS],
    );
    const markMs: number[] = [];
    let leftPending = 0;
    let markErrors = 0;
    for (const voter of marked) {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/v1/marks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${watcherToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: randomUUID(),
          stationCode: voter.code,
          listNumbers: [voter.list_number],
          action: 'mark',
          markedAt: electionTime(new Date(), city.clock).toISOString(),
        }),
      });
      await response.arrayBuffer();
      markMs.push(performance.now() - started);
      if (response.status !== 201) markErrors++;
      const { rows } = await pool.query<{ count: string }>(
        `SELECT count(*) FROM chase_entry WHERE voter_id = $1 AND state IN ('pending', 'claimed')`,
        [voter.voter_id],
      );
      leftPending += Number(rows[0]!.count);
    }

    return buildReport({
      city,
      generatedMs: generated.ms,
      areas: areaCodes.length,
      stations: stations.length,
      previewMs,
      countMs,
      countedEntries,
      buildMs,
      baselineMs,
      entries,
      previewEntries,
      baselineEntries,
      mismatches,
      claims,
      ceiling,
      seconds,
      serverCpuMs: (serverCpu.user + serverCpu.system) / 1000,
      volunteers: VOLUNTEERS,
      renewEvery: RENEW_EVERY,
      warmUpSeconds: WARM_UP_SECONDS,
      marks: { latency: summarize(markMs), leftPending, errors: markErrors },
    });
  } finally {
    load?.stop();
    await server.close();
  }
}
