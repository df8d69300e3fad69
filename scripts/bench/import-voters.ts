/**
 * import: a campaign's voter file of --rows people (default 1,000,000), as Excel on French Windows
 * saves it (Windows-1252, `;`, national phone numbers to normalise), imported end to end by
 * `relance import voters --json` in a process of its own, exactly as an operator runs it. In the
 * same run, the same file is loaded by a raw COPY into a bare table: the ceiling the import is
 * divided by. Budget (DESIGN.md): ≤ 30 s, ≤ 4 × the raw COPY, peak memory of the import process
 * ≤ 400 MB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { from as copyFrom } from 'pg-copy-streams';
import { PROJECT_ROOT } from '../../server/config.ts';
import { DEMO_DIR, DEMO_ELECTION } from '../../server/demo/demo.ts';
import { seededRandom } from '../../server/demo/demo.voters.ts';
import type { Relance } from '../../server/relance.ts';
import type { BenchReport } from './report.ts';

export const IMPORT_DEFAULT_ROWS = 1_000_000;
export const IMPORT_BUDGET = { seconds: 30, ratioToCopy: 4, peakMemoryMb: 400 };

const FIRST = ['Léa', 'Zoé', 'Hélène', 'Jérôme', 'François', 'Anaïs', 'Noël', 'Chloé', 'Mathéo', 'Inès', 'Gaëlle', 'Loïc'];
const LAST = ['Lefèvre', 'Müller', 'Dupré', 'Faure', 'Béranger', 'Cœur', 'Leroy', 'Gérard', 'Mercier', 'Noël', 'Perrin', 'Rivière'];
const HEADER =
  'external_id;first_name;last_name;phone;email;address;station_code;list_number;support_level;sms_consent;call_consent;latitude;longitude';

/** Writes the voter file; returns its size in bytes. */
async function writeVoterFile(file: string, rows: number, stations: { code: string; registered: number }[]): Promise<number> {
  const random = seededRandom(12);
  const out = fs.createWriteStream(file);
  const nextList = new Map<string, number>();
  let written = 0;
  async function* lines() {
    yield iconv.encode(HEADER + '\r\n', 'win1252');
    let chunk = '';
    for (let i = 1; i <= rows; i++) {
      const station = stations[i % stations.length]!;
      const list = (nextList.get(station.code) ?? 0) + 1;
      nextList.set(station.code, list);
      const hasPhone = random() < 0.7;
      // Valid mobile (06 1x, 07 5x) and landline (01 4x) ranges, written the French way.
      const digits = String(Math.floor(random() * 1e6)).padStart(6, '0');
      const prefix = ['06 1', '07 5', '01 4'][i % 3]!;
      const phone = hasPhone ? `${prefix}${digits[0]} ${digits.slice(1, 3)} ${digits.slice(3, 5)} ${digits[5]}${i % 10}` : '';
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / 7) % LAST.length]!;
      const email = random() < 0.3 ? `personne.${i}@example.org` : '';
      const latitude = (48.815 + random() * 0.08).toFixed(5).replace('.', ',');
      const longitude = (2.25 + random() * 0.16).toFixed(5).replace('.', ',');
      chunk += `B-${i};${first};${last};${phone};${email};${i % 300} rue de l’Église;${station.code};${list};${1 + (i % 5)};${random() < 0.6 ? 'oui' : 'non'};oui;${latitude};${longitude}\r\n`;
      if (i % 5_000 === 0 || i === rows) {
        const bytes = iconv.encode(chunk, 'win1252');
        written += bytes.length;
        yield bytes;
        chunk = '';
      }
    }
  }
  await pipeline(lines(), out);
  return written;
}

/** The file as it is, into a bare table of text columns: what PostgreSQL alone takes. */
async function rawCopy(relance: Relance, file: string): Promise<number> {
  const client = await relance.db.pool.connect();
  try {
    await client.query(
      `CREATE TABLE bench_raw_voter (${HEADER.split(';')
        .map((c) => `${c} text`)
        .join(', ')})`,
    );
    const started = performance.now();
    await client.query('BEGIN');
    await pipeline(
      fs.createReadStream(file),
      client.query(copyFrom(`COPY bench_raw_voter FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')`)),
    );
    await client.query('COMMIT');
    return performance.now() - started;
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_raw_voter').catch(() => undefined);
    client.release();
  }
}

