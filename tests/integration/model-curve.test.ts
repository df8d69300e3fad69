import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveFromHourly, expectedShareAt } from '../../server/turnout/turnout.curve.ts';
import { createSmallElection } from '../factories.ts';
import { runRelance } from '../cli.ts';
import { openTestServices, type TestServices } from '../setup/services.ts';

let t: TestServices;
let electionId: number;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-curve-'));

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
  electionId = (await t.services.elections.requireCurrent()).id;
});

afterAll(async () => {
  await t.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function relance(args: string[]) {
  return runRelance(args, { databaseUrl: t.databaseUrl, cwd: scratch });
}

async function storedCurve() {
  return (await t.services.elections.requireCurrent()).turnoutCurve;
}

describe('relance model curve', () => {
  it('sets an election’s curve from the official figures of a comparable election', async () => {
    const result = relance(['model', 'curve', '--noon', '25.48', '--five-pm', '65.00', '--final', '73.69']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Turnout curve of .+ \(polls 08:00–20:00\): 12h 34\.58 %, 17h 88\.21 % of the final\.\n$/);
    expect(await storedCurve()).toEqual({ '12': 0.3458, '17': 0.8821 });
    const election = await t.services.elections.requireCurrent();
    const curve = curveFromHourly(election.turnoutCurve as Record<string, number>, { opens: '08:00', closes: '20:00' });
    const noon = new Date(election.pollsOpenAt.getTime() + 4 * 3_600_000);
    expect(expectedShareAt(curve, noon, election.pollsOpenAt, election.pollsCloseAt)).toBeCloseTo(0.3458, 12);
  });

  it('sets it from an hourly history, and goes back to the default', async () => {
    fs.writeFileSync(path.join(scratch, 'history.csv'), 'hour,voted\n10:00,1000\n12:00,2500\n17:00,6000\n20:00,8000\n');
    const result = relance(['model', 'curve', '--election', String(electionId), '--hourly', 'history.csv']);
    expect(result.stdout).toMatch(/: 10:00 12\.50 %, 12:00 31\.25 %, 17:00 75\.00 %, 20:00 100\.00 % of the final\.\n$/);
    expect(await storedCurve()).toEqual({ '10:00': 0.125, '12:00': 0.3125, '17:00': 0.75, '20:00': 1 });
    expect(relance(['model', 'curve', '--default']).stdout).toMatch(/now uses the default turnout curve\.\n$/);
    expect(await storedCurve()).toBeNull();
  });

  it('refuses figures that cannot be a curve, says which, and changes nothing', async () => {
    const before = await storedCurve();
    const result = relance(['model', 'curve', '--noon', '70', '--five-pm', '65', '--final', '73.69']);
    expect([result.status, result.stderr.trim()]).toEqual([1, 'The turnout at 17h must be between the one at 12h and the final turnout.']);
    fs.writeFileSync(path.join(scratch, 'late.csv'), 'hour,voted\n12:00,100\n22:00,300\n');
    const late = relance(['model', 'curve', '--hourly', 'late.csv']);
    expect([late.status, late.stderr.trim()]).toEqual([1, '22:00 is outside polling hours (08:00–20:00).']);
    const none = relance(['model', 'curve']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^Give either --noon, --five-pm and --final \(percentages\), or --hourly <file\.csv>, or --default\./);
    expect(await storedCurve()).toEqual(before);
  });
});
