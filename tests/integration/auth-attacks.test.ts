import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { formTokenFor } from '../../server/auth/auth.secrets.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PIN_FAILURES, SIGN_IN_LIMITS } from '../../server/auth/auth.throttle.ts';
import { PROJECT_ROOT } from '../../server/config.ts';
import { DomainError, InvalidCredentials, InvalidInput, TooManyAttempts } from '../../server/errors.ts';
import { createSmallElection, createUser } from '../factories.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/**
 * What an attacker can do against sign-in, with guesses sent at the same moment, from one address or
 * many, and what the person they target experiences meanwhile (docs/operations.md, "Security").
 * Every test has its own people and its own client addresses, so they pass alone and in any order.
 */

let t: TestServices;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  // Behind one proxy, as in production: the client address comes from X-Forwarded-For.
  t = await openTestServices({ TRUST_PROXY: '1' });
  await createSmallElection(t.services);
  server = await startTestServer(t.services, { pages: true });
});

afterAll(async () => {
  await server.close();
  await t.close();
});

let lastAddress = 0;
/** A client address no other test uses (TEST-NET-3, RFC 5737, then 198.18.0.0/15). */
function newAddress(): string {
  lastAddress += 1;
  return lastAddress < 255 ? `203.0.113.${lastAddress}` : `198.18.${lastAddress >> 8}.${lastAddress & 255}`;
}

const tokenOf = (url: string) => url.split('/invite/')[1]!;
const forty = <T>(attempt: (i: number) => Promise<T>) => Array.from({ length: 40 }, (_, i) => attempt(i));

/** How many attempts ended each way: `signed_in`, or the code of the error they were answered with. */
async function tally(attempts: Promise<unknown>[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const outcome of await Promise.allSettled(attempts)) {
    const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
    const key = outcome.status === 'fulfilled' ? 'signed_in' : reason instanceof DomainError ? reason.code : String(reason);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** What a sign-in attempt was answered with, as the caller sees it. */
async function answer(attempt: Promise<unknown>) {
  try {
    await attempt;
    return { outcome: 'signed_in' };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { outcome: error.code, message: error.message, retryAfterSeconds: (error as Partial<TooManyAttempts>).retryAfterSeconds };
  }
}

const signIn = (email: string, password: string, address: string) => t.services.auth.signInWithPassword(email, password, address);

/** Runs `count` wrong passwords for `email` from `address`, one after the other. */
async function failSignIns(email: string, address: string, count: number) {
  for (let i = 0; i < count; i++) await expect(signIn(email, `wrong password ${i}`, address)).rejects.toThrow(InvalidCredentials);
}

/** POST /login as the page's form sends it, with its form token, from `address` (behind the proxy). */
async function postLogin(email: string, password: string, address: string) {
  // A browser's form-token seed, and the token the sign-in page derives from it.
  const seed = randomBytes(32).toString('base64url');
  const response = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: `relance_csrf=${seed}`, 'X-Forwarded-For': address, 'Accept-Language': 'en' },
    body: new URLSearchParams({ csrf: formTokenFor(seed), email, password, next: '' }),
  });
  const page = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    alert: /role="alert">([^<]*)</.exec(page)?.[1] ?? null,
    signedIn: (response.headers.get('set-cookie') ?? '').includes('relance_session='),
  };
}

