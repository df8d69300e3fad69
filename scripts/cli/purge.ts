import { parseOptions, UsageError } from './args.ts';
import { withServices } from './open.ts';
import { readLine } from './prompt.ts';

/**
 * relance purge --election <id> [--confirm <election name>]
 *
 * Deletes the personal data of an election that is over. The election's name must be typed to
 * confirm, or given with --confirm in a script.
 */
export async function purgeCommand(args: string[]) {
  const { values } = parseOptions(args, { election: { type: 'string' }, confirm: { type: 'string' } });
  const electionId = Number(values.election);
  if (!Number.isSafeInteger(electionId) || electionId <= 0) throw new UsageError('Give the --election id to purge (see the Data page).');
  await withServices(async (services) => {
    const status = await services.people.elections.retention(electionId);
    let confirmation = values.confirm as string | undefined;
    if (confirmation === undefined) {
      console.log(
        `This deletes, for good, the personal data of ${status.electionName}: voters, vote marks, contact attempts, messages, ` +
          'chase entries, and the accounts of its watchers and volunteers. Turnout figures and the audit trail remain.',
      );
      confirmation = await readLine(`Type the election's name (${status.electionName}) to confirm: `);
    }
    const counts = await services.people.elections.purge(electionId, confirmation, null);
    console.log(
      `Purged ${status.electionName}: ${counts.voters} voters, ${counts.voteMarks} vote marks, ${counts.chaseEntries} chase entries, ` +
        `${counts.contactAttempts} contact attempts, ${counts.outboundMessages + counts.inboundMessages} messages, ` +
        `${counts.accounts} accounts (${counts.invites} sign-in links, ${counts.sessions} sessions), ${counts.reportNotes} report notes.`,
    );
  });
}
