import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PRINCIPAL_CACHE_MS } from '../../server/auth/auth.service.ts';
import { MAX_PIN_FAILURES } from '../../server/auth/auth.throttle.ts';
import { InvalidCredentials, InvalidInput, TooManyAttempts } from '../../server/errors.ts';
import { apiToken, createSmallElection, createUser } from '../factories.ts';
import { clientAddress, linkToken, signedIn } from '../fixtures.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
});

// Some tests move the clock (lockouts, expiries): each starts at the same moment of polling day.
beforeEach(() => t.clock.reset());

afterAll(() => t.close());

describe('password sign-in (admins and coordinators)', () => {
  it('opens a session whose cookie token identifies the person', async () => {
    const user = await createUser(t.services, 'coordinator');
    const grant = await t.services.auth.signInWithPassword(user.email!, user.password!, clientAddress());
    expect(grant.principal).toMatchObject({ kind: 'user', id: user.id, role: 'coordinator', stations: 'all' });
    expect(grant.expiresAt.getTime() - t.clock.now().getTime()).toBe(24 * 3600_000);
    expect(await t.services.auth.principalForSession(grant.sessionToken)).toMatchObject({ id: user.id, role: 'coordinator' });
    const stored = await t.services.db.prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.tokenHash).not.toBe(grant.sessionToken);
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const user = await createUser(t.services, 'admin');
    const address = clientAddress();
    await expect(t.services.auth.signInWithPassword('nobody@test.example', 'whatever', address)).rejects.toThrow(
      new InvalidCredentials('Wrong email or password.'),
    );
    await expect(t.services.auth.signInWithPassword(user.email!, 'not the password', address)).rejects.toThrow(
      new InvalidCredentials('Wrong email or password.'),
    );
  });

  it('locks the email for that address for 15 minutes after 5 wrong passwords, even for the right one', async () => {
    const user = await createUser(t.services, 'admin');
    const address = clientAddress();
    for (let i = 0; i < 5; i++) {
      await expect(t.services.auth.signInWithPassword(user.email!, `wrong ${i}`, address)).rejects.toThrow(InvalidCredentials);
    }
    await expect(t.services.auth.signInWithPassword(user.email!, user.password!, address)).rejects.toThrow(TooManyAttempts);
    t.clock.advance(16 * 60_000);
    await expect(t.services.auth.signInWithPassword(user.email!, user.password!, address)).resolves.toMatchObject({
      principal: { id: user.id },
    });
  });

  it('slows down an address that keeps failing, whatever the accounts', async () => {
    const address = clientAddress();
    for (let i = 0; i < 30; i++) {
      await expect(t.services.auth.signInWithPassword(`guess${i}@test.example`, 'x', address)).rejects.toThrow(InvalidCredentials);
    }
    const user = await createUser(t.services, 'admin');
    await expect(t.services.auth.signInWithPassword(user.email!, user.password!, address)).rejects.toThrow(TooManyAttempts);
    await expect(t.services.auth.signInWithPassword(user.email!, user.password!, clientAddress())).resolves.toBeDefined();
  });

  it('refuses a NUL or a line break in a name as invalid input, before the database sees it', async () => {
    const before = await t.services.db.prisma.user.count();
    const nul = t.services.accounts.createUser({ name: 'Ada\u0000Lovelace', role: 'volunteer' }, null);
    await expect(nul).rejects.toThrow(InvalidInput);
    await expect(nul).rejects.toMatchObject({ field: 'name' });
    await expect(t.services.accounts.createUser({ name: 'Ada\nLovelace', role: 'volunteer' }, null)).rejects.toThrow(InvalidInput);
    await expect(t.services.accounts.createApiToken({ name: 'wall\u0000screen', role: 'viewer' }, null)).rejects.toThrow(InvalidInput);
    expect(await t.services.db.prisma.user.count()).toBe(before);
  });

  it('refuses people who sign in by link (watchers have no password)', async () => {
    await expect(
      t.services.accounts.createUser({ name: 'W', role: 'watcher', password: 'a long enough password', stationCodes: ['0101'] }, null),
    ).rejects.toThrow(InvalidInput);
  });
});

