/**
 * npm run bench -- sms [--rows <n>] [--seconds <n>]
 *
 * The SMS outbox on each queue backend (PostgreSQL, and Redis when REDIS_URL is set or redis-server
 * is installed):
 * 1. queuing: a list of --rows texts (100,000 by default) queued by services.sms.sendListTexts (rows
 *    and jobs), against bare BullMQ addBulk of as many jobs with the same options, in the same run;
 * 2. pacing: a worker node (server/worker.ts, a process of its own) sends at SMS_RATE_PER_SECOND=50
 *    to the fake Twilio (scripts/fake-twilio) for --seconds (60 by default), after a warm-up;
 * 3. a crash: that worker is killed with SIGKILL while texts remain, another is started, and every
 *    text Twilio accepted is counted: the same person twice is a duplicate.
 * Budgets (docs: DESIGN "SMS"): ≥ 10,000 texts queued per second; the rate within ±5 % of 50/s;
 * 0 duplicates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { smsJob, SMS_QUEUE } from '../../server/messaging/sms.worker.ts';
import { openRelance, type Relance } from '../../server/relance.ts';
import { createSmallElection, createTextTemplate } from '../../tests/factories.ts';
import { signedIn } from '../../tests/fixtures.ts';
import { redisAvailable, startRedis } from '../../tests/setup/redis.ts';
import { startFakeTwilio } from '../fake-twilio/fake-twilio.ts';
import type { BenchReport, ReportRow } from './report.ts';
import type { ScenarioOptions } from './scenarios.ts';

export const SMS_BUDGET = { enqueuedPerSecond: 10_000, pacingTolerance: 0.05, duplicates: 0 };
export const SMS_DEFAULT_ROWS = 100_000;
export const SMS_DEFAULT_SECONDS = 60;
export const SMS_CONNECTIONS = 10;
const PACING_RATE = 50;
const WARM_UP_SECONDS = 5;
/** Jobs per addBulk, as sendListTexts adds them. */
const BATCH = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface BackendFigures {
  bareAddPerSecond: number;
  enqueuedPerSecond: number;
  queuedJobs: number;
  pacedPerSecond: number;
  pacingError: number;
  sentAfterCrash: number;
  flaggedForReview: number;
  duplicates: number;
}

/** An election whose polls are open now (the worker node runs on the real clock), and its people. */
async function prepare(relance: Relance, rows: number, pacingTexts: number) {
  const { services } = relance;
  const election = await createSmallElection(services);
  const now = Date.now();
  await services.db.prisma.election.update({
    where: { id: election.id },
    data: { pollsOpenAt: new Date(now - 3600_000), pollsCloseAt: new Date(now + 24 * 3600_000) },
  });
  const station = await services.db.prisma.pollingStation.findFirstOrThrow({ where: { electionId: election.id, code: '0101' } });
  // Numbers in the range ARCEP keeps for fiction (06 39 98 xx xx): the queued ones repeat, the
  // paced ones are one per person, so that a duplicate in Twilio's log is the same person twice.
  await relance.db.pool.query(
    `INSERT INTO voter (election_id, external_id, first_name, last_name, phone, phone_kind, station_id, sms_consent, updated_at)
     SELECT $1, kind || g, 'Prénom', 'Nom ' || g, '+3363998' || lpad((g % 10000)::text, 4, '0'), 'mobile', $2, true, now()
     FROM (SELECT 'Q' AS kind, g FROM generate_series(1, $3::int) g UNION ALL SELECT 'P', g FROM generate_series(1, $4::int) g) people`,
    [election.id, station.id, rows, pacingTexts],
  );
  const coordinator = await signedIn(services, 'coordinator', { name: 'Bench coordinator' });
  const template = await createTextTemplate(services, election.id);
  return { electionId: election.id, coordinator, templateId: template.id };
}

/** A text list of the people whose external id starts with `kind`, in id order. */
async function listOf(relance: Relance, electionId: number, kind: 'Q' | 'P', name: string): Promise<number> {
  const { rows } = await relance.db.pool.query<{ id: number }>(
    `INSERT INTO chase_list (election_id, name, channel, criteria) VALUES ($1, $2, 'sms', '{}') RETURNING id`,
    [electionId, name],
  );
  const listId = rows[0]!.id;
  await relance.db.pool.query(
    `INSERT INTO chase_entry (list_id, voter_id, priority, rank)
     SELECT $1, id, 1, row_number() OVER (ORDER BY id) FROM voter WHERE election_id = $2 AND external_id LIKE $3`,
    [listId, electionId, `${kind}%`],
  );
  return listId;
}

