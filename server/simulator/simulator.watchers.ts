import type { Services } from '../services.ts';

/** Every simulated watcher's token is named so: recognisable on the readiness board and in the audit log. */
export const SIMULATOR_TOKEN_PREFIX = 'Simulated watcher';

/** A simulated watcher covers one or two stations, as most real ones do. */
const STATIONS_PER_WATCHER = 2;
const CREATING_AT_ONCE = 4;

export interface SimulatedWatcher {
  tokenId: number;
  token: string;
  stationCodes: string[];
}

/** Ids of the simulator's tokens for an election (revoked ones too: their reports are still the simulator's). */
export async function simulatorTokenIds(services: Services, electionId: number): Promise<number[]> {
  const tokens = await services.db.prisma.apiToken.findMany({
    where: { name: { startsWith: SIMULATOR_TOKEN_PREFIX }, stations: { some: { station: { electionId } } } },
    select: { id: true },
  });
  return tokens.map((token) => token.id);
}

/**
 * One watcher token per pair of stations (in code order), created the first time and kept after:
 * a simulator that resumes reports with the same tokens, so that every report of the day is linked
 * to its simulated watcher. A token's secret is shown only once and only its hash is stored, so a
 * new run gives each existing token a new secret rather than making new tokens.
 */
export async function simulatedWatchers(
  services: Services,
  electionId: number,
  stationCodes: readonly string[],
): Promise<SimulatedWatcher[]> {
  const { prisma } = services.db;
  const groups: string[][] = [];
  const sorted = [...stationCodes].sort();
  for (let i = 0; i < sorted.length; i += STATIONS_PER_WATCHER) groups.push(sorted.slice(i, i + STATIONS_PER_WATCHER));

  const existing = await prisma.apiToken.findMany({
    where: {
      name: { startsWith: SIMULATOR_TOKEN_PREFIX },
      revokedAt: null,
      role: 'watcher',
      stations: { some: { station: { electionId } } },
    },
    select: { id: true, stations: { select: { station: { select: { code: true } } } } },
  });
  const byStations = new Map(
    existing.map((token) => [
      token.stations
        .map((s) => s.station.code)
        .sort()
        .join(' '),
      token.id,
    ]),
  );

  const kept: { tokenId: number; stationCodes: string[] }[] = [];
  const missing: string[][] = [];
  for (const codes of groups) {
    const tokenId = byStations.get(codes.join(' '));
    if (tokenId === undefined) missing.push(codes);
    else kept.push({ tokenId, stationCodes: codes });
  }
  const secrets = await services.accounts.reissueApiTokens(
    kept.map((watcher) => watcher.tokenId),
    null,
  );
  const watchers: SimulatedWatcher[] = kept.map((watcher) => ({ ...watcher, token: secrets.get(watcher.tokenId)! }));
  // A few at a time: the demo has 451 watchers, each token created (and audited) in its own transaction.
  const creating = [...missing];
  await Promise.all(
    Array.from({ length: Math.min(CREATING_AT_ONCE, creating.length) }, async () => {
      for (let codes = creating.shift(); codes; codes = creating.shift()) {
        const created = await services.accounts.createApiToken(
          { name: `${SIMULATOR_TOKEN_PREFIX} ${codes.join(', ')}`, role: 'watcher', stationCodes: codes },
          null,
        );
        watchers.push({ tokenId: created.id, token: created.token, stationCodes: codes });
      }
    }),
  );
  return watchers;
}
