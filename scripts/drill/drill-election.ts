/**
 * The drill's polling day, set up through the same import services as production: one election, a
 * block of stations per scenario (so that each scenario's audit counts only what its own phones
 * sent), each station with a roll of voters to mark, an API token per phone and per war-room screen.
 * Its polls are open from an hour before the drill to the next day.
 */
import type { Principal } from '../../server/auth/auth.roles.ts';
import type { SimulationWindow } from '../../server/elections/elections.clock.ts';
import type { Services } from '../../server/services.ts';
import { createTextList, createTextTemplate, featureCollection, voterCsv } from '../../tests/factories.ts';
import { signedIn } from '../../tests/fixtures.ts';
import type { DrillPhone } from './drill-phones.ts';

export const REGISTERED = 1_500;

export interface DrillSize {
  phones: number;
  stationsPerPhone: number;
  /** Voters on each station's roll, for marks. */
  rollSize: number;
  dashboards: number;
}

export interface ScenarioBlock {
  stationCodes: string[];
  phones: DrillPhone[];
}

/** The text list the worker is killed in the middle of sending (kill-worker). */
export interface DrillTexts {
  listId: number;
  templateId: number;
  count: number;
  /** The coordinator who sends the list. */
  sender: Principal;
}

/** Texts in the kill-worker scenario: 2,000, as a list of the day's last hours can hold. */
export const TEXTS = 2_000;
/** List numbers of the people texted start after every roll's marks, so no mark touches them. */
const TEXTED_FROM = 100_000;

export interface DrillElection {
  electionId: number;
  texts: DrillTexts | null;
  pollsCloseAt: Date;
  clock: SimulationWindow;
  blocks: Map<string, ScenarioBlock>;
  viewerTokens: string[];
}

/** Runs `make` for 0 … count − 1, ten at a time (each is a transaction of its own). */
async function few<T>(count: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += 10) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(10, count - start) }, (_, offset) => make(start + offset)))));
  }
  return made;
}

export async function createDrillElection(services: Services, scenarios: string[], size: DrillSize): Promise<DrillElection> {
  const pollingDay = new Date().toISOString().slice(0, 10);
  const imported = await services.imports.election(
    { name: 'Fault drill', pollingDay, timezone: 'UTC', opensAt: '08:00', closesAt: '20:00' },
    null,
  );
  // Polls open around the time of the drill, whatever the hour it runs at: reports are within polling
  // hours on the election's clock, and texts may go on the real one (which the SMS guards read).
  const now = Date.now();
  const election = await services.db.prisma.election.update({
    where: { id: imported.id },
    data: { pollsOpenAt: new Date(now - 3600_000), pollsCloseAt: new Date(now + 23 * 3600_000) },
  });
  await services.imports.areas(
    election.id,
    featureCollection([{ type: 'Feature', properties: { code: 'DRILL', name: 'Drill town', kind: 'city' }, geometry: null }]),
    null,
  );
  const perScenario = size.phones * size.stationsPerPhone;
  const codesOf = (block: number) =>
    Array.from({ length: perScenario }, (_, index) => `S${String(block + 1).padStart(2, '0')}${String(index + 1).padStart(4, '0')}`);
  const allCodes = scenarios.flatMap((_, block) => codesOf(block));
  await services.imports.stations(
    election.id,
    {
      geojson: featureCollection(
        allCodes.map((code) => ({
          type: 'Feature',
          properties: { code, name: `Station ${code}`, area_code: 'DRILL', registered_voters: REGISTERED, baseline_turnout: 0.6 },
          geometry: null,
        })),
      ),
    },
    null,
  );
  // Synthetic voters: generated names, no phone numbers.
  await services.imports.voters(
    election.id,
    voterCsv(
      allCodes.flatMap((code) =>
        Array.from({ length: size.rollSize }, (_, index) => ({
          external_id: `${code}-${index + 1}`,
          last_name: `Voter ${code}-${index + 1}`,
          station_code: code,
          list_number: index + 1,
        })),
      ),
    ),
    null,
  );

  // People to text: supporters at the kill-worker scenario's stations, with numbers in the range ARCEP
  // keeps for fiction (06 39 98 xx xx), which reach nobody.
  let texts: DrillTexts | null = null;
  const textBlock = scenarios.indexOf('kill-worker');
  if (textBlock >= 0) {
    const codes = codesOf(textBlock);
    const externalIds = Array.from({ length: TEXTS }, (_, index) => `T${index + 1}`);
    await services.imports.voters(
      election.id,
      voterCsv(
        externalIds.map((externalId, index) => ({
          external_id: externalId,
          last_name: `Texted ${index + 1}`,
          station_code: codes[index % codes.length]!,
          list_number: TEXTED_FROM + index,
          phone: `+336399${String(80_000 + index).padStart(5, '0')}`,
        })),
      ),
      null,
    );
    const people = await services.db.prisma.voter.findMany({
      where: { electionId: election.id, externalId: { in: externalIds } },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const list = await createTextList(
      services,
      election.id,
      people.map((person) => person.id),
      'Drill: last call',
    );
    const template = await createTextTemplate(services, election.id);
    const { principal } = await signedIn(services, 'coordinator');
    texts = { listId: list.id, templateId: template.id, count: people.length, sender: principal };
  }

  const blocks = new Map<string, ScenarioBlock>();
  for (const [block, scenario] of scenarios.entries()) {
    const stationCodes = codesOf(block);
    const phones = await few(size.phones, async (phone) => {
      const codes = stationCodes.slice(phone * size.stationsPerPhone, (phone + 1) * size.stationsPerPhone);
      const { token } = await services.accounts.createApiToken(
        { name: `Drill ${scenario} phone ${phone + 1}`, role: 'watcher', stationCodes: codes },
        null,
      );
      return { token, stationCodes: codes };
    });
    blocks.set(scenario, { stationCodes, phones });
  }
  const viewerTokens = await few(size.dashboards, async (index) => {
    const { token } = await services.accounts.createApiToken({ name: `Drill screen ${index + 1}`, role: 'viewer', stationCodes: [] }, null);
    return token;
  });
  // A simulation at real speed: the offline scenario speeds it up for the time phones are away.
  const clock = await services.elections.startSimulation(election.id, {
    startsFrom: new Date(now),
    endsAt: election.pollsCloseAt,
    speed: 1,
  });
  return { electionId: election.id, texts, pollsCloseAt: election.pollsCloseAt, clock, blocks, viewerTokens };
}
