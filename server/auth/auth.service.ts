import { LRUCache } from 'lru-cache';
import { staggered, type Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Invite, User } from '../db/generated/client.ts';
import { InvalidCredentials, WrongPin } from '../errors.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import { PASSWORD_ROLES, STATION_SCOPED_ROLES, type Principal } from './auth.roles.ts';
import { hashToken, newToken, UNUSABLE_HASH, verifySecret } from './auth.secrets.ts';
import { createSignInThrottle, linkBudgets, MAX_PIN_FAILURES, passwordBudgets } from './auth.throttle.ts';

// Writing lastSeenAt on every request would turn every page view into a write.
const TOUCH_INTERVAL_MS = 5 * 60_000;

/**
 * How long who a token or session belongs to is remembered. Every report a phone sends looks it up,
 * and at 2,000 reports a second that lookup would be most of the database's work. A token revoked
 * or a person disabled elsewhere stops working within this time; a sign-out here, at once.
 */
export const PRINCIPAL_CACHE_MS = 5_000;

export interface SessionGrant {
  sessionToken: string;
  expiresAt: Date;
  principal: Principal;
}

export type LinkState = { state: 'ready'; needsPin: boolean; name: string } | { state: 'used' | 'expired' | 'locked' | 'unknown' };

type UserWithScope = User & { assignments: { stationId: number }[] };

export function principalOfUser(user: UserWithScope): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.name,
    role: user.role,
    stations: STATION_SCOPED_ROLES.includes(user.role) ? new Set(user.assignments.map((a) => a.stationId)) : 'all',
    locale: user.locale,
  };
}

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Pick<Config, 'sessionHours'>;
  audit: AuditLog;
}

