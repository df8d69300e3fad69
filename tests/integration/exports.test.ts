import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { safeCsvField } from '../../server/imports/imports.exports.ts';
import { createSmallElection, voterCsv } from '../factories.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: number;

beforeAll(async () => {
  t = await openTestServices();
});

beforeEach(async () => {
  electionId = (await createSmallElection(t.services)).id;
  await t.services.imports.voters(
    electionId,
    voterCsv([
      { external_id: 'NB1', first_name: 'Léa', last_name: '=HYPERLINK("http://evil.example")', phone: '06 39 98 00 61', tags: 'bénévole' },
      { external_id: 'NB2', first_name: 'Jean', last_name: 'Martin', phone: '06 39 98 00 62' },
      { external_id: 'NB3', first_name: 'Zoé', last_name: 'Dupré' },
    ]),
    null,
  );
  const prisma = t.services.db.prisma;
  const nb1 = await prisma.voter.findFirstOrThrow({ where: { electionId, externalId: 'NB1' } });
  const nb2 = await prisma.voter.findFirstOrThrow({ where: { electionId, externalId: 'NB2' } });
  await prisma.voter.update({ where: { id: nb1.id }, data: { votedAt: new Date('2026-03-15T10:12:00Z'), votedSource: 'watcher' } });
  await prisma.contactAttempt.createMany({
    data: [
      { voterId: nb2.id, channel: 'call', outcome: 'no_answer', createdAt: new Date('2026-03-15T09:00:00Z') },
      { voterId: nb2.id, channel: 'sms', outcome: 'will_vote', createdAt: new Date('2026-03-15T11:30:00Z') },
    ],
  });
});

afterAll(() => t.close());

async function exported(format: 'generic' | 'nationbuilder' | 'ngpvan') {
  const out = new PassThrough();
  const written = text(out);
  const result = await t.services.exports.voters(electionId, format, null, out);
  out.end();
  return { csv: await written, ...result };
}

describe('exports of election day', () => {
  it('gives a generic CSV with voted status and contact outcomes, formulas neutralised', async () => {
    const { csv, rows } = await exported('generic');
    expect(rows).toBe(3);
    expect(csv).toBe(
      'external_id,first_name,last_name,station_code,support_level,tags,voted_at,voted_source,contact_attempts,last_contact_channel,last_contact_outcome,last_contact_at\n' +
        'NB1,Léa,"\'=HYPERLINK(""http://evil.example"")",0101,1,bénévole,2026-03-15T10:12:00.000Z,watcher,0,,,\n' +
        'NB2,Jean,Martin,0101,1,,,,2,sms,will_vote,2026-03-15T11:30:00.000Z\n' +
        'NB3,Zoé,Dupré,0101,1,,,,0,,,\n',
    );
  });

  it('gives NationBuilder tags for who voted and how contacts went, one row per person with any', async () => {
    const { csv } = await exported('nationbuilder');
    expect(csv).toBe(
      'nationbuilder_id,first_name,last_name,tag_list\n' +
        'NB1,Léa,"\'=HYPERLINK(""http://evil.example"")",relance-voted\n' +
        'NB2,Jean,Martin,"relance-call-no-answer, relance-sms-will-vote"\n',
    );
  });

  it('gives NGP VAN one row per contact, with phone and result, and a row for who voted', async () => {
    const { csv } = await exported('ngpvan');
    expect(csv).toBe(
      'VANID,DateCanvassed,Phone,ContactType,ResultCode,Voted\n' +
        'NB1,2026-03-15,+33639980061,,,Y\n' +
        'NB2,2026-03-15,+33639980062,Phone,Not Home,\n' +
        'NB2,2026-03-15,+33639980062,SMS Text,Canvassed,\n',
    );
  });

  it('records every export in the audit log, with its format', async () => {
    await exported('ngpvan');
    const entry = await t.services.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'export.voters', subjectId: String(electionId) },
      orderBy: { id: 'desc' },
    });
    expect(entry.details).toEqual({ format: 'ngpvan', people: 3 });
  });

  it('neutralises what a spreadsheet would run, and keeps numbers and phones', () => {
    expect(['=1+1', '+cmd|x', '-2+3', '@SUM(A1)', '\tx', '+33612345678', '-12.5', 'plain'].map(safeCsvField)).toEqual([
      "'=1+1",
      "'+cmd|x",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      '+33612345678',
      '-12.5',
      'plain',
    ]);
  });
});
