import { requireStationScope } from '../auth/auth.guards.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { Clock } from '../clock.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Election, Elections } from '../elections/elections.service.ts';
import { InvalidInput } from '../errors.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';

export interface StationEntry {
  id: number;
  code: string;
  electionId: number;
  registered: number;
  opensAt: Date;
  /** Its own closing time, else the election's. */
  closesAt: Date;
}

/** How long what was read is trusted (an import or an admin may change a station). */
const REFRESH_MS = 10_000;

const STATION_FIELDS = { id: true, code: true, registeredVoters: true, closesAt: true } as const;

function entryOf(election: Election, station: { id: number; code: string; registeredVoters: number; closesAt: Date | null }): StationEntry {
  return {
    id: station.id,
    code: station.code,
    electionId: election.id,
    registered: station.registeredVoters,
    opensAt: election.pollsOpenAt,
    closesAt: station.closesAt ?? election.pollsCloseAt,
  };
}

/**
 * Station code → station, for the current election, read once and kept for a few seconds: every
 * report looks its station up, and the answer changes only with an import. A code not in the
 * directory is looked up on its own, so a station imported a moment ago is found at once.
 */
export function createStationDirectory({ prisma, elections, feed }: { prisma: PrismaClient; elections: Elections; feed: LiveFeed }) {
  interface Directory {
    election: Election | null;
    byCode: Map<string, StationEntry>;
    readAt: number;
  }
  let directory: Directory | null = null;
  let reading: Promise<Directory> | null = null;
  let changes = 0;
  // An import in this process is seen at once; one on another node, within REFRESH_MS.
  feed.subscribe((event) => {
    if (event.type !== 'election:changed') return;
    changes++;
    directory = null;
    reading = null;
  });

  async function read(): Promise<Directory> {
    const seen = changes;
    const election = await elections.current();
    const stations = election ? await prisma.pollingStation.findMany({ where: { electionId: election.id }, select: STATION_FIELDS }) : [];
    directory = {
      election,
      byCode: new Map(stations.map((station) => [station.code, entryOf(election!, station)])),
      // Read before a change it did not see: used once, and read again next time.
      readAt: seen === changes ? performance.now() : -Infinity,
    };
    return directory;
  }

  async function current(): Promise<Directory> {
    if (directory && performance.now() - directory.readAt < REFRESH_MS) return directory;
    if (!reading) {
      const started = read();
      reading = started;
      const done = () => {
        if (reading === started) reading = null;
      };
      started.then(done, done);
    }
    return reading;
  }

  return {
    async find(code: string): Promise<StationEntry | undefined> {
      const { election, byCode } = await current();
      const known = byCode.get(code);
      if (known || !election) return known;
      const station = await prisma.pollingStation.findUnique({
        where: { electionId_code: { electionId: election.id, code } },
        select: STATION_FIELDS,
      });
      if (!station) return undefined;
      const entry = entryOf(election, station);
      byCode.set(code, entry);
      return entry;
    },
  };
}

export type StationDirectory = ReturnType<typeof createStationDirectory>;

/** The station a report, mark or flag is about: it must exist, and be one of the sender's. */
export async function requireReportableStation(stations: StationDirectory, principal: Principal, code: string): Promise<StationEntry> {
  const station = await stations.find(code);
  if (!station) throw new InvalidInput(`There is no station ${code} in this election. Check the code on your assignment.`, 'stationCode');
  requireStationScope(principal, station.id, station.code);
  return station;
}

/** What the services that take reports, marks and flags stand on. */
export interface StationWriteDependencies {
  prisma: PrismaClient;
  clock: Clock;
  stations: StationDirectory;
  feed: LiveFeed;
}

/** Who sent an item, as its row records it: a signed-in person, or an API token. */
export function senderOf(principal: Principal): { reporterId: number | null; apiTokenId: number | null } {
  return { reporterId: principal.kind === 'user' ? principal.id : null, apiTokenId: principal.kind === 'token' ? principal.id : null };
}
