/**
 * What the simulated watchers do on polling day, as pure functions of a seed: when each station
 * reports, what count it reads, which watchers go offline, send a report twice or mistype a count,
 * and which supporters they mark as voted. The same seed gives the same day, to the id: a
 * simulator that restarts sends the same reports again, and the API stores them once.
 */
import { createHash } from 'node:crypto';
import { fractionOfDayAtShare, shareOfDay } from './simulator.curve.ts';

export interface StationToSimulate {
  code: string;
  areaCode: string;
  registered: number;
  /** How many people vote there by the end of the day. */
  finalVoters: number;
  opensAt: Date;
  closesAt: Date;
  /** List numbers of the campaign's supporters on the station's roll. */
  supporterListNumbers: readonly number[];
}

export interface SimulatedReport {
  id: string;
  stationCode: string;
  voters: number;
  observedAt: string;
}

export interface SimulatedMark {
  id: string;
  stationCode: string;
  listNumbers: number[];
  markedAt: string;
}

export interface SimulatedFlag {
  id: string;
  stationCode: string;
  category: 'long_queue';
  note: string;
  observedAt: string;
}

/** One thing a simulated watcher does, at `at` on the election's clock. */
export type WatcherAction =
  | { kind: 'report'; at: Date; stationCode: string; report: SimulatedReport; sendTwice: boolean }
  /** A count typed with a finger too many: more than the station can have, so the API refuses it. */
  | { kind: 'typo'; at: Date; stationCode: string; report: SimulatedReport }
  /** A phone back online sends what it queued, in one batch. */
  | { kind: 'flush'; at: Date; stationCode: string; reports: SimulatedReport[] }
  | { kind: 'marks'; at: Date; stationCode: string; mark: SimulatedMark }
  | { kind: 'flag'; at: Date; stationCode: string; flag: SimulatedFlag };

/** Reports come every 10 to 20 minutes, as a watcher finds a moment to read the signature sheet. */
export const MIN_GAP_MINUTES = 10;
export const MAX_GAP_MINUTES = 20;
/** Lagging neighbourhoods vote at this share of their pace… */
export const LAGGING_PACE = 0.75;
/** …until this fraction of the day (16:00 on an 08:00–20:00 day), then catch up by closing time. */
export const LAGGING_UNTIL = 2 / 3;
export const LAGGING_AREAS = 3;

/** Chances, per station or per report, of what goes wrong on a real day. */
export const ODDS = { offline: 0.15, duplicate: 0.05, typo: 0.2, flag: 0.05 };