describe('forty guesses sent at the same moment', () => {
  it('checks 5 passwords for one email from one address; the person still signs in from their own', async () => {
    const admin = await createUser(t.services, 'admin');
    const [attacker, person] = [newAddress(), newAddress()];
    expect(await tally(forty((i) => signIn(admin.email!, `wrong guess ${i}`, attacker)))).toEqual({
      invalid_credentials: 5,
      too_many_attempts: 35,
    });
    await expect(signIn(admin.email!, admin.password!, attacker)).rejects.toThrow(TooManyAttempts);
    await expect(signIn(admin.email!, admin.password!, person)).resolves.toMatchObject({ principal: { id: admin.id } });
  });

  it('checks 7 passwords for one email from forty addresses, then slows its owner down for 5 minutes at most', async () => {
    const coordinator = await createUser(t.services, 'coordinator');
    const botnet = Array.from({ length: 40 }, newAddress);
    expect(await tally(botnet.map((address, i) => signIn(coordinator.email!, `wrong guess ${i}`, address)))).toEqual({
      invalid_credentials: SIGN_IN_LIMITS.email.failures,
      too_many_attempts: 40 - SIGN_IN_LIMITS.email.failures,
    });
    const person = newAddress();
    const refused = await answer(signIn(coordinator.email!, coordinator.password!, person));
    expect(refused).toEqual({
      outcome: 'too_many_attempts',
      message: 'Too many failed sign-ins for this email address. Wait 5 minutes, then try again, or ask an admin to unlock your account.',
      retryAfterSeconds: 300,
    });
    t.clock.advance(5 * 60_000);
    await expect(signIn(coordinator.email!, coordinator.password!, person)).resolves.toMatchObject({ principal: { id: coordinator.id } });
  });

  it('checks 5 PINs for one invite link, then blocks the link', async () => {
    const watcher = await createUser(t.services, 'watcher');
    const invite = await t.services.accounts.createInvite(watcher.id, null);
    const wrongPin = (i: number) => String((Number(invite.pin) + 1 + i) % 1_000_000).padStart(6, '0');
    expect(await tally(forty((i) => t.services.auth.redeemLink(tokenOf(invite.url), wrongPin(i), newAddress())))).toEqual({
      wrong_pin: MAX_PIN_FAILURES,
      invalid_credentials: 40 - MAX_PIN_FAILURES,
    });
    const stored = await t.services.db.prisma.invite.findFirstOrThrow({ where: { userId: watcher.id } });
    expect(stored.failedPinCount).toBe(MAX_PIN_FAILURES);
    await expect(t.services.auth.redeemLink(tokenOf(invite.url), invite.pin!, newAddress())).rejects.toThrow(/\(locked\)/);
  });

  it('checks 30 guesses from one address, across emails and links together', async () => {
    const address = newAddress();
    const guesses = [
      ...Array.from({ length: 20 }, (_, i) => signIn(`nobody.${i}.${address}@test.example`, 'a guess', address)),
      ...Array.from({ length: 20 }, () => t.services.auth.redeemLink(randomBytes(32).toString('base64url'), '123456', address)),
    ];
    expect(await tally(guesses)).toEqual({ invalid_credentials: SIGN_IN_LIMITS.address.failures, too_many_attempts: 10 });
    const admin = await createUser(t.services, 'admin');
    expect(await answer(signIn(admin.email!, admin.password!, address))).toEqual({
      outcome: 'too_many_attempts',
      message: 'Too many failed sign-ins from this network. Wait 15 minutes, then try again.',
      retryAfterSeconds: 900,
    });
  });

  it('through HTTP: 40 form posts at once get 5 checks (401), then 429 with Retry-After', async () => {
    const admin = await createUser(t.services, 'admin');
    const address = newAddress();
    const answers = await Promise.all(forty((i) => postLogin(admin.email!, `wrong guess ${i}`, address)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429 && a.retryAfter === '900')).toHaveLength(35);
    expect(await postLogin(admin.email!, admin.password!, address)).toMatchObject({ status: 429, signedIn: false });
    expect(await postLogin(admin.email!, admin.password!, newAddress())).toMatchObject({ status: 302, signedIn: true });
  });
});

describe('the same answers for an email that has an account and one that has not', () => {
  const expectedSequence = [
    ...Array.from({ length: 5 }, () => ({
      outcome: 'invalid_credentials',
      message: 'Wrong email or password.',
      retryAfterSeconds: undefined,
    })),
    ...Array.from({ length: 2 }, () => ({
      outcome: 'too_many_attempts',
      message:
        'Too many wrong passwords for this email address from your network. Wait 15 minutes, then try again, or ask an admin to unlock your account.',
      retryAfterSeconds: 900,
    })),
  ];

  it('answers seven wrong passwords identically from the service', async () => {
    const admin = await createUser(t.services, 'admin');
    for (const email of [admin.email!, `nobody.${randomBytes(4).toString('hex')}@test.example`]) {
      const address = newAddress();
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await answer(signIn(email, `wrong password ${i}`, address)));
      expect(answers).toEqual(expectedSequence);
    }
  });

  it('answers seven wrong passwords identically through the sign-in page', async () => {
    const admin = await createUser(t.services, 'admin');
    const sequences = [];
    for (const email of [admin.email!, `nobody.${randomBytes(4).toString('hex')}@test.example`]) {
      const address = newAddress();
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await postLogin(email, `wrong password ${i}`, address));
      sequences.push(answers);
    }
    const expected = [
      ...Array.from({ length: 5 }, () => ({ status: 401, retryAfter: null, alert: 'Wrong email or password.', signedIn: false })),
      ...Array.from({ length: 2 }, () => ({
        status: 429,
        retryAfter: '900',
        alert: 'Too many attempts. Wait 15 min, then try again.',
        signedIn: false,
      })),
    ];
    expect(sequences).toEqual([expected, expected]);
  });
});

