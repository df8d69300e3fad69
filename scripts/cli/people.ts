import type { PersonKey, PersonRecord } from '../../server/people/people.rights.ts';
import { parseOptions, UsageError } from './args.ts';
import { withServices } from './open.ts';
import { readLine } from './prompt.ts';

/**
 * relance people show|erase|object (--external-id <id> | --phone <phone> | --email <email>)
 *
 * A person's rights: access (show, --json for the file to send them), erasure, objection.
 */

const KEY_OPTIONS = { 'external-id': { type: 'string' }, phone: { type: 'string' }, email: { type: 'string' } } as const;

function personKey(values: Record<string, unknown>): PersonKey {
  const given = (['external-id', 'phone', 'email'] as const).filter((name) => typeof values[name] === 'string');
  if (given.length !== 1) throw new UsageError('Give exactly one of --external-id, --phone or --email.');
  const name = given[0]!;
  return { kind: name === 'external-id' ? 'externalId' : name, value: String(values[name]) };
}

/** The record as a person reads it, one line per fact. */
export function describeRecord(record: PersonRecord): string {
  const lines: string[] = [];
  if (record.voters.length === 0 && record.accounts.length === 0 && record.inboundMessages.length === 0) {
    lines.push('Relance holds nothing about this person.');
  }
  for (const voter of record.voters) {
    lines.push(`${voter.firstName} ${voter.lastName} — ${voter.election}, voter ${voter.id}, external id ${voter.externalId}`);
    lines.push(`  phone ${voter.phone ?? '—'}, email ${voter.email ?? '—'}, address ${voter.address ?? '—'}`);
    lines.push(`  station ${voter.station}, list number ${voter.listNumber ?? '—'}, support level ${voter.supportLevel ?? '—'}`);
    lines.push(
      `  consent: SMS ${voter.smsConsent ? 'yes' : 'no'}, calls ${voter.callConsent ? 'yes' : 'no'}; do not contact: ${voter.doNotContact ? 'yes' : 'no'}; voted: ${voter.votedAt ?? 'not known'}`,
    );
    for (const entry of voter.chaseEntries) lines.push(`  on list "${entry.list}" (${entry.state})`);
    for (const attempt of voter.contactAttempts)
      lines.push(`  ${attempt.at} ${attempt.channel}: ${attempt.outcome}${attempt.note ? ` — ${attempt.note}` : ''}`);
    for (const message of voter.outboundMessages)
      lines.push(`  ${message.createdAt} text to ${message.to} (${message.status}): ${message.body}`);
    for (const view of voter.views) lines.push(`  ${view.at} ${view.action} by account ${view.actorUserId ?? '—'}`);
  }
  for (const message of record.inboundMessages) lines.push(`${message.receivedAt} text from ${message.from}: ${message.body}`);
  for (const account of record.accounts)
    lines.push(`Account ${account.id}: ${account.name}, ${account.role}, ${account.email ?? account.phone ?? ''}`);
  for (const entry of record.suppressed) lines.push(`On the suppression list (${entry.reason}) since ${entry.since}`);
  return lines.join('\n');
}

export async function peopleShow(args: string[]) {
  const { values } = parseOptions(args, { ...KEY_OPTIONS, json: { type: 'boolean' } });
  const key = personKey(values);
  await withServices(async (services) => {
    const record = await services.people.rights.show(key, null);
    console.log(values.json ? JSON.stringify(record, null, 2) : describeRecord(record));
  });
}

export async function peopleErase(args: string[]) {
  const { values } = parseOptions(args, { ...KEY_OPTIONS, yes: { type: 'boolean' } });
  const key = personKey(values);
  if (!values.yes) {
    const answer = await readLine('This erases the person from every voter file, for good. Type "erase" to confirm: ');
    if (answer.trim().toLowerCase() !== 'erase') throw new UsageError('Not confirmed: nothing was erased.');
  }
  await withServices(async (services) => {
    const result = await services.people.rights.erase(key, null);
    console.log(
      `Erased ${result.voters} voter record${result.voters === 1 ? '' : 's'} and ${result.inboundMessages} text${result.inboundMessages === 1 ? '' : 's'}; ` +
        'a later import will leave this person out.',
    );
  });
}

export async function peopleObject(args: string[]) {
  const { values } = parseOptions(args, KEY_OPTIONS);
  const key = personKey(values);
  await withServices(async (services) => {
    const result = await services.people.rights.object(key, null);
    console.log(
      `${result.voters} voter record${result.voters === 1 ? '' : 's'} marked do-not-contact for good; ${result.withdrawn} pending call${result.withdrawn === 1 ? '' : 's'} or text${result.withdrawn === 1 ? '' : 's'} withdrawn.`,
    );
  });
}
