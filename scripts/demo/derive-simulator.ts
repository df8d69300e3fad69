/**
 * Derives what the election-day simulator plays from real public data (docs/watchers.md):
 *
 *   npx tsx scripts/demo/derive-simulator.ts <romania folder> <paris folder>
 *
 * - Prints the share of the final turnout reached at the end of each hour of polling day, from the
 *   Romanian presidential first rounds of 24 November 2024 and 4 May 2025 (polls 07:00–21:00, 14
 *   hours; cumulative counts of every municipality of 19 counties summed per hour, divided by the
 *   count at closing, the two elections averaged). Paste it into server/simulator/simulator.curve.ts.
 * - Writes prisma/demo/paris/final-turnout-2026.csv: the number of people who voted at each Paris
 *   station in the first round of 15 March 2026 (votants = inscrits − abstentions), where the
 *   simulated demo day ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/config.ts';

const [romania, paris] = process.argv.slice(2);
if (!romania || !paris) {
  console.error('usage: tsx scripts/demo/derive-simulator.ts <romania folder> <paris folder>');
  process.exit(2);
}

const ROMANIAN_FILES = ['presidential_2024-11-24_r1_uat_hourly_long.csv', 'presidential_2025-05-04_r1_uat_hourly_long.csv'];
const FIRST_HOUR = 8; // counts at 08:00 cover the first hour (polls open at 07:00)
const LAST_HOUR = 21;

const perElection = ROMANIAN_FILES.map((name) => {
  const [header, ...lines] = fs.readFileSync(path.join(romania, name), 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const hourColumn = columns.indexOf('hour');
  const votedColumn = columns.indexOf('voted_total');
  const byHour = new Map<number, number>();
  for (const line of lines) {
    // Municipality names hold no commas in these files; the columns read here come after them anyway.
    const fields = line.split(',');
    const hour = Number(fields[hourColumn]);
    byHour.set(hour, (byHour.get(hour) ?? 0) + Number(fields[votedColumn]));
  }
  const final = byHour.get(LAST_HOUR)!;
  return Array.from({ length: LAST_HOUR - FIRST_HOUR + 1 }, (_, i) => byHour.get(FIRST_HOUR + i)! / final);
});
const shares = perElection[0]!.map(
  (_, i) => Math.round((perElection.reduce((sum, election) => sum + election[i]!, 0) / perElection.length) * 10_000) / 10_000,
);
console.log(`HOURLY_SHARES = [${shares.join(', ')}]`);

type Feature = { properties: { code_bv: string; inscrits: number; abstentions: number } };
const bureaux = (JSON.parse(fs.readFileSync(path.join(paris, 'paris_2026_t1_bureaux.geojson'), 'utf8')) as { features: Feature[] })
  .features;
const rows = bureaux
  .map((feature) => feature.properties)
  .filter((station) => station.code_bv !== '1599') // left out of the demo (prisma/demo/paris/SOURCES.md)
  .sort((a, b) => a.code_bv.localeCompare(b.code_bv))
  .map((station) => `${station.code_bv},${station.inscrits - station.abstentions}`);
const target = path.join(PROJECT_ROOT, 'prisma', 'demo', 'paris', 'final-turnout-2026.csv');
fs.writeFileSync(target, `code,voted\n${rows.join('\n')}\n`);
console.log(`wrote ${rows.length} stations to ${path.relative(PROJECT_ROOT, target)}`);
