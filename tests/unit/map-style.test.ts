import { describe, expect, it } from 'vitest';
import { translator } from '../../app/i18n/i18n.ts';
import { LAG_COLOURS, lagClass, offlineStyle, stationRadiusPx, turnoutLayers } from '../../app/war-room/map-style.ts';
import { lagClassLabels } from '../../app/war-room/turnout-map.tsx';

describe('the war room map’s style', () => {
  it('puts a lag in one of 7 classes centred on 0, a limit in the class above it', () => {
    expect([-0.5, -0.2, -0.15, -0.1, -0.03, 0, 0.029, 0.03, 0.1, 0.2, 1].map(lagClass)).toEqual([0, 1, 1, 2, 3, 3, 3, 4, 5, 6, 6]);
    expect(lagClass(null)).toBeNull();
    expect(LAG_COLOURS).toHaveLength(7);
  });

  it('labels the classes in the legend, in both languages', () => {
    expect(lagClassLabels(translator('en'), 'en')).toEqual([
      'Over 20% behind',
      '10% to 20% behind',
      '3% to 10% behind',
      'Within 3%',
      '3% to 10% ahead',
      '10% to 20% ahead',
      '20% or more ahead',
    ]);
    expect(lagClassLabels(translator('fr'), 'fr')[0]).toBe('Plus de 20\u00a0% de retard');
  });

  it('fetches nothing by default: no sources, glyphs, sprite or text layers', () => {
    const style = offlineStyle('dark');
    expect(style.sources).toEqual({});
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    const types = turnoutLayers('light', { baseMap: false }).map((layer) => layer.type);
    expect(types).not.toContain('symbol');
  });

  it('sizes stations by the square root of supporters yet to vote', () => {
    expect(stationRadiusPx(0, 400)).toBe(3);
    expect(stationRadiusPx(100, 400)).toBe(3 + 13 * 0.5);
    expect(stationRadiusPx(400, 400)).toBe(16);
    expect(stationRadiusPx(900, 400)).toBe(16);
  });
});
