import { describe, expect, it } from 'vitest';
import { isTimeZone, zonedInstant } from '../../server/elections/elections.time.ts';
import { negotiateLocale, resolveLocale } from '../../server/http/locale.ts';

describe('zonedInstant', () => {
  it('places local polling hours in UTC, winter and summer time alike', () => {
    expect(zonedInstant('2026-03-15', '08:00', 'Europe/Paris').toISOString()).toBe('2026-03-15T07:00:00.000Z');
    expect(zonedInstant('2026-06-21', '20:00', 'Europe/Paris').toISOString()).toBe('2026-06-21T18:00:00.000Z');
    expect(zonedInstant('2025-05-04', '07:00', 'Europe/Bucharest').toISOString()).toBe('2025-05-04T04:00:00.000Z');
  });

  it('handles the day clocks change', () => {
    // 29 March 2026: Paris goes from UTC+1 to UTC+2 at 02:00.
    expect(zonedInstant('2026-03-29', '08:00', 'Europe/Paris').toISOString()).toBe('2026-03-29T06:00:00.000Z');
  });

  it('knows real timezones from typos', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Europe/Pariss')).toBe(false);
  });
});

describe('language', () => {
  it('takes the best supported language of the browser', () => {
    expect(negotiateLocale('de-DE,de;q=0.9,en;q=0.8,fr;q=0.7')).toBe('en');
    expect(negotiateLocale('fr-CA,fr;q=0.9')).toBe('fr');
    expect(negotiateLocale('de, es;q=0.5')).toBeUndefined();
    expect(negotiateLocale(undefined)).toBeUndefined();
  });

  it('prefers the person’s choice, then their profile, then the browser, then French', () => {
    expect(resolveLocale('en', 'fr', 'fr')).toBe('en');
    expect(resolveLocale(undefined, 'en', 'fr')).toBe('en');
    expect(resolveLocale('xx', null, 'en-US')).toBe('en');
    expect(resolveLocale(undefined, null, 'de')).toBe('fr');
  });
});