describe('a lockout costs the attacker more than the person', () => {
  it('locks an email only for the address that failed; the person keeps signing in from theirs', async () => {
    const admin = await createUser(t.services, 'admin');
    const [attacker, person] = [newAddress(), newAddress()];
    await failSignIns(admin.email!, attacker, 5);
    await expect(signIn(admin.email!, admin.password!, attacker)).rejects.toThrow(TooManyAttempts);
    await expect(signIn(admin.email!, admin.password!, person)).resolves.toMatchObject({ principal: { id: admin.id } });
  });

  it('forgets a person’s own mistakes once they sign in', async () => {
    const coordinator = await createUser(t.services, 'coordinator');
    const address = newAddress();
    for (let round = 0; round < 3; round++) {
      await failSignIns(coordinator.email!, address, 4);
      await expect(signIn(coordinator.email!, coordinator.password!, address)).resolves.toMatchObject({
        principal: { id: coordinator.id },
      });
    }
  });

  it('lets an admin unlock a person at once, from every address, and audits it', async () => {
    const [admin, locked] = [await createUser(t.services, 'admin'), await createUser(t.services, 'coordinator')];
    const home = newAddress();
    // Locked out twice over: at their own address, and everywhere (guesses from other addresses too).
    await failSignIns(locked.email!, home, 5);
    await Promise.all(Array.from({ length: SIGN_IN_LIMITS.email.failures - 5 }, () => failSignIns(locked.email!, newAddress(), 1)));
    await expect(signIn(locked.email!, locked.password!, newAddress())).rejects.toThrow(/this email address\. Wait/);

    // The People page shows the longest lock: the one at their own address.
    const before = (await t.services.accounts.listUsers()).find((user) => user.id === locked.id)!;
    expect(before.signInLockedUntil).toEqual(new Date(t.clock.now().getTime() + 15 * 60_000));

    const adminPrincipal = (await signIn(admin.email!, admin.password!, newAddress())).principal;
    expect(await t.services.accounts.unlockSignIn(locked.id, adminPrincipal)).toEqual({ name: locked.name, locksLifted: 2 });
    expect((await t.services.accounts.listUsers()).find((user) => user.id === locked.id)!.signInLockedUntil).toBeNull();
    await expect(signIn(locked.email!, locked.password!, home)).resolves.toMatchObject({ principal: { id: locked.id } });

    const audit = await t.services.db.prisma.auditEvent.findMany({
      where: { action: 'user.unlock_sign_in', subjectId: String(locked.id) },
    });
    expect(audit.map((event) => [event.actorUserId, event.subjectType, event.details])).toEqual([[admin.id, 'user', { locksLifted: 2 }]]);
  });

  it('says what to do instead for people who sign in by link, and for no one', async () => {
    const watcher = await createUser(t.services, 'watcher', { name: 'Wanda' });
    await expect(t.services.accounts.unlockSignIn(watcher.id, null)).rejects.toThrow(
      new InvalidInput('Wanda signs in with an invite link and PIN, not a password: give them a new link instead.'),
    );
    await expect(t.services.accounts.unlockSignIn(999_999, null)).rejects.toThrow('No user with id 999999.');
  });

  // Each run of the command starts Node and compiles the CLI: slow on a busy machine, hence 60 s.
  it('unlocks from the command line: relance users unlock --email', async () => {
    // The command runs on the real clock: bring the test's to it, so the lock it sets is current.
    t.clock.set(new Date().toISOString());
    const coordinator = await createUser(t.services, 'coordinator', { name: 'Camille' });
    const address = newAddress();
    await failSignIns(coordinator.email!, address, 5);

    const unlocked = relance(['users', 'unlock', '--email', coordinator.email!.toUpperCase()]);
    expect([unlocked.status, unlocked.stdout, unlocked.stderr]).toEqual([
      0,
      'Camille can sign in again from anywhere (1 lock lifted).\n',
      '',
    ]);
    await expect(signIn(coordinator.email!, coordinator.password!, address)).resolves.toMatchObject({ principal: { id: coordinator.id } });

    const unknown = relance(['users', 'unlock', '--email', 'nobody@test.example']);
    expect([unknown.status, unknown.stderr.split('\n')[0]]).toEqual([2, 'No user with the email nobody@test.example.']);
  }, 60_000);
});

/** `npx relance …` as an operator runs it, against this test file's database. */
function relance(args: string[]) {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'relance.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: t.databaseUrl, PUBLIC_URL: 'https://gotv.example.org' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
