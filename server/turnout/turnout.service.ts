import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import { localTimeOf } from '../elections/elections.time.ts';
import type { Elections } from '../elections/elections.service.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { curveFromHourly, expectedShareAt, type HourlyShares } from './turnout.curve.ts';
import { tallyAreas, turnoutShare, type Tally } from './turnout.model.ts';
import { projectDay, type AreaProjection, type StationProjection } from './turnout.projection.ts';

/** A station with no accepted report for this long, while polls are open, is listed as silent in the war room. */
export const SILENT_AFTER_MINUTES = 30;

/** Supporters are voters with support level 1 or 2 (1 = strong support … 5 = strong opposition). */
export const SUPPORTER_LEVEL_MAX = 2;

/** The war room's feed shows the latest open flags, at most this many. */
export const OPEN_FLAGS_SHOWN = 50;

/** The chart of the day draws the curve with one point every this many minutes. */
const CURVE_STEP_MINUTES = 15;

/** Supporters not yet voted are counted again in full at least this often (imports, other processes). */
const SUPPORTERS_RECOUNT_MS = 60_000;

export interface TurnoutFigures {
  registered: number;
  voted: number;
  /** voted / registered, or null. */
  turnout: number | null;
}

/**
 * The turnout model's figures (docs/turnout-model.md), shares of registered voters rounded to 0.1 %. Null
 * where the model has nothing to go on (no baseline and no report anywhere yet).
 */
export interface ModelFigures {
  /** The final turnout this unit is judged against: its own at a comparable past election, else its area's or the city's. */
  baseline: number | null;
  /** Turnout expected by now: baseline × the share of the day's turnout usually reached by now. */
  expected: number | null;
  /** Turnout now: the report when it is fresh, else the model's estimate. */
  current: number | null;
  /** Behind (−) or ahead (+) of expected: −0.1 is 10 % behind. */
  lag: number | null;
  /** Projected final turnout and its 80 % interval. */
  projected: number | null;
  low: number | null;
  high: number | null;
}

export interface StationTurnout extends TurnoutFigures, ModelFigures {
  code: string;
  name: string;
  areaCode: string;
  longitude: number | null;
  latitude: number | null;
  /** When the latest accepted report was read at the station; null before the first report. */
  reportedAt: string | null;
  /** Its own closing time when later than the election's, else the election's. */
  closesAt: string;
  /** True when `current` is the model's estimate rather than a fresh report. */
  estimated: boolean;
  /** No report for SILENT_AFTER_MINUTES while polls are open. */
  silent: boolean;
  openFlags: number;
  /** Supporters (support level 1–2) not yet marked as voted, and not do-not-contact. */
  supportersLeft: number;
}

export interface AreaTurnout extends TurnoutFigures, ModelFigures {
  code: string;
  name: string;
  kind: 'city' | 'district' | 'neighbourhood';
  parentCode: string | null;
  stations: number;
  reportingStations: number;
  estimatedStations: number;
  silentStations: number;
  openFlags: number;
  supportersLeft: number;
}

export type TotalTurnout = Omit<AreaTurnout, 'code' | 'name' | 'kind' | 'parentCode'>;

/** A watcher's flag not yet resolved, for the war room's feed. */
export interface OpenFlag {
  id: string;
  stationCode: string;
  category: string;
  note: string | null;
  observedAt: string;
}

export interface ElectionSummary {
  id: number;
  name: string;
  pollingDay: string;
  timezone: string;
  pollsOpenAt: string;
  pollsCloseAt: string;
  /** The election's own time: the wall clock, or a simulated polling day's (elections.clock.ts). */
  now: string;
  simulated: boolean;
  rehearsal: boolean;
}

/** What the turnout is at one instant; GET /api/v1/turnout and `turnout:snapshot` (docs/api.md). */
export interface TurnoutFrame {
  asOf: string;
  election: ElectionSummary;
  /** Share of the final turnout usually reached through the day: expected at `at` = baseline × share. */
  curve: { at: string; share: number }[];
  totals: TotalTurnout;
  areas: AreaTurnout[];
  stations: StationTurnout[];
  flags: OpenFlag[];
}

/** A frame numbered in its stream: deltas follow it with seq + 1, seq + 2… (server/turnout/turnout.live.ts). */
export interface TurnoutSnapshot extends TurnoutFrame {
  /** Which stream of deltas the snapshot starts: one per web process; a client seeing another asks for a snapshot. */
  epoch: string;
  /** The last delta included; clients apply the delta with seq + 1 next. */
  seq: number;
}

interface StationRow {
  id: number;
  code: string;
  name: string;
  area_code: string;
  registered_voters: number;
  baseline_turnout: number | null;
  longitude: number | null;
  latitude: number | null;
  closes_at: Date | null;
  voted: number | null;
  observed_at: Date | null;
}

/** Shares to 0.1 %, so that an unchanged figure compares equal from one frame to the next. */
function share(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000;
}

