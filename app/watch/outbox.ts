import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { useEffect, useState } from 'react';

/**
 * The phone's outbox. Every report, mark and flag is written here, in IndexedDB, before anything
 * else, with the id the server will store it under; then it is sent, in batches, retried with
 * backoff until the server has answered. It survives a reload, a closed tab and a phone restart:
 * whatever was written here is sent the next time a watcher page is open with a network.
 * A retry is harmless: the server stores each id once (docs/api.md).
 */

export type OutboxKind = 'report' | 'mark' | 'flag';

export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  stationCode: string;
  /** Exactly what is posted to the API. */
  payload: Record<string, unknown>;
  queuedAt: number;
  /** waiting: not acknowledged yet; sent: stored by the server; refused: the server said why not. */
  state: 'waiting' | 'sent' | 'refused';
  /** For an undo: the id of the mark it takes back. */
  undoes?: string;
  /** The server's answer: the stored report's status, or why it was refused. */
  answer?: { status: string; message?: string };
}

interface OutboxSchema extends DBSchema {
  items: { key: string; value: OutboxItem; indexes: { queuedAt: number } };
}

const DATABASE = 'relance-watch';
/** Answers kept on the phone, for the watcher's own list of what was sent (the newest). */
const KEEP_SENT = 100;
const REPORTS_PER_REQUEST = 100;

let database: Promise<IDBPDatabase<OutboxSchema>> | undefined;
function db() {
  database ??= openDB<OutboxSchema>(DATABASE, 1, {
    upgrade(upgrade) {
      upgrade.createObjectStore('items', { keyPath: 'id' }).createIndex('queuedAt', 'queuedAt');
    },
  });
  return database;
}

export type SyncState = 'idle' | 'sending' | 'waiting_for_network' | 'signed_out';

let syncState: SyncState = 'idle';
const listeners = new Set<() => void>();
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('relance-outbox');
channel?.addEventListener('message', () => listeners.forEach((listener) => listener()));

function changed() {
  listeners.forEach((listener) => listener());
  channel?.postMessage('changed');
}

function setSyncState(state: SyncState) {
  syncState = state;
  listeners.forEach((listener) => listener());
}

export async function outboxItems(): Promise<OutboxItem[]> {
  return (await db()).getAllFromIndex('items', 'queuedAt');
}

/** Writes an item to the phone first, then tries to send everything waiting. */
export async function enqueue(
  kind: OutboxKind,
  payload: Record<string, unknown> & { id: string; stationCode: string },
  options: { undoes?: string } = {},
): Promise<void> {
  const item: OutboxItem = {
    id: payload.id,
    kind,
    stationCode: payload.stationCode,
    payload,
    queuedAt: Date.now(),
    state: 'waiting',
    ...options,
  };
  await (await db()).put('items', item);
  changed();
  void flush();
}

async function settle(id: string, state: 'sent' | 'refused', answer: OutboxItem['answer']) {
  const store = (await db()).transaction('items', 'readwrite').store;
  const item = await store.get(id);
  if (item) await store.put({ ...item, state, answer });
}

async function prune() {
  const sent = (await outboxItems()).filter((item) => item.state !== 'waiting');
  const store = (await db()).transaction('items', 'readwrite').store;
  await Promise.all(sent.slice(0, Math.max(0, sent.length - KEEP_SENT)).map((item) => store.delete(item.id)));
}

class Transient extends Error {}
class SignedOut extends Error {}

async function post(path: string, body: unknown): Promise<{ status: number; body: Omit<ApiAnswer, 'status'> & { results?: unknown } }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new Transient('network');
  }
  if (response.status === 401) throw new SignedOut();
  // A server error, an overloaded proxy or a rate limit: the same request later is harmless.
  if (response.status >= 500 || response.status === 429 || response.status === 408) throw new Transient(String(response.status));
  return { status: response.status, body: (await response.json()) as Omit<ApiAnswer, 'status'> & { results?: unknown } };
}

