/**
 * The volunteers' side of the chase benchmark, in a process of its own (forked by chase.ts), so their
 * CPU is not the server's: each volunteer, signed in with a session cookie of their own and one kept-alive
 * connection, asks for the next person (POST /api/v1/calls/next), renews the lease on one call in four
 * (POST /calls/:id/renew), and records "no answer" (POST /calls/:id/outcome), as fast as the server
 * answers, for the phase's seconds. Claim latency is timed from sending "next" to its answer.
 *
 * The ceiling phase runs the same loop straight on PostgreSQL: one connection per volunteer sending the
 * statements the web process sends for those three requests (CALL_STATEMENTS), with the same values.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Client } from 'undici';
import { CALL_STATEMENTS, LEASE_MINUTES } from '../../server/chase/chase.claims.ts';
import { serveHelper } from './child.ts';
import { summarize, type LatencySummary } from './stats.ts';

export interface VolunteersInit {
  type: 'init';
  baseUrl: string;
  /** One Cookie header per volunteer. */
  cookies: string[];
}

export interface VolunteersPhase {
  type: 'phase';
  seconds: number;
  /** One claim in `renewEvery` is renewed once before its outcome. */
  renewEvery: number;
}

/** The same phase straight on PostgreSQL: the volunteers' ids and the lists they are given. */
export interface CeilingPhase {
  type: 'ceiling';
  databaseUrl: string;
  volunteerIds: number[];
  listIds: number[];
  seconds: number;
  renewEvery: number;
}

export type VolunteersCommand = VolunteersInit | VolunteersPhase | CeilingPhase;

export interface VolunteersResult {
  type: 'result';
  windowMs: number;
  claims: number;
  renewals: number;
  outcomes: number;
  /** Volunteers told nobody is left before the phase ended. */
  emptyAnswers: number;
  /** Entries claimed by two volunteers at once (must be 0). */
  doubleClaims: number;
  errors: Record<string, number>;
  errorSamples: string[];
  claimLatency: LatencySummary;
  outcomeLatency: LatencySummary;
  loadCpuMs: number;
}

export type VolunteersAnswer = { type: 'ready' } | VolunteersResult;

const REQUEST_TIMEOUT_MS = 30_000;

/** What a request got: '200' or what went wrong; "next person" also says which entry it claimed (null: nobody left). */
interface Answer {
  status: string;
  body: string;
  entryId?: number | null;
}

/** One volunteer's three requests, over HTTP or straight on PostgreSQL. */
interface Volunteer {
  next(): Promise<Answer>;
  renew(entryId: number): Promise<Answer>;
  outcome(entryId: number): Promise<Answer>;
}

let init: VolunteersInit;
/** One connection per volunteer, as one phone has (undici's Client: a single kept-alive connection). */
let clients: Client[] = [];

