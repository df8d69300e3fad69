/**
 * The volunteers' side of the chase benchmark, in a process of its own (forked by chase.ts), so their
 * CPU is not the server's: each volunteer, signed in with a session cookie of their own and one kept-alive
 * connection, asks for the next person (POST /api/v1/calls/next), renews the lease on one call in four
 * (POST /calls/:id/renew), and records "no answer" (POST /calls/:id/outcome), as fast as the server
 * answers, for the phase's seconds. Claim latency is timed from sending "next" to its answer.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
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

export type VolunteersCommand = VolunteersInit | VolunteersPhase;

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

let init: VolunteersInit;
/** One connection per volunteer, as one phone has (undici's Client: a single kept-alive connection). */
let clients: Client[] = [];

async function post(index: number, path: string, body: unknown): Promise<{ status: number | 'network' | 'timeout'; body: string }> {
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
    return { status: response.statusCode, body: await response.body.text() };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      status: code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'network',
      body: (error as Error).message,
    };
  }
}

async function runPhase(phase: VolunteersPhase): Promise<VolunteersResult> {
  const claimLatencies: number[] = [];
  const outcomeLatencies: number[] = [];
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  const held = new Set<number>();
  const counts = { claims: 0, renewals: 0, outcomes: 0, emptyAnswers: 0, doubleClaims: 0 };
  const noteError = (what: string, status: string, body: string) => {
    const key = `${what} ${status}`;
    errors[key] = (errors[key] ?? 0) + 1;
    if (errors[key] <= 2 && errorSamples.length < 10) errorSamples.push(`${key}: ${body.slice(0, 300)}`);
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + phase.seconds * 1000;

  async function volunteer(index: number) {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const next = await post(index, '/api/v1/calls/next', undefined);
      const answered = performance.now();
      if (next.status !== 200) {
        noteError('next', String(next.status), next.body);
        continue;
      }
      const call = (JSON.parse(next.body) as { call: { entryId: number } | null }).call;
      if (!call) {
        counts.emptyAnswers++;
        return;
      }
      if (answered <= deadline) {
        counts.claims++;
        claimLatencies.push(answered - sent);
      }
      if (held.has(call.entryId)) counts.doubleClaims++;
      held.add(call.entryId);
      if (counts.claims % phase.renewEvery === 0) {
        const renew = await post(index, `/api/v1/calls/${call.entryId}/renew`, undefined);
        if (renew.status === 200) counts.renewals++;
        else noteError('renew', String(renew.status), renew.body);
      }
      const outcomeSent = performance.now();
      const outcome = await post(index, `/api/v1/calls/${call.entryId}/outcome`, { outcome: 'no_answer' });
      outcomeLatencies.push(performance.now() - outcomeSent);
      if (outcome.status === 200) counts.outcomes++;
      else noteError('outcome', String(outcome.status), outcome.body);
    }
  }

  await Promise.all(init.cookies.map((_, index) => volunteer(index)));
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

serveHelper<VolunteersCommand, VolunteersAnswer>('chase-load.ts', async (command) => {
  if (command.type === 'init') {
    init = command;
    await Promise.all(clients.map((client) => client.close()));
    // Closed before the server's keep-alive timeout ends it under a request.
    clients = command.cookies.map(() => new Client(command.baseUrl, { keepAliveTimeout: 2_000, pipelining: 1 }));
    return { type: 'ready' };
  }
  return runPhase(command);
});
