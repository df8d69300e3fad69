import type { Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Prisma } from '../db/generated/client.ts';

export interface AuditEntry {
  actor: Principal | null;
  /** domain.verb: user.create, invite.redeem, import.voters… */
  action: string;
  subjectType?: string;
  subjectId?: string | number;
  /** Ids and counts only: never a name, phone number or address. */
  details?: Prisma.InputJsonObject;
}

type Writer = Pick<PrismaClient, 'auditEvent'>;

/** The append-only trail of who did what (the table refuses updates and deletes). */
export function createAuditLog(prisma: PrismaClient) {
  return {
    async record(entry: AuditEntry, tx: Writer = prisma): Promise<void> {
      await tx.auditEvent.create({
        data: {
          actorUserId: entry.actor?.kind === 'user' ? entry.actor.id : null,
          actorTokenId: entry.actor?.kind === 'token' ? entry.actor.id : null,
          action: entry.action,
          subjectType: entry.subjectType ?? null,
          subjectId: entry.subjectId === undefined ? null : String(entry.subjectId),
          details: entry.details ?? undefined,
        },
      });
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