export function createAuthService({ prisma, clock, config, audit }: Dependencies) {
  const throttle = createSignInThrottle({ prisma, clock });
  // Keyed by the token's hash, so the cache holds no usable secret. Judged by the services' clock.
  const known = new LRUCache<string, { principal: Principal | null; until: number }>({ max: 20_000 });

  async function remembered(key: string, lookUp: () => Promise<{ principal: Principal | null; expiresAt: Date | null }>) {
    const now = clock.now().getTime();
    const entry = known.get(key);
    if (entry && entry.until > now) return entry.principal;
    const { principal, expiresAt } = await lookUp();
    known.set(key, { principal, until: Math.min(now + staggered(PRINCIPAL_CACHE_MS), expiresAt?.getTime() ?? Infinity) });
    return principal;
  }

  async function recordAttempt(ip: string, succeeded: boolean) {
    await prisma.loginAttempt.create({ data: { ip, succeeded, at: clock.now() } });
  }

  async function startSession(userId: number, method: string): Promise<SessionGrant> {
    const now = clock.now();
    const sessionToken = newToken();
    const expiresAt = new Date(now.getTime() + config.sessionHours * 3600_000);
    const principal = await prisma.$transaction(async (tx) => {
      await tx.session.create({ data: { tokenHash: hashToken(sessionToken), userId, createdAt: now, lastSeenAt: now, expiresAt } });
      const user = await tx.user.update({
        where: { id: userId },
        data: { lastLoginAt: now, failedLoginCount: 0, lockedUntil: null },
        include: { assignments: { select: { stationId: true } } },
      });
      const signedIn = principalOfUser(user);
      await audit.record(tx, { actor: signedIn, action: 'session.start', subjectType: 'user', subjectId: userId, details: { method } });
      return signedIn;
    });
    return { sessionToken, expiresAt, principal };
  }

  function linkState(invite: (Invite & { user: User }) | null): LinkState {
    const now = clock.now();
    if (!invite || invite.user.disabledAt) return { state: 'unknown' };
    if (invite.usedAt) return { state: 'used' };
    if (invite.expiresAt <= now) return { state: 'expired' };
    if (invite.failedPinCount >= MAX_PIN_FAILURES) return { state: 'locked' };
    return { state: 'ready', needsPin: invite.pinHash !== null, name: invite.user.name };
  }

  async function findInvite(token: string) {
    return prisma.invite.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  }

  return {
    /**
     * Admins and coordinators. A wrong email and a wrong password look the same from outside: same
     * answer, after the same work, and the same limits (auth.throttle.ts), which count the email
     * address as typed, whether an account has it or not.
     */
    async signInWithPassword(email: string, password: string, ip: string): Promise<SessionGrant> {
      const budgets = passwordBudgets(ip, email);
      await throttle.reserve(budgets);
      const user = await prisma.user.findUnique({ where: { email } });
      const usable = user !== null && user.passwordHash !== null && user.disabledAt === null && PASSWORD_ROLES.includes(user.role);
      const matches = await verifySecret(password, usable ? user.passwordHash! : UNUSABLE_HASH);
      if (!usable || !matches) {
        await recordAttempt(ip, false);
        throw new InvalidCredentials('Wrong email or password.');
      }
      await throttle.succeeded(budgets);
      await recordAttempt(ip, true);
      return startSession(user.id, 'password');
    },

    /** What the sign-in link page shows before anything is submitted. */
    async inspectLink(token: string): Promise<LinkState> {
      return linkState(await findInvite(token));
    },

    /** A one-time link, with the PIN it was issued with (none for the console's admin link). */
    async redeemLink(token: string, pin: string | undefined, ip: string): Promise<SessionGrant> {
      const budgets = linkBudgets(ip);
      await throttle.reserve(budgets);
      const invite = await findInvite(token);
      const state = linkState(invite);
      if (state.state !== 'ready' || !invite) {
        await recordAttempt(ip, false);
        throw new InvalidCredentials(`This sign-in link cannot be used (${state.state}). Ask your coordinator for a new one.`);
      }
      if (invite.pinHash !== null) {
        // Take one of the link's PIN attempts before checking the PIN, in one conditional statement,
        // so that PINs sent at the same moment cannot check more than MAX_PIN_FAILURES between them.
        const [taken] = await prisma.invite.updateManyAndReturn({
          where: { id: invite.id, failedPinCount: { lt: MAX_PIN_FAILURES } },
          data: { failedPinCount: { increment: 1 } },
          select: { failedPinCount: true },
        });
        if (!taken) {
          await recordAttempt(ip, false);
          throw new InvalidCredentials('This sign-in link cannot be used (locked). Ask your coordinator for a new one.');
        }
        if (!(await verifySecret(pin ?? '', invite.pinHash))) {
          await recordAttempt(ip, false);
          throw new WrongPin(MAX_PIN_FAILURES - taken.failedPinCount);
        }
      }
      // Spend the link exactly once, even if it is submitted twice at the same moment.
      const spent = await prisma.invite.updateMany({ where: { id: invite.id, usedAt: null }, data: { usedAt: clock.now() } });
      if (spent.count !== 1) throw new InvalidCredentials('This sign-in link has already been used. Ask your coordinator for a new one.');
      await throttle.succeeded(budgets);
      await recordAttempt(ip, true);
      return startSession(invite.userId, invite.pinHash ? 'invite' : 'link');
    },

    async principalForSession(sessionToken: string): Promise<Principal | null> {
      const tokenHash = hashToken(sessionToken);
      return remembered(`session:${tokenHash}`, async () => {
        const session = await prisma.session.findUnique({
          where: { tokenHash },
          include: { user: { include: { assignments: { select: { stationId: true } } } } },
        });
        const now = clock.now();
        if (!session || session.expiresAt <= now || session.user.disabledAt) return { principal: null, expiresAt: null };
        if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
          await prisma.session.update({ where: { id: session.id }, data: { lastSeenAt: now } });
        }
        return { principal: principalOfUser(session.user), expiresAt: session.expiresAt };
      });
    },

    async principalForApiToken(token: string): Promise<Principal | null> {
      const tokenHash = hashToken(token);
      return remembered(`token:${tokenHash}`, async () => {
        const apiToken = await prisma.apiToken.findUnique({ where: { tokenHash }, include: { stations: { select: { stationId: true } } } });
        const now = clock.now();
        if (!apiToken || apiToken.revokedAt || (apiToken.expiresAt && apiToken.expiresAt <= now))
          return { principal: null, expiresAt: null };
        if (!apiToken.lastUsedAt || now.getTime() - apiToken.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
          await prisma.apiToken.update({ where: { id: apiToken.id }, data: { lastUsedAt: now } });
        }
        const principal: Principal = {
          kind: 'token',
          id: apiToken.id,
          name: apiToken.name,
          role: apiToken.role,
          // A token limited to stations acts on those only; a watcher's token always is.
          stations:
            apiToken.stations.length > 0 || STATION_SCOPED_ROLES.includes(apiToken.role)
              ? new Set(apiToken.stations.map((s) => s.stationId))
              : 'all',
          locale: null,
        };
        return { principal, expiresAt: apiToken.expiresAt };
      });
    },

    /** A token revoked here stops at once on this node, not after PRINCIPAL_CACHE_MS. */
    forgetApiToken(tokenHash: string): void {
      known.delete(`token:${tokenHash}`);
    },

    async signOut(sessionToken: string): Promise<void> {
      const tokenHash = hashToken(sessionToken);
      known.delete(`session:${tokenHash}`);
      await prisma.session.deleteMany({ where: { tokenHash } });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
