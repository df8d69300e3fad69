import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmallElection, SMALL_ELECTION, voterCsv } from '../factories.ts';
import { runRelance } from '../cli.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-cli-data-'));

beforeAll(async () => {
  t = await openTestServices();
});

afterAll(async () => {
  await t.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** `npx relance …` as an operator runs it (the real clock: the small election is long over). */
function relance(args: string[], input?: string) {
  return runRelance(args, { databaseUrl: t.databaseUrl, cwd: scratch, input });
}

async function electionWithVoters(externalIds: string[]) {
  const election = await createSmallElection(t.services);
  await t.services.imports.voters(
    election.id,
    voterCsv(
      externalIds.map((externalId, i) => ({
        external_id: externalId,
        phone: `+3363998${String(3000 + i + externalIds.length * election.id).padStart(4, '0')}`,
      })),
    ),
    null,
  );
  return election;
}

describe('relance purge', () => {
  it('asks for the election’s name, and purges only when it is typed', async () => {
    const election = await electionWithVoters(['C1', 'C2']);
    const refused = relance(['purge', '--election', String(election.id)], 'Test town\n');
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(`Type the election's name exactly ("${SMALL_ELECTION.name}") to confirm.`);
    expect(await t.services.db.prisma.voter.count({ where: { electionId: election.id } })).toBe(2);

    const purged = relance(['purge', '--election', String(election.id)], `${SMALL_ELECTION.name}\n`);
    expect(purged.stderr).toBe('');
    expect(purged.status).toBe(0);
    expect(purged.stdout.trim().split('\n').at(-1)).toBe(
      `Type the election's name (${SMALL_ELECTION.name}) to confirm: Purged ${SMALL_ELECTION.name}: 2 voters, 0 vote marks, 0 chase entries, 0 contact attempts, 0 messages, 0 accounts (0 sign-in links, 0 sessions), 0 report notes.`,
    );
    expect(await t.services.db.prisma.voter.count({ where: { electionId: election.id } })).toBe(0);
  });

  it('takes the name with --confirm in a script, and refuses a second purge', async () => {
    const election = await electionWithVoters(['S1']);
    expect(relance(['purge', '--election', String(election.id), '--confirm', SMALL_ELECTION.name]).status).toBe(0);
    const again = relance(['purge', '--election', String(election.id), '--confirm', SMALL_ELECTION.name]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^The personal data of Test town, first round was already purged on \d{4}-\d\d-\d\dT[\d:.]+Z\.\n$/);
  });
});

describe('relance people', () => {
  it('shows, objects to and erases a person, each audited', async () => {
    const election = await electionWithVoters(['PEOPLE-1']);
    const voter = await t.services.db.prisma.voter.findFirstOrThrow({ where: { electionId: election.id } });

    const shown = relance(['people', 'show', '--external-id', 'PEOPLE-1', '--json']);
    expect(shown.status).toBe(0);
    const record = JSON.parse(shown.stdout) as { voters: { id: number; phone: string }[] };
    expect(record.voters.map((v) => [v.id, v.phone])).toEqual([[voter.id, voter.phone]]);
    expect(relance(['people', 'show', '--phone', voter.phone!]).stdout).toContain(
      `Test Person 1 — ${SMALL_ELECTION.name}, voter ${voter.id}, external id PEOPLE-1\n`,
    );

    expect(relance(['people', 'object', '--phone', voter.phone!]).stdout).toBe(
      '1 voter record marked do-not-contact for good; 0 pending calls or texts withdrawn.\n',
    );
    const unconfirmed = relance(['people', 'erase', '--external-id', 'PEOPLE-1'], 'no\n');
    expect(unconfirmed.status).toBe(2);
    expect(await t.services.db.prisma.voter.count({ where: { id: voter.id } })).toBe(1);
    expect(relance(['people', 'erase', '--external-id', 'PEOPLE-1'], 'erase\n').stdout).toContain('Erased 1 voter record and 0 texts;');
    expect(await t.services.db.prisma.voter.count({ where: { id: voter.id } })).toBe(0);
    expect(relance(['people', 'show', '--external-id', 'PEOPLE-1']).stdout).toMatch(
      /^Relance holds nothing about this person\.\nOn the suppression list \(objection\) since .+\nOn the suppression list \(erasure\) since .+\n$/,
    );
    const actions = await t.services.db.prisma.auditEvent.findMany({
      where: { action: { startsWith: 'person.' } },
      orderBy: { id: 'asc' },
    });
    expect(actions.map((a) => [a.action, a.actorUserId])).toEqual([
      ['person.access', null],
      ['person.access', null],
      ['person.object', null],
      ['person.erase', null],
      ['person.access', null],
    ]);
  });

  it('needs exactly one way to find the person', () => {
    const none = relance(['people', 'show']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^Give exactly one of --external-id, --phone or --email\./);
  });
});

describe('relance audit purge', () => {
  it('deletes the entries older than the retention period, and says how many', () => {
    const result = relance(['audit', 'purge']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Deleted \d+ audit entr(y|ies) from before \d{4}-\d\d-\d\dT[\d:.]+Z\.\n$/);
  });
});
