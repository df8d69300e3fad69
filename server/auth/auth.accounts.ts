import { z } from 'zod';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import { Conflict, InvalidInput, NotFound } from '../errors.ts';
import {
  EmailSchema,
  LocaleSchema,
  parseInput,
  PasswordSchema,
  PhoneSchema,
  PlainTextSchema,
  RoleSchema,
  StationCodeSchema,
  type Locale,
} from '../fields.ts';
import { PASSWORD_ROLES, STATION_SCOPED_ROLES, type Principal, type Role } from './auth.roles.ts';
import type { AuthService } from './auth.service.ts';
import { hashSecret, hashToken, newPin, newToken } from './auth.secrets.ts';
import { clearSignInLocks, signInLocks } from './auth.throttle.ts';

const NameSchema = PlainTextSchema.min(1, 'must not be empty').max(120);

/** A person as an admin describes them; the rules below say which fields each role needs. */
export const UserFieldsSchema = z.object({
  name: NameSchema,
  role: RoleSchema,
  email: EmailSchema.optional(),
  phone: PhoneSchema.optional(),
  password: PasswordSchema.optional(),
  stationCodes: z.array(StationCodeSchema).default([]),
});

/** Which fields each role needs: admins and coordinators sign in by password, watchers have stations. */
export function checkUserFields(
  user: { role: Role; email?: string; password?: string; stationCodes: readonly string[] },
  ctx: z.RefinementCtx,
): void {
  const needsPassword = PASSWORD_ROLES.includes(user.role);
  if (needsPassword && !user.email)
    ctx.addIssue({ code: 'custom', path: ['email'], message: `a ${user.role} signs in with an email address` });
  if (needsPassword && !user.password)
    ctx.addIssue({ code: 'custom', path: ['password'], message: `a ${user.role} signs in with a password` });
  if (!needsPassword && user.password)
    ctx.addIssue({ code: 'custom', path: ['password'], message: `a ${user.role} signs in by invite link and PIN, not a password` });
  if (STATION_SCOPED_ROLES.includes(user.role) && user.stationCodes.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['stationCodes'], message: 'a watcher needs at least one station' });
  }
  if (!STATION_SCOPED_ROLES.includes(user.role) && user.stationCodes.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['stationCodes'], message: `only watchers are assigned to stations` });
  }
}

export const CreateUserSchema = UserFieldsSchema.superRefine(checkUserFields);
export type CreateUserInput = z.input<typeof CreateUserSchema>;

export const CreateApiTokenSchema = z
  .object({
    name: NameSchema,
    role: RoleSchema,
    stationCodes: z.array(StationCodeSchema).default([]),
  })
  .refine((token) => !STATION_SCOPED_ROLES.includes(token.role) || token.stationCodes.length > 0, {
    path: ['stationCodes'],
    message: 'a watcher token needs at least one station',
  });
export type CreateApiTokenInput = z.input<typeof CreateApiTokenSchema>;

/** What a coordinator calls a wall screen: where it hangs ("Hall TV"). */
export const WallScreenLabelSchema = NameSchema;

/** The page a wall screen's link opens; the key travels in the fragment, which browsers never send. */
export const WALL_PATH = '/wall';

interface Dependencies {
  prisma: PrismaClient;
  clock: Clock;
  config: Pick<Config, 'publicUrl' | 'inviteHours'>;
  audit: AuditLog;
  elections: Elections;
  /** Forgets a revoked token at once on this node (other nodes within PRINCIPAL_CACHE_MS). */
  auth: Pick<AuthService, 'forgetApiToken'>;
}

export interface IssuedLink {
  /** Who the link signs in. */
  name: string;
  url: string;
  /** Given to the person separately from the link (read out, or on paper); null for a console link. */
  pin: string | null;
  expiresAt: Date;
}

/** People, their sign-in links and API tokens: what an admin manages. */
export interface WallScreenLink {
  id: number;
  label: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
}