function startWorkerNode(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) {
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`the worker node exited (${code}) before it was ready`)));
  });
}

async function stopWorkerNode(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function runBackend(
  relance: Relance,
  backend: 'postgres' | 'redis',
  redisUrl: string | undefined,
  setup: Awaited<ReturnType<typeof prepare>>,
  rows: number,
  seconds: number,
  progress: (message: string) => void,
): Promise<BackendFigures> {
  const fake = await startFakeTwilio();
  const env = {
    DATABASE_URL: relance.databaseUrl,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    SMS_PROVIDER: 'twilio',
    SMS_RATE_PER_SECOND: String(PACING_RATE),
    SMS_QUIET_HOURS: 'none',
    SMS_RECONCILE_AFTER_SECONDS: '5',
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_FROM_NUMBER: '+33639980000',
    TWILIO_API_URL: fake.url,
    PUBLIC_URL: 'http://localhost:3000',
  };
  // Relance on this backend, queuing under the prefix a worker node uses.
  const opened = await openRelance({ config: parseConfig(env), log: createLogger('silent'), poolSize: SMS_CONNECTIONS });
  const { services, broker } = opened;
  const prisma = services.db.prisma;
  let worker: ChildProcess | undefined;
  try {
    progress(`${backend}: bare addBulk of ${rows.toLocaleString('en-US')} jobs`);
    const bare = broker.queue(`${SMS_QUEUE}-bare`);
    let started = performance.now();
    for (let start = 0; start < rows; start += BATCH) {
      await bare.addBulk(
        Array.from({ length: Math.min(BATCH, rows - start) }, (_, i) => {
          const job = smsJob(start + i + 1);
          return { ...job, opts: { ...job.opts, jobId: `bare-${start + i + 1}` } };
        }),
      );
    }
    const bareAddPerSecond = rows / ((performance.now() - started) / 1000);
    await bare.obliterate({ force: true });

    progress(`${backend}: queuing a list of ${rows.toLocaleString('en-US')} texts (rows and jobs)`);
    const queuedList = await listOf(relance, setup.electionId, 'Q', `Queued (${backend})`);
    started = performance.now();
    const queued = await services.sms.sendListTexts(setup.coordinator.principal, queuedList, setup.templateId);
    const enqueuedPerSecond = queued.queued / ((performance.now() - started) / 1000);
    const sms = broker.queue(SMS_QUEUE);
    const counts = await sms.getJobCounts('waiting', 'delayed', 'prioritized');
    const queuedJobs = Object.values(counts).reduce((sum, count) => sum + count, 0);
    // Nobody is to receive those: they go before the worker starts.
    await sms.obliterate({ force: true });
    await prisma.outboundMessage.deleteMany({ where: { listId: queuedList } });

    progress(`${backend}: a worker node sending at ${PACING_RATE}/s for ${seconds} s to the fake Twilio`);
    const pacedList = await listOf(relance, setup.electionId, 'P', `Paced (${backend})`);
    const paced = await services.sms.sendListTexts(setup.coordinator.principal, pacedList, setup.templateId);
    worker = await startWorkerNode(env);
    while (fake.accepted.length === 0) await sleep(20);
    const windowStart = fake.accepted[0]!.acceptedAt.getTime() + WARM_UP_SECONDS * 1000;
    const windowEnd = windowStart + seconds * 1000;
    await sleep(windowEnd - Date.now() + 200);
    const inWindow = fake.accepted.filter((message) => {
      const at = message.acceptedAt.getTime();
      return at >= windowStart && at < windowEnd;
    }).length;
    const pacedPerSecond = inWindow / seconds;

    progress(`${backend}: killing the worker node (SIGKILL) with ${paced.queued - fake.accepted.length} texts left, then starting another`);
    await stopWorkerNode(worker, 'SIGKILL');
    worker = await startWorkerNode(env);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const busy = await prisma.outboundMessage.count({
        where: { listId: pacedList, status: { in: ['pending', 'sending'] }, reviewReason: null },
      });
      if (busy === 0) break;
      if (Date.now() > deadline) throw new Error(`${busy} texts still pending or sending 5 minutes after the restart`);
      await sleep(500);
    }
    await stopWorkerNode(worker, 'SIGTERM');
    const sentAfterCrash = await prisma.outboundMessage.count({ where: { listId: pacedList, status: 'sent' } });
    const flaggedForReview = await prisma.outboundMessage.count({ where: { listId: pacedList, reviewReason: { not: null } } });
    const duplicates = fake.accepted.length - new Set(fake.accepted.map((message) => message.to)).size;
    return {
      bareAddPerSecond,
      enqueuedPerSecond,
      queuedJobs,
      pacedPerSecond,
      pacingError: pacedPerSecond / PACING_RATE - 1,
      sentAfterCrash,
      flaggedForReview,
      duplicates,
    };
  } finally {
    if (worker) await stopWorkerNode(worker, 'SIGKILL');
    await opened.close();
    await fake.close();
  }
}

