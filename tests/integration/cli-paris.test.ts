import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIR, loadDemo } from '../../server/demo/demo.ts';
import { runRelance } from '../cli.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

// A file of its own: it creates elections, and the other CLI tests use the current one.
let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
});

afterAll(() => t.close());

function relance(args: string[]) {
  return runRelance(args, { databaseUrl: t.databaseUrl });
}

describe('relance import areas and stations with the Paris files', () => {
  it('gives the demo’s stations and areas when the Paris files shipped with the demo are imported', async () => {
    const demo = await loadDemo(t.services, { voters: 0 });
    const created = relance([
      'import',
      'election',
      '--name',
      'Paris again',
      '--day',
      '2026-03-15',
      '--timezone',
      'Europe/Paris',
      '--opens',
      '08:00',
      '--closes',
      '20:00',
    ]);
    const id = /Created election (\d+)/.exec(created.stdout)![1]!;
    for (const kind of ['areas', 'stations']) {
      const result = relance(['import', kind, path.join(DEMO_DIR, `${kind}.geojson`), '--election', id, '--json']);
      expect(result.status).toBe(0);
      expect(JSON.parse(result.lastLine)).toMatchObject({ imported: kind === 'areas' ? 101 : 902, rejected: 0 });
    }
    const areas = (electionId: number) =>
      t.services.db.prisma.area
        .findMany({ where: { electionId }, orderBy: { code: 'asc' }, include: { parent: { select: { code: true } } } })
        .then((rows) => rows.map(({ code, name, kind, geometry, parent }) => ({ code, name, kind, geometry, parent: parent?.code })));
    const stations = (electionId: number) =>
      t.services.db.prisma.pollingStation
        .findMany({ where: { electionId }, orderBy: { code: 'asc' }, include: { area: { select: { code: true } } } })
        .then((rows) => rows.map(({ id: _id, electionId: _e, areaId: _a, createdAt: _c, updatedAt: _u, ...station }) => station));
    expect(await areas(Number(id))).toEqual(await areas(demo.electionId));
    expect(await stations(Number(id))).toEqual(await stations(demo.electionId));
  }, 120_000);
});
