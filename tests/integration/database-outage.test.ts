import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { startLocalPostgres, type LocalPostgres } from '../../server/db/local-postgres.ts';
import { freePort } from '../../server/free-port.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance, type Relance } from '../../server/relance.ts';
import { apiToken, createSmallElection } from '../factories.ts';
import { TestClock } from '../setup/clock.ts';
import { startTestServer } from '../setup/services.ts';

// A PostgreSQL server of this file's own, which it stops and starts again: the shared test server
// cannot be stopped under the other files.
let dataDir: string;
let port: number;
let postgres: LocalPostgres | null = null;
let relance: Relance;
let server: Awaited<ReturnType<typeof startTestServer>>;
let token: string;

const startPostgres = async () => {
  postgres = await startLocalPostgres({ dataDir, exclusive: true, port, settings: { fsync: 'off' } });
  return postgres.url;
};

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-outage-'));
  fs.chmodSync(dataDir, 0o755);
  port = await freePort();
  const url = await startPostgres();
  relance = await openRelance({
    config: parseConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://localhost:3000' }),
    log: createLogger('silent'),
    clock: new TestClock(),
    poolSize: 4,
    queuePrefix: `outage-${randomUUID().slice(0, 8)}`,
  });
  await createSmallElection(relance.services);
  token = await apiToken(relance.services, 'watcher', ['0101']);
  server = await startTestServer(relance.services);
});

afterAll(async () => {
  await server?.close();
  if (!postgres) await startPostgres().catch(() => {});
  await relance?.close();
  await postgres?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function post(report: Record<string, unknown>) {
  const response = await fetch(`${server.url}/api/v1/reports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(report),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as unknown };
}

describe('PostgreSQL stopped under a running web node', () => {
  it('answers writes 503 with Retry-After, /readyz 503, and stores the same report once when it is back', async () => {
    const first = { id: randomUUID(), stationCode: '0101', voters: 100, observedAt: '2026-03-15T09:00:00Z' };
    expect((await post(first)).status).toBe(201);

    await postgres!.stop();
    postgres = null;
    const report = { id: randomUUID(), stationCode: '0101', voters: 150, observedAt: '2026-03-15T09:00:00Z' };
    expect(await post(report)).toEqual({
      status: 503,
      retryAfter: '2',
      body: {
        error: {
          code: 'unavailable',
          message: 'The database cannot be reached right now. Send the same request again in a few seconds: it will be stored once.',
          field: null,
        },
      },
    });
    const batch = await fetch(`${server.url}/api/v1/reports/batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reports: [report] }),
    });
    expect([batch.status, batch.headers.get('retry-after')]).toEqual([503, '2']);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);

    await startPostgres();
    expect((await post(report)).status).toBe(201);
    expect((await post(report)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const stored = await relance.services.db.prisma.turnoutReport.count({ where: { id: { in: [first.id, report.id] } } });
    expect(stored).toBe(2);
  });
});