function modelFigures(projection: StationProjection | AreaProjection | undefined, hasModel: boolean): ModelFigures {
  if (!projection || !hasModel) {
    return { baseline: null, expected: null, current: null, lag: null, projected: null, low: null, high: null };
  }
  return {
    baseline: 'baselineShare' in projection ? share(projection.baselineShare) : null,
    expected: share(projection.expectedShare),
    current: share(projection.currentShare),
    lag: projection.expectedShare > 0 ? share(projection.lag) : null,
    projected: share(projection.projectedFinal),
    low: share(projection.low),
    high: share(projection.high),
  };
}

interface RollUp {
  estimatedStations: number;
  silentStations: number;
  openFlags: number;
  supportersLeft: number;
  /** Σ baseline × registered, for the area's baseline. */
  baselineVoters: number;
}

function emptyRollUp(): RollUp {
  return { estimatedStations: 0, silentStations: 0, openFlags: 0, supportersLeft: 0, baselineVoters: 0 };
}

function counts(tally: Tally): TurnoutFigures & { stations: number; reportingStations: number } {
  return { ...tally, turnout: turnoutShare(tally.voted, tally.registered) };
}

/**
 * The turnout of the current election, with the model's figures, computed from the standing counts kept on
 * each station (server/watchers/watchers.rules.ts). Supporters not yet voted are counted per station and kept:
 * a station is counted again after its voters are marked, every station at least once a minute.
 */