export function createAccounts({ prisma, clock, config, audit, elections, auth }: Dependencies) {
  async function stationIds(codes: readonly string[]): Promise<number[]> {
    if (codes.length === 0) return [];
    const election = await elections.requireCurrent();
    return elections.stationIds(election.id, codes);
  }

  async function issueLink(userId: number, withPin: boolean, actor: Principal | null): Promise<IssuedLink> {
    const user = await prisma.user.findUnique({ where: { id: userId } });
    if (!user || user.disabledAt) throw new NotFound(`No active user with id ${userId}.`);
    const token = newToken();
    const pin = withPin ? newPin() : null;
    const expiresAt = new Date(clock.now().getTime() + config.inviteHours * 3600_000);
    const pinHash = pin ? await hashSecret(pin) : null;
    await prisma.$transaction(async (tx) => {
      const invite = await tx.invite.create({
        data: {
          tokenHash: hashToken(token),
          userId,
          pinHash,
          expiresAt,
          createdById: actor?.kind === 'user' ? actor.id : null,
          createdAt: clock.now(),
        },
      });
      await audit.record(tx, {
        actor,
        action: withPin ? 'invite.create' : 'sign_in_link.create',
        subjectType: 'user',
        subjectId: userId,
        details: { inviteId: invite.id },
      });
    });
    return { name: user.name, url: `${config.publicUrl}/invite/${token}`, pin, expiresAt };
  }

  return {
    async createUser(input: CreateUserInput, actor: Principal | null) {
      const user = parseInput(CreateUserSchema, input);
      const ids = await stationIds(user.stationCodes);
      const passwordHash = user.password ? await hashSecret(user.password) : null;
      // Watchers and volunteers are recruited for one election: its purge erases their accounts.
      const electionId = user.role === 'watcher' || user.role === 'volunteer' ? ((await elections.current())?.id ?? null) : null;
      const emailTaken = () => new Conflict(`A user with the email ${user.email} already exists.`, 'email');
      if (user.email && (await prisma.user.findUnique({ where: { email: user.email } }))) throw emailTaken();
      return prisma
        .$transaction(async (tx) => {
          const created = await tx.user.create({
            data: {
              name: user.name,
              role: user.role,
              email: user.email ?? null,
              phone: user.phone ?? null,
              passwordHash,
              electionId,
              createdAt: clock.now(),
              assignments: { create: ids.map((stationId) => ({ stationId })) },
            },
          });
          await audit.record(tx, {
            actor,
            action: 'user.create',
            subjectType: 'user',
            subjectId: created.id,
            details: { role: user.role, stations: ids.length },
          });
          return created;
        })
        .catch((error: unknown) => {
          // Two admins adding the same email at the same moment: the unique index decides.
          throw (error as { code?: string }).code === 'P2002' ? emailTaken() : error;
        });
    },

    async listUsers() {
      const users = await prisma.user.findMany({
        orderBy: [{ role: 'asc' }, { name: 'asc' }],
        include: { assignments: { include: { station: { select: { code: true } } } } },
      });
      const locks = await signInLocks(
        prisma,
        users.flatMap((user) => (user.email ? [user.email] : [])),
        clock.now(),
      );
      return users.map((user) => ({
        id: user.id,
        name: user.name,
        email: user.email,
        role: user.role,
        stationCodes: user.assignments.map((a) => a.station.code).sort(),
        lastLoginAt: user.lastLoginAt,
        disabled: user.disabledAt !== null,
        /** Set while too many failed sign-ins refuse this email somewhere: `unlockSignIn` lifts it. */
        signInLockedUntil: user.email ? (locks.get(user.email) ?? null) : null,
      }));
    },

    /**
     * Lets a person locked out by failed sign-ins (theirs or an attacker's) sign in again at once,
     * from every address. Audited. Returns how many locks were lifted (0: they were not locked out).
     */
    async unlockSignIn(userId: number, actor: Principal | null): Promise<{ name: string; locksLifted: number }> {
      const user = await prisma.user.findUnique({ where: { id: userId } });
      if (!user) throw new NotFound(`No user with id ${userId}.`);
      if (!user.email) {
        throw new InvalidInput(`${user.name} signs in with an invite link and PIN, not a password: give them a new link instead.`);
      }
      const email = user.email;
      const locksLifted = await prisma.$transaction(async (tx) => {
        const lifted = await clearSignInLocks(tx, email, clock.now());
        await audit.record(tx, {
          actor,
          action: 'user.unlock_sign_in',
          subjectType: 'user',
          subjectId: userId,
          details: { locksLifted: lifted },
        });
        return lifted;
      });
      return { name: user.name, locksLifted };
    },

    async findUserByEmail(email: string) {
      return prisma.user.findUnique({ where: { email: EmailSchema.parse(email) } });
    },

    /** An invite: a one-time link plus a PIN, for people who sign in from a phone on the day. */
    async createInvite(userId: number, actor: Principal | null): Promise<IssuedLink> {
      return issueLink(userId, true, actor);
    },

    /** A one-time link without PIN, printed on the server's console (local mode) or by the CLI. */
    async createSignInLink(userId: number, actor: Principal | null): Promise<IssuedLink> {
      return issueLink(userId, false, actor);
    },

    /** Returns the token once; only its hash is kept. */
    async createApiToken(input: CreateApiTokenInput, actor: Principal | null): Promise<{ id: number; token: string; role: Role }> {
      const spec = parseInput(CreateApiTokenSchema, input);
      const ids = await stationIds(spec.stationCodes);
      const token = newToken('rel_');
      const created = await prisma.$transaction(async (tx) => {
        const apiToken = await tx.apiToken.create({
          data: {
            name: spec.name,
            role: spec.role,
            tokenHash: hashToken(token),
            createdById: actor?.kind === 'user' ? actor.id : null,
            createdAt: clock.now(),
            stations: { create: ids.map((stationId) => ({ stationId })) },
          },
        });
        await audit.record(tx, {
          actor,
          action: 'api_token.create',
          subjectType: 'api_token',
          subjectId: apiToken.id,
          details: { role: spec.role, stations: ids.length },
        });
        return apiToken;
      });
      return { id: created.id, token, role: spec.role };
    },

    /**
     * New secrets for existing tokens, in one audited transaction: the old ones stop working. For a
     * tool that keeps its tokens from run to run but, like everyone, sees a secret only once.
     */
    async reissueApiTokens(tokenIds: readonly number[], actor: Principal | null): Promise<Map<number, string>> {
      const tokens = new Map(tokenIds.map((id) => [id, newToken('rel_')]));
      if (tokens.size === 0) return tokens;
      await prisma.$transaction(async (tx) => {
        for (const [id, token] of tokens) await tx.apiToken.update({ where: { id }, data: { tokenHash: hashToken(token) } });
        await audit.record(tx, { actor, action: 'api_token.reissue', details: { tokens: tokens.size } });
      });
      return tokens;
    },

    /**
     * Stops a token at once: it is refused from its next request or socket event. Audited. With
     * `wallScreensOnly`, only a wall screen's link may be revoked (what coordinators manage).
     */
    async revokeApiToken(tokenId: number, actor: Principal | null, { wallScreensOnly = false } = {}): Promise<{ name: string }> {
      const revoked = await prisma.$transaction(async (tx) => {
        const now = clock.now();
        const where = { id: tokenId, revokedAt: null, ...(wallScreensOnly ? { wallScreen: true } : {}) };
        const { count } = await tx.apiToken.updateMany({ where, data: { revokedAt: now } });
        if (count === 0) throw new NotFound(`No active ${wallScreensOnly ? 'wall screen link' : 'API token'} with id ${tokenId}.`);
        const token = await tx.apiToken.findUniqueOrThrow({ where: { id: tokenId } });
        await audit.record(tx, {
          actor,
          action: 'api_token.revoke',
          subjectType: 'api_token',
          subjectId: tokenId,
          details: { role: token.role, wallScreen: token.wallScreen },
        });
        return token;
      });
      auth.forgetApiToken(revoked.tokenHash);
      return { name: revoked.name };
    },

    /**
     * A wall screen's link: a viewer token (the war room, read only) whose key is in the URL's fragment.
     * Returned once, like every token; audited.
     */
    async createWallScreenLink(label: string, actor: Principal | null): Promise<{ id: number; label: string; url: string }> {
      const name = parseInput(z.object({ label: WallScreenLabelSchema }), { label }).label;
      const token = newToken('rel_');
      const created = await prisma.$transaction(async (tx) => {
        const apiToken = await tx.apiToken.create({
          data: {
            name,
            role: 'viewer',
            wallScreen: true,
            tokenHash: hashToken(token),
            createdById: actor?.kind === 'user' ? actor.id : null,
            createdAt: clock.now(),
          },
        });
        await audit.record(tx, { actor, action: 'wall_screen.create', subjectType: 'api_token', subjectId: apiToken.id, details: {} });
        return apiToken;
      });
      return { id: created.id, label: name, url: `${config.publicUrl}${WALL_PATH}#key=${token}` };
    },

    /** The wall screen links still in force, newest first. */
    async listWallScreenLinks(): Promise<WallScreenLink[]> {
      const tokens = await prisma.apiToken.findMany({
        where: { wallScreen: true, revokedAt: null },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        include: { createdBy: { select: { name: true } } },
      });
      return tokens.map((token) => ({
        id: token.id,
        label: token.name,
        createdAt: token.createdAt,
        createdBy: token.createdBy?.name ?? null,
        lastUsedAt: token.lastUsedAt,
      }));
    },

    async setLocale(userId: number, locale: Locale): Promise<void> {
      await prisma.user.update({ where: { id: userId }, data: { locale: LocaleSchema.parse(locale) } });
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
