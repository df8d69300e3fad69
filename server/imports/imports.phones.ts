import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { isFictionNumber } from '../fields.ts';

export type PhoneKind = 'mobile' | 'landline' | 'other';

export interface ImportedPhone {
  /** E.164, e.g. +33612345678. */
  number: string;
  kind: PhoneKind;
}

/** The region that numbers written without a country code are read in, unless an import says otherwise. */
export const DEFAULT_PHONE_REGION: CountryCode = 'FR';

/**
 * A phone number as a campaign file writes it (06 12 34 56 78, +33 6…, 0033 6…), checked against
 * the numbering plans in libphonenumber-js (full metadata: telling mobiles from landlines needs it).
 *
 * The ranges that the French regulator ARCEP reserves for fiction (the demo's numbers) are in no
 * operator's plan, so libphonenumber calls them invalid; they are accepted as the kind of number
 * they imitate, because they can never reach anyone.
 */
export function readPhone(raw: string, region: CountryCode = DEFAULT_PHONE_REGION): ImportedPhone | undefined {
  const french = frenchNationalNumber(raw, region);
  if (french !== undefined) {
    const key = french.slice(0, FRENCH_PREFIX_DIGITS);
    const known = frenchPrefixes.get(key);
    if (known === undefined) {
      const parsed = parsePhone(`+33${french}`, region);
      frenchPrefixes.set(key, parsed ? parsed.kind : null);
      return parsed;
    }
    return known === null ? undefined : { number: `+33${french}`, kind: known };
  }
  return parsePhone(raw, region);
}

/**
 * Parsing a number with libphonenumber takes 10–20 µs, most of an import's time for a million
 * people. French numbers have 9 national digits, and whether one is valid and what kind it is depends on its
 * first digits only (the plan's patterns for geographic, mobile and VoIP numbers, 1–7 and 9, and
 * ARCEP's fiction blocks look at no more than 5): the answer is kept per 5-digit prefix. Special
 * numbers (08…) always go through libphonenumber.
 */
const FRENCH_PREFIX_DIGITS = 5;
const frenchPrefixes = new Map<string, PhoneKind | null>();

function frenchNationalNumber(raw: string, region: CountryCode): string | undefined {
  const compact = raw.replace(/[\s.\-()/]/g, '');
  const match = /^(?:\+33|0033)([1-79]\d{8})$/.exec(compact) ?? (region === 'FR' ? /^0([1-79]\d{8})$/.exec(compact) : null);
  return match?.[1];
}

function parsePhone(raw: string, region: CountryCode): ImportedPhone | undefined {
  const parsed = parsePhoneNumberFromString(raw, region);
  if (!parsed) return undefined;
  const number = parsed.number;
  if (isFictionNumber(number)) return { number, kind: /^\+33[67]/.test(number) ? 'mobile' : 'landline' };
  if (!parsed.isValid()) return undefined;
  const type = parsed.getType();
  if (type === 'MOBILE') return { number, kind: 'mobile' };
  if (type === 'FIXED_LINE') return { number, kind: 'landline' };
  // Numbering plans such as the North American one cannot tell a mobile from a landline.
  return { number, kind: 'other' };
}

/** A two-letter region that libphonenumber knows (FR, BE, CH, US…). */
export function isPhoneRegion(code: string): code is CountryCode {
  return isSupportedCountry(code);
}