export function createTurnout({
  prisma,
  clock,
  elections,
  feed,
}: {
  prisma: PrismaClient;
  clock: Clock;
  elections: Elections;
  feed: LiveFeed;
}) {
  let supporters: { electionId: number; byStation: Map<number, number>; countedAt: number; stale: Set<string> } | null = null;
  feed.subscribe((event) => {
    if (!supporters || event.electionId !== supporters.electionId) return;
    if (event.type === 'voters:marked') supporters.stale.add(event.stationCode);
    if (event.type === 'election:changed') supporters = null;
  });

  async function supportersLeft(electionId: number, stations: readonly { id: number; code: string }[]): Promise<Map<number, number>> {
    const count = async (ids: number[] | null) =>
      prisma.$queryRaw<{ station_id: number; left: number }[]>`
        SELECT station_id, count(*)::int AS left
        FROM voter
        WHERE election_id = ${electionId} AND support_level <= ${SUPPORTER_LEVEL_MAX} AND voted_at IS NULL AND NOT do_not_contact
          AND (${ids}::int[] IS NULL OR station_id = ANY(${ids}::int[]))
        GROUP BY station_id`;
    const now = Date.now();
    if (!supporters || supporters.electionId !== electionId || now - supporters.countedAt > SUPPORTERS_RECOUNT_MS) {
      const rows = await count(null);
      supporters = { electionId, byStation: new Map(rows.map((row) => [row.station_id, row.left])), countedAt: now, stale: new Set() };
    } else if (supporters.stale.size > 0) {
      const stale = supporters.stale;
      supporters.stale = new Set();
      const ids = stations.filter((station) => stale.has(station.code)).map((station) => station.id);
      const rows = await count(ids);
      for (const id of ids) supporters.byStation.set(id, 0);
      for (const row of rows) supporters.byStation.set(row.station_id, row.left);
    }
    return supporters.byStation;
  }

  return {
    /** The turnout now, computed afresh. */
    async frame(): Promise<TurnoutFrame> {
      const election = await elections.requireCurrent();
      const [areas, stations, flags, electionClock] = await Promise.all([
        prisma.area.findMany({
          where: { electionId: election.id },
          select: { code: true, name: true, kind: true, parent: { select: { code: true } } },
          orderBy: { code: 'asc' },
        }),
        prisma.$queryRaw<StationRow[]>`
          SELECT s.id, s.code, s.name, a.code AS area_code, s.registered_voters, s.baseline_turnout, s.longitude, s.latitude,
                 s.closes_at, s.reported_voters AS voted, s.reported_at AS observed_at
          FROM polling_station s
          JOIN area a ON a.id = s.area_id
          WHERE s.election_id = ${election.id}
          ORDER BY s.code`,
        prisma.$queryRaw<{ id: string; station_code: string; category: string; note: string | null; observed_at: Date }[]>`
          SELECT f.id, s.code AS station_code, f.category::text, f.note, f.observed_at
          FROM station_flag f
          JOIN polling_station s ON s.id = f.station_id
          WHERE s.election_id = ${election.id} AND f.resolved_at IS NULL AND f.rehearsal = ${election.rehearsal}
          ORDER BY f.observed_at DESC, f.id`,
        elections.clockOf(election.id),
      ]);
      const left = await supportersLeft(election.id, stations);
      const now = electionClock.now;
      const hours = {
        opens: localTimeOf(election.pollsOpenAt, election.timezone),
        closes: localTimeOf(election.pollsCloseAt, election.timezone),
      };
      const curve = curveFromHourly(election.turnoutCurve as HourlyShares | null, hours);
      const areaNodes = areas.map((area) => ({ code: area.code, parentCode: area.parent?.code ?? null }));
      const projection = projectDay(
        stations.map((s) => ({
          code: s.code,
          areaCode: s.area_code,
          registered: s.registered_voters,
          baselineShare: s.baseline_turnout,
          report: s.voted !== null && s.observed_at ? { voted: s.voted, observedAt: s.observed_at } : null,
          closesAt: s.closes_at,
        })),
        { curve, opensAt: election.pollsOpenAt, closesAt: election.pollsCloseAt, areas: areaNodes },
        now,
      );
      // Without a baseline and without any report, the model has nothing to say yet.
      const hasModel = projection.stations.some((station) => station.baselineShare > 0);
      const pollsOpen = now >= election.pollsOpenAt;
      const silentSince = now.getTime() - SILENT_AFTER_MINUTES * 60_000;
      const flagsAt = new Map<string, number>();
      for (const flag of flags) flagsAt.set(flag.station_code, (flagsAt.get(flag.station_code) ?? 0) + 1);

      const stationViews = stations.map((s, i): StationTurnout => {
        const closesAt = s.closes_at && s.closes_at > election.pollsCloseAt ? s.closes_at : election.pollsCloseAt;
        const voted = s.voted ?? 0;
        return {
          code: s.code,
          name: s.name,
          areaCode: s.area_code,
          longitude: s.longitude,
          latitude: s.latitude,
          registered: s.registered_voters,
          voted,
          turnout: share(turnoutShare(voted, s.registered_voters)),
          reportedAt: s.observed_at?.toISOString() ?? null,
          closesAt: closesAt.toISOString(),
          estimated: projection.stations[i]!.estimated,
          silent: pollsOpen && now < closesAt && (s.observed_at === null || s.observed_at.getTime() < silentSince),
          openFlags: flagsAt.get(s.code) ?? 0,
          supportersLeft: left.get(s.id) ?? 0,
          ...modelFigures(projection.stations[i], hasModel),
        };
      });

      const tallies = tallyAreas(
        areaNodes,
        stations.map((s) => ({ code: s.code, areaCode: s.area_code, registered: s.registered_voters, voted: s.voted })),
      );
      // Counts over each area's stations and its sub-areas' (and the whole election's, under '').
      const rollUp = new Map<string, RollUp>([['', emptyRollUp()], ...areas.map((area) => [area.code, emptyRollUp()] as const)]);
      const parentOf = new Map(areaNodes.map((area) => [area.code, area.parentCode]));
      for (const station of stationViews) {
        const chain = [''];
        for (let code: string | null | undefined = station.areaCode; code && !chain.includes(code); code = parentOf.get(code))
          chain.push(code);
        for (const code of chain) {
          const sum = rollUp.get(code);
          if (!sum) continue;
          if (station.estimated) sum.estimatedStations += 1;
          if (station.silent) sum.silentStations += 1;
          sum.openFlags += station.openFlags;
          sum.supportersLeft += station.supportersLeft;
          sum.baselineVoters += (station.baseline ?? 0) * station.registered;
        }
      }
      const rolledUp = (code: string, registered: number) => {
        const { baselineVoters, ...sums } = rollUp.get(code)!;
        return { ...sums, baseline: hasModel && registered > 0 ? share(baselineVoters / registered) : null };
      };

      const curvePoints: { at: string; share: number }[] = [];
      const step = CURVE_STEP_MINUTES * 60_000;
      for (let at = election.pollsOpenAt.getTime(); ; at = Math.min(at + step, election.pollsCloseAt.getTime())) {
        const instant = new Date(at);
        curvePoints.push({
          at: instant.toISOString(),
          share: share(expectedShareAt(curve, instant, election.pollsOpenAt, election.pollsCloseAt))!,
        });
        if (at >= election.pollsCloseAt.getTime()) break;
      }

      return {
        asOf: clock.now().toISOString(),
        election: {
          id: election.id,
          name: election.name,
          pollingDay: election.pollingDay.toISOString().slice(0, 10),
          timezone: election.timezone,
          pollsOpenAt: election.pollsOpenAt.toISOString(),
          pollsCloseAt: election.pollsCloseAt.toISOString(),
          now: now.toISOString(),
          simulated: electionClock.simulation !== null,
          rehearsal: election.rehearsal,
        },
        curve: curvePoints,
        totals: {
          ...counts(tallies.total),
          turnout: share(turnoutShare(tallies.total.voted, tallies.total.registered)),
          ...modelFigures(projection.total, hasModel),
          ...rolledUp('', tallies.total.registered),
        },
        areas: areas.map((area) => {
          const figures = modelFigures(projection.areas.get(area.code), hasModel);
          const tally = counts(tallies.areas.get(area.code)!);
          return {
            code: area.code,
            name: area.name,
            kind: area.kind,
            parentCode: area.parent?.code ?? null,
            ...tally,
            turnout: share(tally.turnout),
            ...figures,
            ...rolledUp(area.code, tally.registered),
          };
        }),
        stations: stationViews,
        flags: flags.slice(0, OPEN_FLAGS_SHOWN).map((flag) => ({
          id: flag.id,
          stationCode: flag.station_code,
          category: flag.category,
          note: flag.note,
          observedAt: flag.observed_at.toISOString(),
        })),
      };
    },
  };
}

export type Turnout = ReturnType<typeof createTurnout>;
