/**
 * The poll watchers' phones of a fault drill, in a process of their own (forked by drill.ts): each
 * phone has an API token for its stations and an outbox, as app/watch/outbox.ts keeps one. Reports
 * (each station's count going up by one) and voted marks (the next list numbers of the roll) are
 * written to the outbox when they are made, then sent over HTTP through the drill's load balancer;
 * whatever is not acknowledged (2xx) is sent again later with the same id and payload, until it is.
 *
 * A phone may be offline for a while (it queues, then flushes its outbox in batches of 100 reports,
 * as the watcher page does), or send every request three times (a retry storm: twice at once, and
 * once more after giving up on an answer that took too long). Every request that failed is noted
 * with its kind and time: a clear, retryable refusal (503 or 429 with Retry-After, a refused or
 * reset connection) or not (a 500, a 503 without Retry-After, no answer at all).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { electionTime, type SimulationWindow } from '../../server/elections/elections.clock.ts';
import { serveHelper, wallNow } from '../bench/child.ts';

export interface DrillPhone {
  token: string;
  stationCodes: string[];
}

export interface PhonesLoad {
  type: 'load';
  /** The load balancer's address. */
  url: string;
  phones: DrillPhone[];
  /** Voters on each station's roll: marks use list numbers 1 … this. */
  rollSize: number;
  registered: number;
  clock: { startedAt: string; startsFrom: string; endsAt: string; speed: number };
  seconds: number;
  reportsPerSecond: number;
  marksPerSecond: number;
  /** Phones (the first `count`) offline from `fromMs` to `toMs` after the start: they queue, then flush. */
  offline?: { count: number; fromMs: number; toMs: number };
  /** From `fromMs` to `toMs` after the start, every request sent three times, one after a client-side timeout of `timeoutMs`. */
  retryStorm?: { timeoutMs: number; fromMs: number; toMs: number };
  /** After the load, how long phones keep sending what is still not acknowledged. */
  drainSeconds: number;
}

/** `gave_up`: the phone itself stopped waiting (a retry storm's impatient copy), not the server's doing. */
export type FailureKind = 'retryable' | 'not_retryable' | 'no_answer' | 'gave_up';

export interface PhonesResult {
  type: 'result';
  reports: { sent: string[]; acknowledged: string[] };
  marks: { sent: { id: string; stationCode: string; listNumbers: number[] }[]; acknowledged: string[] };
  /** Items made, with when (wall ms) they were made and acknowledged (NaN: never). */
  items: [made: number, acknowledged: number][];
  requests: number;
  /** Failed requests: [wall ms, kind, what] (what: the status, or the network error's code). */
  failures: [number, FailureKind, string][];
  /** Answers that refused an item for good (4xx): none should come, every item is valid. */
  refusals: string[];
  cpuMs: number;
}

export type PhonesCommand = PhonesLoad;

const REQUEST_TIMEOUT_MS = 15_000;
const REPORTS_PER_BATCH = 100;
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 2_000;

interface Item {
  kind: 'report' | 'mark';
  id: string;
  payload: Record<string, unknown>;
  made: number;
  acknowledged: number;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

class RequestFailed extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly what: string,
  ) {
    super(`${kind}: ${what}`);
  }
}

/** One per phone: each is a device of its own, with its own connections. */
let agents: http.Agent[] = [];
let baseUrl = '';
const failures: [number, FailureKind, string][] = [];
const refusals: string[] = [];
let requests = 0;
let startedAt = 0;

function classify(answer: Answer): FailureKind | null {
  if (answer.status >= 200 && answer.status < 300) return null;
  if ((answer.status === 503 || answer.status === 429) && answer.retryAfter !== undefined) return 'retryable';
  // The load balancer's own answer when no web node takes the connection.
  if (answer.status === 502) return 'retryable';
  if (answer.status >= 500 || answer.status === 429) return 'not_retryable';
  return null;
}

