import type { Locale } from './i18n/i18n.ts';

// Making an Intl formatter costs far more than using one: the war room formats thousands of figures per update.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', options)));
  return format;
}

function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', options)));
  return format;
}

export function formatCount(locale: Locale, value: number): string {
  return numberFormat(locale).format(value);
}

export function formatShare(locale: Locale, share: number | null): string {
  if (share === null) return '—';
  return numberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(share);
}

export function formatTime(locale: Locale, iso: string, timeZone: string): string {
  return dateFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}

export function formatDateTime(locale: Locale, iso: string | Date, timeZone?: string): string {
  return dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** A day, as the people of `timeZone` (the election's) see it. */
export function formatDate(locale: Locale, iso: string | Date, timeZone: string): string {
  return dateFormat(locale, { dateStyle: 'long', timeZone }).format(new Date(iso));
}

/** A relative difference with its sign, e.g. −12.5 % (a lag behind expected turnout). */
export function formatSignedShare(locale: Locale, share: number | null): string {
  if (share === null) return '—';
  return numberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(share);
}

/** Minutes as hours and minutes, e.g. 3 h 05 min, or 45 min under an hour. */
export function formatDuration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours > 0 ? `${hours} h ${String(rest).padStart(2, '0')} min` : `${rest} min`;
}

/** A time of day with seconds, e.g. 14:05:09. */
export function formatClock(locale: Locale, at: string | number, timeZone: string): string {
  return dateFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone,
  }).format(new Date(at));
}

/** A share as a whole percentage, e.g. 40 % (a chart's axis). */
export function formatPercent(locale: Locale, share: number): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
