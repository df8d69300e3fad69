import { runRelance } from '../cli.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-model-'));

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** `npx relance model …` with no database configured at all: the backtest must not need one. */
function relance(args: string[]) {
  return runRelance(args, { cwd: scratch, home: scratch });
}

function file(name: string, lines: string[]) {
  fs.writeFileSync(path.join(scratch, name), lines.join('\n') + '\n');
  return name;
}

/** Four municipalities, polls 07:00–21:00, counts at 10:00, 13:00 and the close; last election's turnout. */
const HISTORY = [
  'unit_id,registered,observed_at,voted,baseline_share',
  'north,2000,10:00,150,0.50',
  'north,2000,13:00,420,0.50',
  'north,2000,21:00,1000,0.50',
  'south,1000,10:00,90,0.60',
  'south,1000,13:00,260,0.60',
  'south,1000,21:00,580,0.60',
  'east,500,10:00,20,0.40',
  'east,500,13:00,80,0.40',
  'east,500,21:00,210,0.40',
  '"west, old town",4000,2025-05-04T10:00:00+03:00,260,0.45',
  '"west, old town",4000,2025-05-04T13:00:00+03:00,760,0.45',
  '"west, old town",4000,2025-05-04T21:00:00+03:00,1850,0.45',
];

describe('relance model backtest', () => {
  it('writes the projections and prints model against naive when the file holds the finals', () => {
    const input = file('history.csv', HISTORY);
    const result = relance(['model', 'backtest', '--input', input, '--cutoff', '10:00', '--out', 'projected.csv']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(scratch, 'projected.csv'), 'utf8')).toBe(
      [
        'unit_id,observed_share,projected_final_share,low,high',
        'north,0.0750,0.4994,0.4170,0.5980',
        'south,0.0900,0.6008,0.4919,0.7338',
        'east,0.0400,0.3577,0.2844,0.4499',
        '"west, old town",0.0650,0.4472,0.3780,0.5291',
        '',
      ].join('\n'),
    );
    // Naive: observed / 0.1463 (the default curve at 10:00): north 51.3 % for 50.0 %, south 61.5 % for 58.0 %,
    // east 27.3 % for 42.0 %, west 44.4 % for 46.25 %: errors of 2.5, 6.1, 34.9 and 3.9 %, 11.86 % on average.
    expect(result.stdout).toBe(
      [
        'Projected final turnout at 10:00, 4 units with a report and a final count:',
        '                                         model     naive',
        'mean absolute % error                   5.46 %   11.86 %',
        'same, weighted by registered voters     3.26 %    5.91 %',
        '80 % interval holds the final         100.00 %         —',
        'Wrote projected.csv.',
        '',
      ].join('\n'),
    );
  });

  it('writes the projections to standard output without --out, and the summary to standard error', () => {
    const input = file('no-baseline.csv', ['unit_id,registered,observed_at,voted', 'a,100,10:00,10', 'b,100,10:00,20']);
    const result = relance(['model', 'backtest', '--input', input, '--cutoff', '13:00']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('unit_id,observed_share,projected_final_share,low,high');
    expect(result.stdout.split('\n')).toHaveLength(4);
    expect(result.stderr).toBe('Projected 2 units at 13:00; the file has no count at the close (21:00), so no errors are computed.\n');
  });

  it('takes a curve from official figures of another country’s hours', () => {
    const curve = path.join(scratch, 'france-2022.json');
    fs.writeFileSync(curve, JSON.stringify({ '12': 0.3458, '17': 0.8821 }));
    const input = file('paris.csv', ['unit_id,registered,observed_at,voted', 'a,1000,12:00,250', 'a,1000,20:00,730']);
    const result = relance([
      'model',
      'backtest',
      '--input',
      input,
      '--cutoff',
      '12:00',
      '--opens',
      '08:00',
      '--closes',
      '20:00',
      '--curve',
      curve,
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('unit_id,observed_share,projected_final_share,low,high\na,0.2500,0.7232,0.5659,0.9243\n');
    // Naive: 25 % / 0.3458 = 72.30 % for 73.00 %, 0.96 % off.
    expect(result.stderr).toMatch(/^Projected final turnout at 12:00, 1 unit with a report and a final count:\n/);
    expect(result.stderr).toMatch(/mean absolute % error\s+0\.93 %\s+0\.96 %/);
  });

  it.each([
    [
      'a missing column',
      ['unit_id,registered,voted', 'a,10,1'],
      '10:00',
      'Missing column observed_at (line 1 has: unit_id, registered, voted).',
    ],
    [
      'a count that is not a number',
      ['unit_id,registered,observed_at,voted', 'a,10,09:00,1', 'a,10,10:00,n/a'],
      '10:00',
      'Line 3, column voted: "n/a" is not a whole number of voters (0 or more).',
    ],
    [
      'a count that goes down',
      ['unit_id,registered,observed_at,voted', 'a,10,09:00,5', 'b,10,09:00,5', 'a,10,10:00,3'],
      '10:00',
      "Line 4, column voted: unit a's count goes down, from 5 (line 2) to 3; counts are cumulative.",
    ],
    [
      'a cutoff before the first report',
      ['unit_id,registered,observed_at,voted', 'a,10,09:00,5'],
      '08:30',
      'The cutoff is before the first report in the file (09:00): nothing is known yet.',
    ],
  ])('rejects %s with a message that says where, and exit status 1', (_, lines, cutoff, message) => {
    const input = file('bad.csv', lines);
    const result = relance(['model', 'backtest', '--input', input, '--cutoff', cutoff, '--out', 'never.csv']);
    expect([result.status, result.stderr.trim(), result.stdout]).toEqual([1, message, '']);
    expect(fs.existsSync(path.join(scratch, 'never.csv'))).toBe(false);
  });

  it('explains a command line it cannot run', () => {
    const noCutoff = relance(['model', 'backtest', '--input', file('x.csv', HISTORY)]);
    expect(noCutoff.status).toBe(2);
    expect(noCutoff.stderr).toMatch(/^Give --cutoff <HH:MM>\./);
    const badCutoff = relance(['model', 'backtest', '--input', 'x.csv', '--cutoff', '10h']);
    expect(badCutoff.stderr).toMatch(/^--cutoff must be a time such as 10:00 \(got 10h\)\./);
  });
});
