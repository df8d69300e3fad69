import type pg from 'pg';
import type { Principal } from '../auth/auth.roles.ts';
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

/**
 * The transaction of the change an entry records: a Prisma interactive transaction, or the
 * driver's client for the bulk paths that run their own (COPY). Never the pool itself: an entry
 * written after its change commits is lost if the process dies in between.
 */
export type AuditTransaction = Pick<Prisma.TransactionClient, 'auditEvent'> | pg.ClientBase;

/** The append-only trail of who did what (the table refuses updates and deletes). */
export function createAuditLog() {
  return {
    /** Records `entry` in `tx`, the transaction of the change it describes: both commit, or neither. */
    async record(tx: AuditTransaction, entry: AuditEntry): Promise<void> {
      const row = {
        actorUserId: entry.actor?.kind === 'user' ? entry.actor.id : null,
        actorTokenId: entry.actor?.kind === 'token' ? entry.actor.id : null,
        action: entry.action,
        subjectType: entry.subjectType ?? null,
        subjectId: entry.subjectId === undefined ? null : String(entry.subjectId),
      };
      if ('auditEvent' in tx) {
        await tx.auditEvent.create({ data: { ...row, details: entry.details ?? undefined } });
        return;
      }
      await tx.query(
        `INSERT INTO audit_event (actor_user_id, actor_token_id, action, subject_type, subject_id, details)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [row.actorUserId, row.actorTokenId, row.action, row.subjectType, row.subjectId, entry.details ?? null],
      );
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
