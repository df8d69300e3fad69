import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { createSmallElection } from '../factories.ts';
import { runRelance } from '../cli.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: string;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-cli-'));

beforeAll(async () => {
  t = await openTestServices();
  electionId = String((await createSmallElection(t.services)).id);
});

afterAll(async () => {
  await t.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** `npx relance …` as an operator runs it, against this test file's database. */
function relance(args: string[], input?: string) {
  return runRelance(args, { databaseUrl: t.databaseUrl, cwd: scratch, input });
}

describe('relance tokens create', () => {
  it('prints {"token": …} as its last line with --json, a token that works', async () => {
    const result = relance(['tokens', 'create', '--role', 'admin', '--json']);
    expect(result.status).toBe(0);
    const { token } = JSON.parse(result.lastLine) as { token: string };
    expect(await t.services.auth.principalForApiToken(token)).toMatchObject({ kind: 'token', role: 'admin', stations: 'all' });
  });

  it('scopes a token to stations', async () => {
    const result = relance(['tokens', 'create', '--role', 'watcher', '--station', '0101', '--station', '0202', '--name', 'SMS gateway']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^API token \d+ \(watcher, stations 0101 0202\)\. Shown once:\nrel_[A-Za-z0-9_-]{43}\n$/);
    const principal = await t.services.auth.principalForApiToken(result.lastLine);
    expect((principal!.stations as Set<number>).size).toBe(2);
  });

  it('says what is wrong: a watcher token without station, an unknown role', () => {
    const noStation = relance(['tokens', 'create', '--role', 'watcher']);
    expect([noStation.status, noStation.stderr.trim()]).toEqual([1, 'stationCodes: a watcher token needs at least one station']);
    const badRole = relance(['tokens', 'create', '--role', 'king']);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/^--role must be one of admin, coordinator, watcher, volunteer, viewer \(got king\)\./);
  });
});

describe('relance users and invite', () => {
  it('creates a coordinator whose password (read from stdin, never from the command line) works', async () => {
    const result = relance(
      ['users', 'create', '--role', 'coordinator', '--name', 'Camille', '--email', 'camille@test.example', '--password-stdin'],
      'a long enough password\n',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Created coordinator Camille \(id \d+\)\.\n$/);
    await expect(t.services.auth.signInWithPassword('camille@test.example', 'a long enough password', '10.0.0.1')).resolves.toBeDefined();
  });

  it('creates a watcher and gives them a link and PIN that sign them in', async () => {
    const created = relance(['users', 'create', '--role', 'watcher', '--name', 'Sam', '--station', '0201']);
    const userId = /id (\d+)/.exec(created.stdout)![1]!;
    const invite = relance(['invite', '--user', userId]);
    expect(invite.status).toBe(0);
    const url = /(https:\/\/gotv\.example\.org\/invite\/\S+)/.exec(invite.stdout)![1]!;
    const pin = /PIN \(give it separately\): (\d{6})/.exec(invite.stdout)![1]!;
    const grant = await t.services.auth.redeemLink(url.split('/invite/')[1]!, pin, '10.0.0.2');
    expect(grant.principal).toMatchObject({ role: 'watcher', name: 'Sam' });
  });
});

describe('relance import voters', () => {
  it('imports a voter file and reports the counts', () => {
    const file = path.join(scratch, 'voters.csv');
    fs.writeFileSync(file, 'external_id,last_name,station_code,list_number\nX1,Alpha,0101,1\nX2,Beta,0102,2\n');
    const result = relance(['import', 'voters', file, '--election', electionId]);
    expect([result.status, result.stdout]).toEqual([
      0,
      'Read utf-8, separated by ",", as a relance file.\n' +
        'Columns: external_id, last_name, station_code, list_number.\n' +
        'Imported 2 people: 2 new, 0 updated.\n',
    ]);
  });

  it('refuses a bad file, naming the lines to fix, and exits with 1', () => {
    const file = path.join(scratch, 'bad.csv');
    fs.writeFileSync(file, 'external_id,last_name,station_code\nY1,,0101\nY2,Gamma,0999\n');
    const result = relance(['import', 'voters', file, '--election', electionId]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'The voter file was not imported (nothing was changed): 2 problems.\n  line 2, last_name: is required\n  line 3, station_code: no station 0999 in this election\n' +
        `Every rejected row is listed in ${path.join(scratch, 'bad.errors.csv')}.\n`,
    );
    expect(fs.readFileSync(path.join(scratch, 'bad.errors.csv'), 'utf8')).toBe(
      'line,column,value,reason\n2,last_name,,is required\n3,station_code,0999,no station 0999 in this election\n',
    );
  });
});

describe('relance import <kind> <file>', () => {
  it('prints the summary as its last line with --json, from a NationBuilder file in Windows-1252', () => {
    const file = path.join(scratch, 'nationbuilder.csv');
    fs.writeFileSync(
      file,
      iconv.encode(
        'nationbuilder_id;first_name;last_name;mobile_number;mobile_opt_in;support_level;precinct_name;tag_list\r\n' +
          '501;Hélène;Lefèvre;06 39 98 00 51;true;1;0101;militante\r\n' +
          '502;Jérôme;Faure;06 39 98 00 52;false;2;0102;\r\n',
        'win1252',
      ),
    );
    const result = relance(['import', 'voters', file, '--preset', 'nationbuilder', '--election', electionId, '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.lastLine)).toEqual({ read: 2, imported: 2, rejected: 0, errorReport: null });
    expect(result.stdout).toContain('Read windows-1252, separated by ";", as a nationbuilder file.\n');
    expect(result.stdout).toContain('nationbuilder_id → external_id');
  });

  it('shows the first rows and imports nothing with --dry-run; --map renames a column', () => {
    const file = path.join(scratch, 'crm.csv');
    fs.writeFileSync(file, 'Identifiant,Nom,Bureau\nM1,Moreau,0101\n');
    const result = relance([
      'import',
      'voters',
      file,
      '--map',
      'Identifiant=external_id',
      '--map',
      'Nom=last_name',
      '--map',
      'Bureau=station_code',
      '--dry-run',
      '--election',
      electionId,
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('First rows as they would be imported:\n  external_id=M1  last_name=Moreau  station_code=0101\n');
    expect(result.stdout).toContain('Dry run, nothing was changed: 1 of 1 rows would be imported (1 new, 0 updated).\n');
  });

  it('exits with 1 and a summary when nothing was imported, with --json and the error report', () => {
    const file = path.join(scratch, 'rejected.csv');
    fs.writeFileSync(file, 'external_id,last_name,station_code,phone\nR1,Un,0101,06 12\n');
    const result = relance(['import', 'voters', file, '--election', electionId, '--json']);
    const errorReport = path.join(scratch, 'rejected.errors.csv');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.lastLine)).toEqual({ read: 1, imported: 0, rejected: 1, errorReport });
    expect(fs.readFileSync(errorReport, 'utf8')).toBe(
      'line,column,value,reason\n2,phone,06 12,is not a valid phone number (read as FR when written without +)\n',
    );

    const headerOnly = path.join(scratch, 'header-only.csv');
    fs.writeFileSync(headerOnly, 'external_id,last_name,station_code\n');
    const empty = relance(['import', 'voters', headerOnly, '--election', electionId, '--json']);
    expect([empty.status, empty.stderr, empty.lastLine]).toEqual([
      1,
      'Nothing was imported: the file has no row to import.\n',
      JSON.stringify({ read: 0, imported: 0, rejected: 0, errorReport: null }),
    ]);
  });
});

describe('relance --help', () => {
  it('prints the commands', () => {
    const result = relance(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('relance tokens create --role <role> [--station <code>…] [--name <name>] [--json]');
  });
});
