import { describe, expect, it } from 'vitest';
import { applyDelta } from '../../app/war-room/turnout-deltas.ts';
import { frameChange, STATION_MODEL_DRIFT } from '../../server/turnout/turnout.delta.ts';
import type { AreaTurnout, StationTurnout, TurnoutFrame } from '../../server/turnout/turnout.service.ts';

const model = { baseline: 0.5, expected: 0.2, current: 0.2, lag: 0, projected: 0.5, low: 0.45, high: 0.55 };

function station(code: string, changes: Partial<StationTurnout> = {}): StationTurnout {
  return {
    code,
    name: `Station ${code}`,
    areaCode: 'N1',
    longitude: 2.35,
    latitude: 48.85,
    registered: 1000,
    voted: 200,
    turnout: 0.2,
    reportedAt: '2026-03-15T09:00:00.000Z',
    closesAt: '2026-03-15T19:00:00.000Z',
    estimated: false,
    silent: false,
    openFlags: 0,
    supportersLeft: 40,
    ...model,
    ...changes,
  };
}

function frame(stations: StationTurnout[], areaChanges: Partial<AreaTurnout> = {}): TurnoutFrame {
  const area: AreaTurnout = {
    code: 'N1',
    name: 'Neighbourhood 1',
    kind: 'neighbourhood',
    parentCode: null,
    registered: 2000,
    voted: 400,
    turnout: 0.2,
    stations: 2,
    reportingStations: 2,
    estimatedStations: 0,
    silentStations: 0,
    openFlags: 0,
    supportersLeft: 80,
    ...model,
    ...areaChanges,
  };
  const { code: _code, name: _name, kind: _kind, parentCode: _parent, ...totals } = area;
  return {
    asOf: '2026-03-15T09:00:00.000Z',
    election: {
      id: 1,
      name: 'Test',
      pollingDay: '2026-03-15',
      timezone: 'Europe/Paris',
      pollsOpenAt: '2026-03-15T07:00:00.000Z',
      pollsCloseAt: '2026-03-15T19:00:00.000Z',
      now: '2026-03-15T09:00:00.000Z',
      simulated: false,
      rehearsal: false,
    },
    curve: [{ at: '2026-03-15T07:00:00.000Z', share: 0 }],
    totals,
    areas: [area],
    stations,
    flags: [],
  };
}

describe('frameChange', () => {
  it('sends a station whose report changed, without the fields that never change during the day', () => {
    const before = frame([station('0101'), station('0102')]);
    const after = frame([station('0101', { voted: 250, turnout: 0.25 }), station('0102')], { voted: 450 });
    const change = frameChange(before, after);
    if (change.kind !== 'delta') throw new Error(`expected a delta, got ${change.kind}`);
    expect(change.delta.stations).toEqual([expect.objectContaining({ code: '0101', voted: 250, turnout: 0.25 })]);
    expect(change.delta.stations[0]).not.toHaveProperty('name');
    expect(change.delta.stations[0]).not.toHaveProperty('longitude');
    expect(change.delta.areas.map((area) => [area.code, area.voted])).toEqual([['N1', 450]]);
  });

  it('holds back a station’s model figures until they moved by the drift, and screens then agree with the stream', () => {
    const start = frame([station('0101'), station('0102')]);
    const small = frame([station('0101'), station('0102', { projected: 0.5 + STATION_MODEL_DRIFT / 2 })]);
    expect(frameChange(start, small).kind).toBe('none');

    const large = frame([station('0101'), station('0102', { projected: 0.5 + STATION_MODEL_DRIFT })]);
    const change = frameChange(start, large);
    if (change.kind !== 'delta') throw new Error(`expected a delta, got ${change.kind}`);
    expect(change.delta.stations.map((s) => [s.code, s.projected])).toEqual([['0102', 0.5 + STATION_MODEL_DRIFT]]);
    const screen = applyDelta({ ...start, epoch: 'e', seq: 0 }, { ...change.delta, epoch: 'e', seq: 1 });
    expect(screen).toEqual({ ...change.held, epoch: 'e', seq: 1 });
  });

  it('asks for a whole snapshot when stations were added', () => {
    expect(frameChange(frame([station('0101')]), frame([station('0101'), station('0102')])).kind).toBe('snapshot');
  });
});