describe('invite links and PINs (watchers, volunteers, wall screens)', () => {
  it('signs a watcher in once with the right PIN, scoped to their stations', async () => {
    const watcher = await createUser(t.services, 'watcher', { stationCodes: ['0101', '0201'] });
    const invite = await t.services.accounts.createInvite(watcher.id, null);
    expect(invite.pin).toMatch(/^\d{6}$/);
    expect(await t.services.auth.inspectLink(linkToken(invite.url))).toEqual({ state: 'ready', needsPin: true, name: watcher.name });

    const address = clientAddress();
    const grant = await t.services.auth.redeemLink(linkToken(invite.url), invite.pin!, address);
    const stationIds = await t.services.elections.stationIds((await t.services.elections.requireCurrent()).id, ['0101', '0201']);
    expect(grant.principal.role).toBe('watcher');
    expect(grant.principal.stations).toEqual(new Set(stationIds));

    expect(await t.services.auth.inspectLink(linkToken(invite.url))).toEqual({ state: 'used' });
    await expect(t.services.auth.redeemLink(linkToken(invite.url), invite.pin!, address)).rejects.toThrow(/\(used\)/);
  });

  it('counts wrong PINs down, then blocks the link', async () => {
    const volunteer = await createUser(t.services, 'volunteer');
    const invite = await t.services.accounts.createInvite(volunteer.id, null);
    const wrong = invite.pin === '000000' ? '111111' : '000000';
    const address = clientAddress();
    await expect(t.services.auth.redeemLink(linkToken(invite.url), wrong, address)).rejects.toThrow('Wrong PIN. 4 attempts left.');
    for (let i = 2; i < MAX_PIN_FAILURES; i++)
      await expect(t.services.auth.redeemLink(linkToken(invite.url), wrong, address)).rejects.toThrow(InvalidCredentials);
    await expect(t.services.auth.redeemLink(linkToken(invite.url), wrong, address)).rejects.toThrow(/now blocked/);
    expect(await t.services.auth.inspectLink(linkToken(invite.url))).toEqual({ state: 'locked' });
    await expect(t.services.auth.redeemLink(linkToken(invite.url), invite.pin!, address)).rejects.toThrow(/\(locked\)/);
  });

  it('expires after INVITE_HOURS', async () => {
    const viewer = await createUser(t.services, 'viewer');
    const invite = await t.services.accounts.createInvite(viewer.id, null);
    t.clock.advance(72 * 3600_000 + 1);
    expect(await t.services.auth.inspectLink(linkToken(invite.url))).toEqual({ state: 'expired' });
    await expect(t.services.auth.redeemLink(linkToken(invite.url), invite.pin!, clientAddress())).rejects.toThrow(/\(expired\)/);
  });

  it('spends a link exactly once when it is submitted twice at the same moment', async () => {
    const volunteer = await createUser(t.services, 'volunteer');
    const invite = await t.services.accounts.createInvite(volunteer.id, null);
    const attempts = await Promise.allSettled(
      [1, 2, 3].map(() => t.services.auth.redeemLink(linkToken(invite.url), invite.pin!, clientAddress())),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(await t.services.db.prisma.session.count({ where: { userId: volunteer.id } })).toBe(1);
  });

  it('knows nothing of a made-up link', async () => {
    expect(await t.services.auth.inspectLink('made-up')).toEqual({ state: 'unknown' });
  });
});

describe('sessions and API tokens', () => {
  it('ends a session at sign-out and when it expires', async () => {
    const admin = await createUser(t.services, 'admin');
    const address = clientAddress();
    const first = await t.services.auth.signInWithPassword(admin.email!, admin.password!, address);
    await t.services.auth.signOut(first.sessionToken);
    expect(await t.services.auth.principalForSession(first.sessionToken)).toBeNull();

    const second = await t.services.auth.signInWithPassword(admin.email!, admin.password!, address);
    t.clock.advance(24 * 3600_000);
    expect(await t.services.auth.principalForSession(second.sessionToken)).toBeNull();
  });

  it('gives a token its role and station scope; a watcher token must name stations', async () => {
    const token = await apiToken(t.services, 'watcher', ['0202']);
    const principal = await t.services.auth.principalForApiToken(token);
    expect(principal).toMatchObject({ kind: 'token', role: 'watcher' });
    expect([...(principal!.stations as Set<number>)]).toHaveLength(1);
    await expect(apiToken(t.services, 'watcher')).rejects.toThrow('stationCodes: a watcher token needs at least one station');
    await expect(apiToken(t.services, 'admin', ['9999'])).rejects.toThrow('Unknown station code: 9999.');
    expect(await t.services.auth.principalForApiToken(token + 'x')).toBeNull();
  });

  it('stops honouring a revoked token', async () => {
    const token = await apiToken(t.services, 'coordinator');
    const principal = await t.services.auth.principalForApiToken(token);
    await t.services.db.prisma.apiToken.update({ where: { id: principal!.id }, data: { revokedAt: t.clock.now() } });
    // Who a token belongs to is remembered for a few seconds (every report looks it up): no longer.
    t.clock.advance(PRINCIPAL_CACHE_MS);
    expect(await t.services.auth.principalForApiToken(token)).toBeNull();
  });

  it('keeps an audit trail that cannot be rewritten', async () => {
    const admin = await createUser(t.services, 'admin');
    await t.services.auth.signInWithPassword(admin.email!, admin.password!, clientAddress());
    const watcher = await signedIn(t.services, 'watcher');
    const theirs = { subjectType: 'user', subjectId: { in: [String(admin.id), String(watcher.user.id)] } };
    const events = await t.services.db.prisma.auditEvent.findMany({ where: theirs, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.action, e.subjectId])).toEqual([
      ['user.create', String(admin.id)],
      ['session.start', String(admin.id)],
      ['user.create', String(watcher.user.id)],
      ['sign_in_link.create', String(watcher.user.id)],
      ['session.start', String(watcher.user.id)],
    ]);
    expect(events.filter((e) => e.action === 'session.start').map((e) => e.details)).toEqual([{ method: 'password' }, { method: 'link' }]);
    expect(JSON.stringify(events)).not.toMatch(/@test\.example/);
    await expect(t.services.db.prisma.auditEvent.deleteMany({ where: theirs })).rejects.toThrow(/append-only/);
    await expect(t.services.db.prisma.auditEvent.updateMany({ where: theirs, data: { action: 'rewritten' } })).rejects.toThrow(
      /append-only/,
    );
    expect(await t.services.db.prisma.auditEvent.findMany({ where: theirs, orderBy: { id: 'asc' } })).toEqual(events);
  });
});