/** One item's answer: a batch's result, or a single request's status and body. */
interface ApiAnswer {
  status: number;
  /** A report's stored status (accepted, flagged). */
  report?: { status: string };
  error?: { code: string; message: string };
}

function answerOf(answer: ApiAnswer): { state: 'sent' | 'refused'; answer: OutboxItem['answer'] } {
  if (answer.status === 200 || answer.status === 201) return { state: 'sent', answer: { status: answer.report?.status ?? 'accepted' } };
  return { state: 'refused', answer: { status: answer.error?.code ?? String(answer.status), message: answer.error?.message } };
}

async function sendWaiting(): Promise<void> {
  const waiting = (await outboxItems()).filter((item) => item.state === 'waiting');
  const reports = waiting.filter((item) => item.kind === 'report');
  for (let start = 0; start < reports.length; start += REPORTS_PER_REQUEST) {
    const chunk = reports.slice(start, start + REPORTS_PER_REQUEST);
    const { status, body } = await post('/api/v1/reports/batch', { reports: chunk.map((item) => item.payload) });
    if (status !== 200) {
      // The batch as a whole was refused (malformed): each item is refused with that reason.
      for (const item of chunk) await settle(item.id, 'refused', answerOf({ status, ...body }).answer);
    } else {
      const results = body.results as ApiAnswer[];
      for (const [index, item] of chunk.entries()) {
        const { state, answer } = answerOf(results[index]!);
        await settle(item.id, state, answer);
      }
    }
    changed();
  }
  // Marks and flags one by one, in the order they were made: an undo comes after its mark.
  for (const item of waiting.filter((entry) => entry.kind !== 'report')) {
    const { status, body } = await post(item.kind === 'mark' ? '/api/v1/marks' : '/api/v1/flags', item.payload);
    const { state, answer } = answerOf({ status, ...body });
    await settle(item.id, state, answer);
    changed();
  }
}

let attempts = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** Sends what waits, once at a time across this phone's tabs; on failure, tries again later. */
export async function flush(): Promise<void> {
  if (syncState === 'sending') return;
  clearTimeout(retryTimer);
  setSyncState('sending');
  try {
    const run = () => sendWaiting();
    if (navigator.locks) await navigator.locks.request('relance-outbox', run);
    else await run();
    attempts = 0;
    await prune();
    setSyncState('idle');
  } catch (error) {
    if (error instanceof SignedOut) {
      setSyncState('signed_out');
      return;
    }
    if (!(error instanceof Transient)) console.warn('outbox: could not send', error);
    attempts++;
    setSyncState('waiting_for_network');
    // 2, 4, 8… seconds up to a minute, with jitter so that phones that lost the network together
    // do not all come back at the same second.
    const delay = Math.min(60_000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
    retryTimer = setTimeout(() => void flush(), delay);
  }
}

let started = false;
/** Sends at start, when the network comes back, when the page is shown again, and now and then. */
function startSending() {
  if (started) return;
  started = true;
  window.addEventListener('online', () => void flush());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void flush();
  });
  setInterval(() => {
    if (syncState === 'idle') void flush();
  }, 30_000);
  void flush();
}

export interface OutboxView {
  items: OutboxItem[];
  waiting: number;
  state: SyncState;
  /** False until IndexedDB has been read (the server-rendered page knows nothing of the queue). */
  loaded: boolean;
}

export function useOutbox(): OutboxView {
  const [view, setView] = useState<OutboxView>({ items: [], waiting: 0, state: 'idle', loaded: false });
  useEffect(() => {
    let live = true;
    const refresh = () =>
      void outboxItems().then((items) => {
        if (live) setView({ items, waiting: items.filter((item) => item.state === 'waiting').length, state: syncState, loaded: true });
      });
    listeners.add(refresh);
    refresh();
    startSending();
    return () => {
      live = false;
      listeners.delete(refresh);
    };
  }, []);
  return view;
}
