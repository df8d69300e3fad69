import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formTokenFor } from '../../server/auth/auth.secrets.ts';
import { parseConfig } from '../../server/config.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../server/http/cookies.ts';
import { createLogger } from '../../server/logger.ts';
import { openRelance, type Relance } from '../../server/relance.ts';
import { createSmallElection, voterCsv } from '../factories.ts';
import { linkToken } from '../fixtures.ts';
import { TestClock } from '../setup/clock.ts';
import { createTestDatabase } from '../setup/database.ts';
import { startTestServer } from '../setup/services.ts';

/**
 * A whole journey with logging at debug level (every request logged): imports, sign-ins with wrong
 * passwords and PINs, a watcher's invite, the API, a rights request, a purge. Nothing that names or
 * reaches a person, and no secret, may appear in what is logged.
 */

const logged: string[] = [];
let relance: Relance;
let server: Awaited<ReturnType<typeof startTestServer>>;
let discard: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  discard = () => database.discard();
  const config = parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'debug', PUBLIC_URL: 'http://localhost:3000' });
  relance = await openRelance({
    config,
    log: createLogger('debug', { write: (line: string) => void logged.push(line) }),
    clock: new TestClock('2026-03-15T19:30:00Z'),
    poolSize: 5,
    queuePrefix: `test-${randomBytes(4).toString('hex')}`,
    workers: true,
  });
  server = await startTestServer(relance.services, { pages: true });
});

afterAll(async () => {
  await server?.close();
  await relance?.close();
  await discard?.();
});

/** A browser of its own: cookies kept, the page's form token derived as the server derives it. */
class Visitor {
  seed = randomBytes(32).toString('base64url');
  session: string | undefined;

  get cookie() {
    return `${CSRF_COOKIE}=${this.seed}${this.session ? `; ${SESSION_COOKIE}=${this.session}` : ''}`;
  }

  async get(path: string, headers: Record<string, string> = {}) {
    return fetch(`${server.url}${path}`, { headers: { Cookie: this.cookie, 'Accept-Language': 'fr', ...headers }, redirect: 'manual' });
  }

  async post(path: string, fields: Record<string, string>) {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: this.cookie, 'Accept-Language': 'fr' },
      body: new URLSearchParams({ csrf: formTokenFor(this.session ?? this.seed), ...fields }),
    });
    const session = /relance_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    if (session) this.session = session;
    await response.arrayBuffer();
    return response;
  }
}

describe('the logs', () => {
  it('hold no name, phone number, email address, token or PIN from a whole journey at debug level', async () => {
    const { services } = relance;
    const voters = [
      {
        external_id: 'LOG-1',
        first_name: 'Zéphyrine',
        last_name: 'Logcheck',
        phone: '+33639981234',
        email: 'zephyrine@logcheck.example',
        address: '12 rue Secrète',
      },
      {
        external_id: 'LOG-2',
        first_name: 'Barnabé',
        last_name: 'Tracelog',
        phone: '+33639985678',
        email: 'barnabe@logcheck.example',
        list_number: 2,
      },
    ];
    const password = 'purple elephant dancing slowly';
    const admin = { name: 'Ophélie Logadmin', email: 'ophelie@logcheck.example' };

    // Imports: an election, its voters, then a file with a bad row.
    const election = await createSmallElection(services);
    await services.imports.voters(election.id, voterCsv(voters), null);
    await expect(
      services.imports.voters(election.id, voterCsv([{ ...voters[0]!, phone: '+1 nonsense', external_id: 'LOG-3' }]), null),
    ).rejects.toThrow();

    // People: an admin with a password, a watcher with an invite link and PIN, an API token.
    await services.accounts.createUser({ ...admin, role: 'admin', password }, null);
    const watcher = await services.accounts.createUser({ name: 'Timothée Watchlog', role: 'watcher', stationCodes: ['0101'] }, null);
    const invite = await services.accounts.createInvite(watcher.id, null);
    const apiToken = (await services.accounts.createApiToken({ name: 'Gateway', role: 'admin', stationCodes: [] }, null)).token;

    // Sign-ins: wrong passwords (a known and an unknown email), then the right one.
    const browser = new Visitor();
    expect((await browser.post('/login', { email: admin.email, password: 'wrong password one' })).status).toBe(401);
    expect((await browser.post('/login', { email: voters[0]!.email, password: 'wrong password two' })).status).toBe(401);
    expect((await browser.post('/login', { email: admin.email, password })).status).toBe(302);
    for (const page of ['/dashboard', '/admin/users', '/admin/data', '/admin/audit', `/admin/audit?action=person.access`]) {
      expect((await browser.get(page)).status).toBe(200);
    }
    // A rights request by phone, its export, an objection.
    expect((await browser.post('/admin/rights?intent=show', { kind: 'phone', value: voters[0]!.phone })).status).toBe(200);
    expect((await browser.post('/admin/rights/export', { kind: 'email', value: voters[0]!.email })).status).toBe(200);
    expect((await browser.post('/admin/rights?intent=object', { kind: 'externalId', value: 'LOG-2' })).status).toBe(200);

    // The watcher's invite: a wrong PIN, then the right one.
    const watcherBrowser = new Visitor();
    const token = linkToken(invite.url);
    expect((await watcherBrowser.get(`/invite/${token}`)).status).toBe(200);
    const wrongPin = invite.pin === '000000' ? '111111' : '000000';
    expect((await watcherBrowser.post(`/invite/${token}`, { pin: wrongPin })).status).toBe(401);
    expect((await watcherBrowser.post(`/invite/${token}`, { pin: invite.pin! })).status).toBe(302);
    expect((await watcherBrowser.get('/watch')).status).toBe(200);

    // The API, with a token, and with personal data in a query string.
    expect((await fetch(`${server.url}/api/v1/turnout`, { headers: { Authorization: `Bearer ${apiToken}` } })).status).toBe(200);
    expect(
      (
        await fetch(`${server.url}/api/v1/turnout?phone=${encodeURIComponent(voters[1]!.phone)}`, {
          headers: { Authorization: `Bearer ${apiToken}x` },
        })
      ).status,
    ).toBe(401);

    // After the polls: the purge, by its page.
    expect((await browser.post('/admin/data', { electionId: String(election.id), confirmation: election.name })).status).toBe(200);

    // Timestamps are dropped: a 6-digit PIN could occur in one by chance.
    const output = logged.join('').replace(/"time":\d+/g, '');
    expect(output).toContain('"path":"/invite/:token"');
    expect(output).toContain('"path":"/admin/rights"');
    // Logging was on, at debug level: every request is there.
    expect(logged.filter((line) => (JSON.parse(line) as { level: number }).level === 20).length).toBeGreaterThanOrEqual(15);
    const secrets = [
      ...voters.flatMap((v) => [v.first_name, v.last_name, v.phone, v.phone.replace('+33', '0'), v.email, v.address ?? v.email]),
      admin.name,
      admin.email,
      'Timothée',
      'Watchlog',
      password,
      'wrong password',
      token,
      invite.pin!,
      wrongPin,
      apiToken,
      browser.session!,
      watcherBrowser.session!,
      encodeURIComponent(voters[1]!.phone),
    ];
    expect(secrets.filter((secret) => output.includes(secret))).toEqual([]);
  });
});
