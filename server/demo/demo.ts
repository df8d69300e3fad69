import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/auth.roles.ts';
import { PROJECT_ROOT } from '../config.ts';
import type { Services } from '../services.ts';
import { demoVoterCsv } from './demo.voters.ts';

export const DEMO_DIR = path.join(PROJECT_ROOT, 'prisma', 'demo', 'paris');

export const DEMO_ELECTION = {
  name: 'Paris — municipales 2026, 1er tour',
  pollingDay: '2026-03-15',
  timezone: 'Europe/Paris',
  opensAt: '08:00',
  closesAt: '20:00',
};

/** The demo's people: one of each role, watchers on real stations. */
const DEMO_USERS = [
  { name: 'Demo admin', role: 'admin', email: 'admin@demo.relance.example' },
  { name: 'Demo coordinator', role: 'coordinator', email: 'coordinator@demo.relance.example' },
  { name: 'Demo watcher, 11e', role: 'watcher', stationCodes: ['1101', '1102'] },
  { name: 'Demo watcher, 18e', role: 'watcher', stationCodes: ['1801'] },
  { name: 'Demo volunteer 1', role: 'volunteer' },
  { name: 'Demo volunteer 2', role: 'volunteer' },
  { name: 'War-room wall screen', role: 'viewer' },
] as const;

/**
 * Texts the demo can send right away, written as a coordinator would: in GSM-7 only (no ê, ç…),
 * so that each fits in as few segments as possible.
 */
const DEMO_TEXT_TEMPLATES = [
  {
    name: 'Rappel : votre bureau de vote',
    body: "Bonjour {firstName}, votre bureau de vote {stationName} ({stationAddress}) est ouvert jusqu'à {closingTime}. Chaque voix compte, à tout à l'heure !",
  },
  {
    name: 'Dernière heure pour voter',
    body: "{firstName}, plus qu'une heure pour voter ! Le bureau {stationName} ferme à {closingTime}. Besoin d'aide pour venir ? Répondez à ce SMS.",
  },
];

function readJson(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(DEMO_DIR, name), 'utf8'));
}

/**
 * Loads the Paris demo election through the same importers as `relance import`: areas, stations,
 * a synthetic voter file of `voters` people (none at all for 0), and the demo users. Returns the demo admin's id.
 */
export async function loadDemo(services: Services, options: { voters: number }): Promise<{ electionId: number; adminId: number }> {
  const { imports, accounts, log } = services;
  const election = await imports.election(DEMO_ELECTION, null);
  await imports.areas(election.id, readJson('areas.geojson'), null);
  const stationsGeoJson = readJson('stations.geojson') as { features: { properties: { code: string; registered_voters: number } }[] };
  await imports.stations(election.id, { geojson: stationsGeoJson }, null);
  const stations = stationsGeoJson.features.map((f) => ({ code: f.properties.code, registeredVoters: f.properties.registered_voters }));
  // DEMO_VOTERS=0: no voter file at all (the importer rightly refuses a file without people).
  const voters =
    options.voters > 0 ? await imports.voters(election.id, Readable.from(demoVoterCsv(stations, options.voters)), null) : { read: 0 };

  let adminId = 0;
  for (const user of DEMO_USERS) {
    // Admin and coordinator passwords are random and never shown: they sign in by one-time link.
    const password = user.role === 'admin' || user.role === 'coordinator' ? randomBytes(18).toString('base64url') : undefined;
    const created = await accounts.createUser(
      { ...user, password, stationCodes: 'stationCodes' in user ? [...user.stationCodes] : [] },
      null,
    );
    if (user.role === 'admin') adminId = created.id;
    if (user.role === 'coordinator') {
      const coordinator: Principal = { kind: 'user', id: created.id, name: user.name, role: user.role, stations: 'all', locale: null };
      for (const template of DEMO_TEXT_TEMPLATES) await services.smsTemplates.create(coordinator, template);
    }
  }
  log.info({ electionId: election.id, stations: stations.length, voters: voters.read, users: DEMO_USERS.length }, 'demo election loaded');
  return { electionId: election.id, adminId };
}