/** Peak resident memory of a running process, from Linux's /proc (VmHWM); 0 elsewhere. */
function peakMemoryMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** `relance import voters <file> --json` in its own process; its duration, summary and peak memory. */
function importThroughCli(databaseUrl: string, file: string) {
  return new Promise<{ durationMs: number; peakMb: number; summary: { read: number; imported: number; rejected: number } }>(
    (resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'relance.js'), 'import', 'voters', file, '--json'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, PUBLIC_URL: 'https://bench.example.org' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let peakMb = 0;
      const sample = setInterval(() => (peakMb = Math.max(peakMb, peakMemoryMb(child.pid!))), 50);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('error', reject);
      child.on('exit', (code) => {
        clearInterval(sample);
        const durationMs = performance.now() - started;
        if (code !== 0) return reject(new Error(`relance import voters exited with ${code}: ${stderr.slice(0, 2000)}`));
        resolve({ durationMs, peakMb, summary: JSON.parse(stdout.trim().split('\n').at(-1)!) });
      });
    },
  );
}

export async function measureImport(
  relance: Relance,
  options: { rows?: number; onProgress: (message: string) => void },
): Promise<BenchReport> {
  const rows = options.rows ?? IMPORT_DEFAULT_ROWS;
  const { imports } = relance.services;
  const election = await imports.election(DEMO_ELECTION, null);
  await imports.areas(election.id, JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'areas.geojson'), 'utf8')), null);
  const stations = JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'stations.geojson'), 'utf8')) as {
    features: { properties: { code: string; registered_voters: number } }[];
  };
  await imports.stations(election.id, { geojson: stations }, null);

  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-bench-import-'));
  try {
    const file = path.join(folder, 'voters.csv');
    options.onProgress(`writing a Windows-1252 voter file of ${rows.toLocaleString('en-US')} people`);
    const bytes = await writeVoterFile(
      file,
      rows,
      stations.features.map((f) => ({ code: f.properties.code, registered: f.properties.registered_voters })),
    );
    options.onProgress('raw COPY of the file into a bare table');
    const copyMs = await rawCopy(relance, file);
    options.onProgress('relance import voters, in its own process');
    const imported = await importThroughCli(relance.databaseUrl, file);
    const ratio = imported.durationMs / copyMs;
    const metrics = {
      rows,
      fileMb: bytes / 1024 / 1024,
      importMs: imported.durationMs,
      importRowsPerSecond: (rows / imported.durationMs) * 1000,
      imported: imported.summary.imported,
      rejected: imported.summary.rejected,
      ratioToCopy: ratio,
      peakMemoryMb: imported.peakMb,
    };
    const scale = rows / IMPORT_DEFAULT_ROWS;
    return {
      scenario: 'import',
      rows: [
        { name: `relance import voters, ${rows.toLocaleString('en-US')} rows`, value: imported.durationMs, unit: 'ms' },
        { name: '  rate', value: metrics.importRowsPerSecond, unit: 'rows/s' },
        { name: '  imported', value: imported.summary.imported, unit: 'rows' },
        { name: '  peak memory of the process', value: imported.peakMb, unit: 'MB' },
        { name: 'raw COPY of the same file', value: copyMs, unit: 'ms' },
        { name: 'import / raw COPY', value: ratio, unit: '×' },
      ],
      metrics,
      baseline: { copyMs, copyRowsPerSecond: (rows / copyMs) * 1000 },
      ok:
        imported.summary.imported === rows &&
        imported.durationMs <= IMPORT_BUDGET.seconds * 1000 * scale &&
        ratio <= IMPORT_BUDGET.ratioToCopy &&
        imported.peakMb <= IMPORT_BUDGET.peakMemoryMb,
      notes: [
        `budget: ≤ ${IMPORT_BUDGET.seconds} s for 1,000,000 rows (scaled to --rows), ≤ ${IMPORT_BUDGET.ratioToCopy} × raw COPY, ≤ ${IMPORT_BUDGET.peakMemoryMb} MB`,
        `file: ${(bytes / 1024 / 1024).toFixed(1)} MB, Windows-1252, ";" separated, phones written the French way`,
      ],
    };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