/** A number in [0, 1) that depends only on its parts: the simulator's only randomness. */
export function unit(seed: string, ...parts: (string | number)[]): number {
  const digest = createHash('sha256')
    .update([seed, ...parts].join('\u0000'))
    .digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

const NAMESPACE = Buffer.from('6f1d3c1e8b5a4f0e9c2d7a6b5e4f3a21', 'hex');

/** A name-based UUID (RFC 9562 version 5: SHA-1 of a namespace and the name). */
export function uuidV5(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The neighbourhoods that run behind their pace today. */
export function pickLaggingAreas(seed: string, areaCodes: readonly string[], count = LAGGING_AREAS): Set<string> {
  const ranked = [...new Set(areaCodes)].sort((a, b) => unit(seed, 'lagging', a) - unit(seed, 'lagging', b));
  return new Set(ranked.slice(0, count));
}

export function fractionOfDay(at: Date, opensAt: Date, closesAt: Date): number {
  const fraction = (at.getTime() - opensAt.getTime()) / (closesAt.getTime() - opensAt.getTime());
  return Math.min(1, Math.max(0, fraction));
}

/** Share of its usual pace a station keeps at `fraction` of the day. */
export function paceOf(fraction: number, lagging: boolean): number {
  if (!lagging || fraction >= 1) return 1;
  if (fraction <= LAGGING_UNTIL) return LAGGING_PACE;
  return LAGGING_PACE + ((1 - LAGGING_PACE) * (fraction - LAGGING_UNTIL)) / (1 - LAGGING_UNTIL);
}

/** The cumulative count on the station's signature sheet at `at`. */
export function votersAt(station: StationToSimulate, at: Date, lagging: boolean): number {
  const fraction = fractionOfDay(at, station.opensAt, station.closesAt);
  return Math.round(station.finalVoters * shareOfDay(fraction) * paceOf(fraction, lagging));
}

/** When the station's watcher reads the sheet: every 10 to 20 minutes, and once more at closing. */
export function reportTimes(seed: string, station: StationToSimulate): Date[] {
  const times: Date[] = [];
  let at = station.opensAt.getTime();
  for (let slot = 0; ; slot++) {
    const gap = MIN_GAP_MINUTES + Math.floor(unit(seed, station.code, slot, 'gap') * (MAX_GAP_MINUTES - MIN_GAP_MINUTES + 1));
    at += gap * 60_000;
    if (at >= station.closesAt.getTime()) {
      times.push(new Date(station.closesAt));
      return times;
    }
    times.push(new Date(at));
  }
}

/** A count with one digit too many, repeated until no station could have it (so it is always refused). */
export function mistyped(voters: number, registered: number, digit: number): number {
  let typo = Math.max(1, voters) * 10 + digit;
  while (typo <= registered * 2) typo = typo * 10 + digit;
  return typo;
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Everything one station's watcher does over the day, in order. */
export function planStation(seed: string, station: StationToSimulate, lagging: boolean): WatcherAction[] {
  const { code } = station;
  const times = reportTimes(seed, station);
  const reports: SimulatedReport[] = times.map((at, slot) => ({
    id: uuidV5(`${seed}/${code}/report/${slot}`),
    stationCode: code,
    voters: votersAt(station, at, lagging),
    observedAt: at.toISOString(),
  }));

  // An offline stretch of 3 to 6 readings, somewhere in the day, sent when the phone is back.
  const offline = new Set<number>();
  let flushSlot = -1;
  if (unit(seed, code, 'offline') < ODDS.offline && times.length >= 12) {
    const first = 2 + Math.floor(unit(seed, code, 'offline-from') * (times.length - 10));
    const length = 3 + Math.floor(unit(seed, code, 'offline-length') * 4);
    for (let slot = first; slot < first + length; slot++) offline.add(slot);
    flushSlot = first + length;
  }
  const sendAt = (slot: number) => (offline.has(slot) ? times[flushSlot]! : times[slot]!);

  // Supporters who vote today (about the station's turnout), each at a time drawn from the curve.
  const turnout = station.registered > 0 ? Math.min(1, station.finalVoters / station.registered) : 0;
  const markedAtSlot = new Map<number, number[]>();
  for (const listNumber of station.supporterListNumbers) {
    if (unit(seed, code, listNumber, 'votes') >= turnout) continue;
    const fraction = fractionOfDayAtShare(unit(seed, code, listNumber, 'when'));
    const votedAt = station.opensAt.getTime() + fraction * (station.closesAt.getTime() - station.opensAt.getTime());
    const slot = times.findIndex((at) => at.getTime() >= votedAt);
    markedAtSlot.set(slot, [...(markedAtSlot.get(slot) ?? []), listNumber]);
  }

  const typoSlot = unit(seed, code, 'typo') < ODDS.typo ? 1 + Math.floor(unit(seed, code, 'typo-slot') * (times.length - 2)) : -1;
  const flagSlot = unit(seed, code, 'flag') < ODDS.flag ? Math.floor(times.length * 0.4) : -1;

  const actions: WatcherAction[] = [];
  times.forEach((at, slot) => {
    const report = reports[slot]!;
    if (slot === typoSlot && !offline.has(slot)) {
      const voters = mistyped(report.voters, station.registered, Math.floor(unit(seed, code, 'typo-digit') * 10));
      actions.push({ kind: 'typo', at, stationCode: code, report: { ...report, id: uuidV5(`${seed}/${code}/typo/${slot}`), voters } });
    }
    if (offline.has(slot)) {
      // Nothing leaves the phone; the flush at the end of the stretch carries it.
    } else if (slot === flushSlot) {
      const queued = [...offline].map((queuedSlot) => reports[queuedSlot]!);
      actions.push({ kind: 'flush', at, stationCode: code, reports: [...queued, report] });
    } else {
      actions.push({ kind: 'report', at, stationCode: code, report, sendTwice: unit(seed, code, slot, 'duplicate') < ODDS.duplicate });
    }
    if (slot === flagSlot) {
      actions.push({
        kind: 'flag',
        at: sendAt(slot),
        stationCode: code,
        flag: {
          id: uuidV5(`${seed}/${code}/flag`),
          stationCode: code,
          category: 'long_queue',
          note: 'Simulated: queue out of the door',
          observedAt: at.toISOString(),
        },
      });
    }
    const listNumbers = (markedAtSlot.get(slot) ?? []).sort((a, b) => a - b);
    chunks(listNumbers, 1000).forEach((part, index) => {
      actions.push({
        kind: 'marks',
        at: sendAt(slot),
        stationCode: code,
        mark: { id: uuidV5(`${seed}/${code}/marks/${slot}/${index}`), stationCode: code, listNumbers: part, markedAt: at.toISOString() },
      });
    });
  });
  return actions;
}

/** The whole day, every station, in the order things happen (a station's own actions in its order). */
export function planDay(seed: string, stations: readonly StationToSimulate[]): WatcherAction[] {
  const lagging = pickLaggingAreas(
    seed,
    stations.map((station) => station.areaCode),
  );
  const actions = stations.flatMap((station) => planStation(seed, station, lagging.has(station.areaCode)));
  return actions
    .map((action, order) => ({ action, order }))
    .sort((a, b) => a.action.at.getTime() - b.action.at.getTime() || a.order - b.order)
    .map(({ action }) => action);
}