function post(phone: number, path: string, token: string, body: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Answer> {
  const payload = JSON.stringify(body);
  requests++;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (kind: FailureKind, what: string) => {
      if (settled) return;
      settled = true;
      failures.push([wallNow(), kind, what]);
      reject(new RequestFailed(kind, what));
    };
    const request = http.request(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        agent: agents[phone],
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          accept: 'application/json',
        },
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (settled) return;
          const answer = { status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: text };
          const kind = classify(answer);
          if (kind) return fail(kind, String(answer.status));
          settled = true;
          resolve(answer);
        });
        response.on('error', (error: NodeJS.ErrnoException) => fail('retryable', error.code ?? error.message));
      },
    );
    request.on('timeout', () => {
      request.destroy();
      fail(timeoutMs < REQUEST_TIMEOUT_MS ? 'gave_up' : 'no_answer', `no answer within ${timeoutMs} ms`);
    });
    // Refused, reset or closed before an answer: nothing was acknowledged, the outbox tries again.
    request.on('error', (error: NodeJS.ErrnoException) => fail('retryable', error.code ?? error.message));
    request.end(payload);
  });
}

/** In a retry storm: the request twice at once, and a third time after giving up on a short wait. */
async function postStormy(phone: number, path: string, token: string, body: unknown, storm: PhonesLoad['retryStorm']): Promise<Answer> {
  const elapsed = wallNow() - startedAt;
  if (!storm || elapsed < storm.fromMs || elapsed >= storm.toMs) return post(phone, path, token, body);
  const impatient = post(phone, path, token, body, storm.timeoutMs).catch(() => post(phone, path, token, body));
  const answers = await Promise.allSettled([post(phone, path, token, body), post(phone, path, token, body), impatient]);
  const answered = answers.find((answer): answer is PromiseFulfilledResult<Answer> => answer.status === 'fulfilled');
  if (answered) return answered.value;
  throw (answers[0] as PromiseRejectedResult).reason;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runLoad(load: PhonesLoad): Promise<PhonesResult> {
  // One load after another in the same process: each starts afresh.
  failures.length = 0;
  refusals.length = 0;
  requests = 0;
  baseUrl = load.url;
  agents = load.phones.map(() => new http.Agent({ keepAlive: true, maxSockets: 4, timeout: 2_000 }));
  const clock: SimulationWindow = {
    startedAt: new Date(load.clock.startedAt),
    startsFrom: new Date(load.clock.startsFrom),
    endsAt: new Date(load.clock.endsAt),
    speed: load.clock.speed,
  };
  const cpuBefore = process.cpuUsage();
  const start = wallNow();
  startedAt = start;
  const loadEnds = start + load.seconds * 1000;
  const giveUpAt = loadEnds + load.drainSeconds * 1000;
  const outboxes: Item[][] = load.phones.map(() => []);
  const wake: (() => void)[] = load.phones.map(() => () => {});
  const all: Item[] = [];
  const counts = new Map<string, { voters: number; observedAt: number; nextListNumber: number }>();
  const offline = (phone: number, at: number) =>
    load.offline !== undefined && phone < load.offline.count && at >= start + load.offline.fromMs && at < start + load.offline.toMs;

  function make(phone: number, kind: Item['kind'], sequence: number) {
    const stationCode = load.phones[phone]!.stationCodes[sequence % load.phones[phone]!.stationCodes.length]!;
    const state = counts.get(stationCode) ?? { voters: 0, observedAt: 0, nextListNumber: 1 };
    counts.set(stationCode, state);
    const now = Math.max(electionTime(new Date(), clock).getTime(), state.observedAt + 1);
    state.observedAt = now;
    const id = randomUUID();
    let payload: Record<string, unknown>;
    if (kind === 'report') {
      state.voters = Math.min(state.voters + 1, load.registered);
      payload = { id, stationCode, voters: state.voters, observedAt: new Date(now).toISOString() };
    } else {
      const listNumbers = [state.nextListNumber, state.nextListNumber + 1].filter((number) => number <= load.rollSize);
      if (listNumbers.length === 0) return;
      state.nextListNumber += listNumbers.length;
      payload = { id, stationCode, listNumbers, markedAt: new Date(now).toISOString() };
    }
    const item: Item = { kind, id, payload, made: wallNow(), acknowledged: Number.NaN };
    outboxes[phone]!.push(item);
    all.push(item);
    wake[phone]!();
  }

  /** Sends what waits in one phone's outbox: reports in batches when several wait, marks one by one. */
  async function sendWaiting(phone: number): Promise<void> {
    const { token } = load.phones[phone]!;
    const waiting = outboxes[phone]!;
    const reports = waiting.filter((item) => item.kind === 'report');
    const settle = (item: Item, answer: { status: number; body?: unknown }) => {
      if (answer.status === 200 || answer.status === 201) item.acknowledged = wallNow();
      else {
        refusals.push(`${item.kind} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
        item.acknowledged = Number.POSITIVE_INFINITY; // refused for good: out of the outbox
      }
    };
    for (let first = 0; first < reports.length; first += REPORTS_PER_BATCH) {
      const chunk = reports.slice(first, first + REPORTS_PER_BATCH);
      if (chunk.length === 1) {
        const answer = await postStormy(phone, '/api/v1/reports', token, chunk[0]!.payload, load.retryStorm);
        settle(chunk[0]!, { status: answer.status, body: answer.body });
      } else {
        const answer = await postStormy(
          phone,
          '/api/v1/reports/batch',
          token,
          { reports: chunk.map((item) => item.payload) },
          load.retryStorm,
        );
        const { results } = JSON.parse(answer.body) as { results: { status: number; error?: unknown }[] };
        chunk.forEach((item, index) => settle(item, { status: results[index]!.status, body: results[index]!.error }));
      }
    }
    for (const item of waiting.filter((entry) => entry.kind === 'mark')) {
      const answer = await postStormy(phone, '/api/v1/marks', token, item.payload, load.retryStorm);
      settle(item, { status: answer.status, body: answer.body });
    }
  }

  async function phoneLoop(phone: number): Promise<void> {
    let attempts = 0;
    while (wallNow() < giveUpAt) {
      const outbox = outboxes[phone]!;
      for (let index = outbox.length - 1; index >= 0; index--) if (!Number.isNaN(outbox[index]!.acknowledged)) outbox.splice(index, 1);
      if (outbox.length === 0) {
        if (wallNow() >= loadEnds) return;
        await new Promise<void>((resolve) => {
          wake[phone] = resolve;
          setTimeout(resolve, 100);
        });
        continue;
      }
      if (offline(phone, wallNow())) {
        await sleep(50);
        continue;
      }
      try {
        await sendWaiting(phone);
        attempts = 0;
      } catch (error) {
        if (!(error instanceof RequestFailed)) throw error;
        attempts++;
        // Backoff with jitter, as the watcher page does, on a drill's time scale.
        await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2));
      }
    }
  }

  const loops = load.phones.map((_, phone) => phoneLoop(phone));
  // Open loop: item n is due at n / rate seconds, whatever became of the earlier ones.
  const schedule = async (rate: number, kind: Item['kind']) => {
    if (rate <= 0) return;
    let made = 0;
    while (wallNow() < loadEnds) {
      const due = Math.floor(((wallNow() - start) / 1000) * rate);
      for (; made < due; made++) make(made % load.phones.length, kind, Math.floor(made / load.phones.length));
      await sleep(5);
    }
  };
  await Promise.all([schedule(load.reportsPerSecond, 'report'), schedule(load.marksPerSecond, 'mark')]);
  await Promise.all(loops);
  for (const agent of agents) agent.destroy();

  const reports = all.filter((item) => item.kind === 'report');
  const marks = all.filter((item) => item.kind === 'mark');
  const acknowledged = (items: Item[]) => items.filter((item) => Number.isFinite(item.acknowledged)).map((item) => item.id);
  const usage = process.cpuUsage(cpuBefore);
  return {
    type: 'result',
    reports: { sent: reports.map((item) => item.id), acknowledged: acknowledged(reports) },
    marks: {
      sent: marks.map((item) => ({
        id: item.id,
        stationCode: item.payload.stationCode as string,
        listNumbers: item.payload.listNumbers as number[],
      })),
      acknowledged: acknowledged(marks),
    },
    items: all.map((item) => [item.made, Number.isFinite(item.acknowledged) ? item.acknowledged : Number.NaN]),
    requests,
    failures,
    refusals: refusals.slice(0, 20),
    cpuMs: (usage.user + usage.system) / 1000,
  };
}

serveHelper<PhonesCommand, PhonesResult>('drill-phones.ts', (command) => runLoad(command));