export async function runSms(relance: Relance, options: ScenarioOptions): Promise<BenchReport> {
  const rows = options.rows ?? SMS_DEFAULT_ROWS;
  const seconds = options.seconds ?? SMS_DEFAULT_SECONDS;
  const progress = options.onProgress;
  const pacingTexts = Math.ceil(PACING_RATE * (WARM_UP_SECONDS + seconds) * 1.25);
  if (pacingTexts > 10_000) throw new Error('--seconds must be at most 150: the paced texts go to 10,000 distinct numbers at most');

  progress(`preparing an election with ${(rows + pacingTexts).toLocaleString('en-US')} people`);
  const setup = await prepare(relance, rows, pacingTexts);
  const redis = relance.services.config.redisUrl ? null : redisAvailable ? await startRedis() : null;
  const redisUrl = relance.services.config.redisUrl ?? redis?.url;
  const backends: ['postgres' | 'redis', string | undefined][] = [['postgres', undefined]];
  if (redisUrl) backends.push(['redis', redisUrl]);

  const rowsOut: ReportRow[] = [];
  const metrics: Record<string, number> = {};
  const baseline: Record<string, number> = {};
  const notes: string[] = [
    `${rows.toLocaleString('en-US')} texts queued; pacing at ${PACING_RATE}/s for ${seconds} s after ${WARM_UP_SECONDS} s`,
  ];
  let ok = true;
  try {
    for (const [backend, url] of backends) {
      const figures = await runBackend(relance, backend, url, setup, rows, seconds, progress);
      const ratio = figures.enqueuedPerSecond / figures.bareAddPerSecond;
      baseline[`${backend}BareAddPerSecond`] = figures.bareAddPerSecond;
      Object.assign(metrics, {
        [`${backend}EnqueuedPerSecond`]: figures.enqueuedPerSecond,
        [`${backend}EnqueueRatio`]: ratio,
        [`${backend}QueuedJobs`]: figures.queuedJobs,
        [`${backend}PacedPerSecond`]: figures.pacedPerSecond,
        [`${backend}PacingError`]: figures.pacingError,
        [`${backend}SentAfterCrash`]: figures.sentAfterCrash,
        [`${backend}FlaggedForReview`]: figures.flaggedForReview,
        [`${backend}Duplicates`]: figures.duplicates,
      });
      rowsOut.push(
        { name: `${backend}: bare BullMQ addBulk`, value: figures.bareAddPerSecond, unit: 'jobs/s' },
        { name: `${backend}: texts queued (rows + jobs)`, value: figures.enqueuedPerSecond, unit: 'texts/s' },
        { name: `${backend}:   ratio to bare addBulk`, value: ratio, unit: '×' },
        { name: `${backend}: paced send rate (target ${PACING_RATE})`, value: figures.pacedPerSecond, unit: 'texts/s' },
        { name: `${backend}:   error`, value: figures.pacingError * 100, unit: '%' },
        { name: `${backend}: sent across a worker kill`, value: figures.sentAfterCrash, unit: 'texts' },
        { name: `${backend}:   flagged for a person`, value: figures.flaggedForReview, unit: 'texts' },
        { name: `${backend}:   duplicates`, value: figures.duplicates, unit: 'texts' },
      );
      ok &&=
        figures.enqueuedPerSecond >= SMS_BUDGET.enqueuedPerSecond &&
        figures.queuedJobs === rows &&
        Math.abs(figures.pacingError) <= SMS_BUDGET.pacingTolerance &&
        figures.duplicates === SMS_BUDGET.duplicates;
    }
    if (!redisUrl) notes.push('Redis: skipped (no REDIS_URL, and redis-server is not installed)');
  } finally {
    await redis?.stop();
  }
  return { scenario: 'sms', rows: rowsOut, metrics, baseline, ok, notes };
}
