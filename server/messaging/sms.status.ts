import type { PrismaClient } from '../db/database.ts';
import type { Logger } from '../logger.ts';

/**
 * Twilio's status callbacks (docs/sms-inbound.md): each moves an outbox row, found by its message
 * SID, forward through pending → sending → sent → delivered | failed | undelivered. Callbacks may
 * arrive late and out of order (Twilio sends each from its own queue), so a status never moves a
 * row backwards: a `sent` arriving after `delivered` changes nothing. Done in one conditional
 * UPDATE, so two callbacks racing each other settle on the furthest status.
 */

/** Twilio's MessageStatus values, as the outbox records them; others (receiving, received) are not for outbound rows. */
const TWILIO_STATUSES = {
  accepted: 'sending',
  scheduled: 'sending',
  queued: 'sending',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'canceled',
} as const;

export type OutboxStatus = (typeof TWILIO_STATUSES)[keyof typeof TWILIO_STATUSES] | 'pending';

/** How far along each status is; a row only moves to a higher rank. Final statuses share the top one. */
const RANKS: Record<OutboxStatus, number> = { pending: 0, sending: 1, sent: 2, delivered: 3, failed: 3, undelivered: 3, canceled: 3 };

/** The outbox status for a Twilio MessageStatus, or null for one that says nothing about an outbound text. */
export function outboxStatusOf(twilioStatus: string): OutboxStatus | null {
  return Object.hasOwn(TWILIO_STATUSES, twilioStatus) ? TWILIO_STATUSES[twilioStatus as keyof typeof TWILIO_STATUSES] : null;
}

/** Whether a row in `from` may move to `to`. */
export function movesForward(from: OutboxStatus, to: OutboxStatus): boolean {
  return RANKS[to] > RANKS[from];
}

export interface StatusCallback {
  messageSid: string;
  messageStatus: string;
  errorCode: string | null;
}

export type StatusOutcome = 'updated' | 'unchanged' | 'unknown_message' | 'ignored_status';

export function createStatusCallbacks({ prisma, log }: { prisma: PrismaClient; log: Logger }) {
  return {
    async apply({ messageSid, messageStatus, errorCode }: StatusCallback): Promise<StatusOutcome> {
      const status = outboxStatusOf(messageStatus);
      if (!status) {
        log.info({ messageSid, messageStatus }, 'sms status callback ignored: not an outbound status');
        return 'ignored_status';
      }
      const rank = RANKS[status];
      const updated = await prisma.$executeRaw`
        UPDATE outbound_message
        SET status = ${status}::message_status,
            error_code = COALESCE(${errorCode}, error_code),
            updated_at = now()
        WHERE provider_sid = ${messageSid}
          AND (CASE status WHEN 'pending' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END) < ${rank}`;
      if (updated > 0) return 'updated';
      const known = await prisma.outboundMessage.count({ where: { providerSid: messageSid } });
      if (known === 0) {
        // The SID only: it names a message, not a person.
        log.warn({ messageSid, messageStatus }, 'sms status callback for an unknown message');
        return 'unknown_message';
      }
      return 'unchanged';
    },
  };
}

export type StatusCallbacks = ReturnType<typeof createStatusCallbacks>;
