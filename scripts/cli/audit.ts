import { parseOptions } from './args.ts';
import { withServices } from './open.ts';

/**
 * relance audit purge
 *
 * Deletes the audit trail's entries older than AUDIT_RETENTION_MONTHS (the only entries the
 * database lets go), and records that it did.
 */
export async function auditPurgeCommand(args: string[]) {
  parseOptions(args, {});
  await withServices(async (services) => {
    const { deleted, before } = await services.auditTrail.purgeExpired(null);
    console.log(`Deleted ${deleted} audit entr${deleted === 1 ? 'y' : 'ies'} from before ${before.toISOString()}.`);
  });
}
