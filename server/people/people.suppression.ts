import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * The suppression list: people erased at their request, or who objected to being contacted, kept
 * only as SHA-256 hashes of their phone number, email address and external id, so that a later
 * import of an old file neither brings them back nor contacts them
 * (docs/decisions/019-personal-data-purge-and-rights.md). The same hashes are computed in SQL by
 * `applySuppressions`: the prefixes and normalisation here and there must agree.
 */

export type SuppressionKind = 'phone' | 'email' | 'external_id';

export interface PersonKeys {
  externalId?: string | null;
  /** E.164. */
  phone?: string | null;
  email?: string | null;
}

function hashOf(kind: SuppressionKind, value: string): string {
  return createHash('sha256').update(`${kind}:${value}`, 'utf8').digest('hex');
}

/** The hashes a person is suppressed under: one per identifier known. */
export function suppressionHashes(keys: PersonKeys): string[] {
  const hashes: string[] = [];
  if (keys.phone) hashes.push(hashOf('phone', keys.phone));
  if (keys.email) hashes.push(hashOf('email', keys.email.trim().toLowerCase()));
  if (keys.externalId) hashes.push(hashOf('external_id', keys.externalId));
  return hashes;
}

/** SQL for the hash of a column of `voter_import`, matching `hashOf`. */
const sqlHash = (kind: SuppressionKind, column: string) => `encode(sha256(convert_to('${kind}:' || ${column}, 'UTF8')), 'hex')`;

const MATCHES = (reason: 'erasure' | 'objection') => `EXISTS (
  SELECT 1 FROM suppression s WHERE s.reason = '${reason}' AND s.hash IN (
    ${sqlHash('phone', 'i.phone')}, ${sqlHash('email', 'lower(i.email)')}, ${sqlHash('external_id', 'i.external_id')}))`;

export interface SuppressionResult {
  /** Rows dropped: people erased at their request. */
  erased: number;
  /** Rows kept but marked do-not-contact, without consent: people who objected. */
  objected: number;
}

/**
 * Applies the suppression list to a voter import's staging table (`voter_import`), in the import's
 * transaction, before it is merged into the voter file.
 */
export async function applySuppressions(client: pg.ClientBase): Promise<SuppressionResult> {
  const erased = await client.query(`DELETE FROM voter_import i WHERE ${MATCHES('erasure')}`);
  const objected = await client.query(
    `UPDATE voter_import i SET do_not_contact = true, sms_consent = false, call_consent = false WHERE ${MATCHES('objection')}`,
  );
  return { erased: erased.rowCount ?? 0, objected: objected.rowCount ?? 0 };
}