async function post(index: number, path: string, body: unknown): Promise<Answer> {
  const payload = body === undefined ? '' : JSON.stringify(body);
  try {
    const response = await clients[index]!.request({
      method: 'POST',
      path,
      headers: { cookie: init.cookies[index]!, 'content-type': 'application/json', accept: 'application/json' },
      body: payload,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    return { status: String(response.statusCode), body: await response.body.text() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      status: code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'network',
      body: (error as Error).message,
    };
  }
}

function overHttp(index: number): Volunteer {
  return {
    async next() {
      const answer = await post(index, '/api/v1/calls/next', undefined);
      if (answer.status !== '200') return answer;
      const call = (JSON.parse(answer.body) as { call: { entryId: number } | null }).call;
      return { ...answer, entryId: call?.entryId ?? null };
    },
    renew: (entryId) => post(index, `/api/v1/calls/${entryId}/renew`, undefined),
    outcome: (entryId) => post(index, `/api/v1/calls/${entryId}/outcome`, { outcome: 'no_answer' }),
  };
}

/** The statements the web process sends for each request, with the values it gives them. */
function onPostgres(client: pg.Client, volunteerId: number, listIds: number[]): Volunteer {
  const leaseEnd = () => new Date(Date.now() + LEASE_MINUTES * 60_000);
  const run = async (statement: { name: string; text: string }, values: unknown[], done: (result: pg.QueryResult) => boolean) => {
    try {
      const result = await client.query({ ...statement, values });
      return { status: done(result) ? '200' : '409', body: '', entryId: (result.rows[0] as { id?: number } | undefined)?.id ?? null };
    } catch (error) {
      return { status: 'sql', body: (error as Error).message };
    }
  };
  return {
    next: () => run(CALL_STATEMENTS.claim, [volunteerId, new Date(), listIds, leaseEnd()], () => true),
    renew: (entryId) => run(CALL_STATEMENTS.renew, [entryId, volunteerId, leaseEnd()], (result) => result.rowCount === 1),
    outcome: (entryId) => {
      const now = new Date();
      const values = [entryId, volunteerId, 'no_answer', null, now, new Date(now.getTime() - 3_600_000)];
      return run(CALL_STATEMENTS.outcome, values, (result) => (result.rows[0] as { recorded: boolean }).recorded);
    },
  };
}

async function runPhase(volunteers: Volunteer[], phase: { seconds: number; renewEvery: number }): Promise<VolunteersResult> {
  const claimLatencies: number[] = [];
  const outcomeLatencies: number[] = [];
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  const held = new Set<number>();
  const counts = { claims: 0, renewals: 0, outcomes: 0, emptyAnswers: 0, doubleClaims: 0 };
  const noteError = (what: string, answer: Answer) => {
    const key = `${what} ${answer.status}`;
    errors[key] = (errors[key] ?? 0) + 1;
    if (errors[key] <= 2 && errorSamples.length < 10) errorSamples.push(`${key}: ${answer.body.slice(0, 300)}`);
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + phase.seconds * 1000;

  async function work(volunteer: Volunteer) {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const next = await volunteer.next();
      const answered = performance.now();
      if (next.status !== '200') {
        noteError('next', next);
        continue;
      }
      const entryId = next.entryId;
      if (entryId === null || entryId === undefined) {
        counts.emptyAnswers++;
        return;
      }
      if (answered <= deadline) {
        counts.claims++;
        claimLatencies.push(answered - sent);
      }
      if (held.has(entryId)) counts.doubleClaims++;
      held.add(entryId);
      if (counts.claims % phase.renewEvery === 0) {
        const renew = await volunteer.renew(entryId);
        if (renew.status === '200') counts.renewals++;
        else noteError('renew', renew);
      }
      const outcomeSent = performance.now();
      const outcome = await volunteer.outcome(entryId);
      outcomeLatencies.push(performance.now() - outcomeSent);
      if (outcome.status === '200') counts.outcomes++;
      else noteError('outcome', outcome);
    }
  }

  await Promise.all(volunteers.map(work));
  return {
    type: 'result',
    windowMs: phase.seconds * 1000,
    ...counts,
    errors,
    errorSamples,
    claimLatency: summarize(claimLatencies),
    outcomeLatency: summarize(outcomeLatencies),
    loadCpuMs: (() => {
      const usage = process.cpuUsage(cpuBefore);
      return (usage.user + usage.system) / 1000;
    })(),
  };
}

async function runCeiling(phase: CeilingPhase): Promise<VolunteersResult> {
  const connections = phase.volunteerIds.map(() => new pg.Client({ connectionString: phase.databaseUrl }));
  try {
    await Promise.all(connections.map((client) => client.connect()));
    return await runPhase(
      connections.map((client, index) => onPostgres(client, phase.volunteerIds[index]!, phase.listIds)),
      phase,
    );
  } finally {
    await Promise.all(connections.map((client) => client.end().catch(() => {})));
  }
}

serveHelper<VolunteersCommand, VolunteersAnswer>('chase-load.ts', async (command) => {
  if (command.type === 'init') {
    init = command;
    await Promise.all(clients.map((client) => client.close()));
    // Closed before the server's keep-alive timeout ends it under a request.
    clients = command.cookies.map(() => new Client(command.baseUrl, { keepAliveTimeout: 2_000, pipelining: 1 }));
    return { type: 'ready' };
  }
  if (command.type === 'ceiling') return runCeiling(command);
  return runPhase(
    clients.map((_, index) => overHttp(index)),
    command,
  );
});
