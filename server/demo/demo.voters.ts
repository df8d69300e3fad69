import { FICTION_BLOCKS, FICTION_NUMBERS } from '../fields.ts';
import { csvField } from '../imports/imports.csv.ts';
import { VOTER_COLUMNS, type VoterFieldName } from '../imports/imports.voter-columns.ts';

/**
 * The demo's synthetic voter file, generated from a fixed seed: the same people on every install.
 * Pure: yields CSV lines in the import format, so the demo loads through the real voter importer.
 */

/** mulberry32: a small, fast, seedable generator (deterministic across platforms). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Invented names from syllables: they read like names without being anyone's.
const ONSETS = ['B', 'C', 'D', 'F', 'G', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'V', 'Br', 'Cl', 'Gr', 'Tr', 'J', 'Ch', 'Fl'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'é', 'ai', 'ou', 'au', 'eu'];
const FIRST_ENDINGS = ['lie', 'na', 'rine', 'lo', 'mon', 'ric', 'line', 'tan', 'phine', 'dre', 'lia', 'nel'];
const LAST_ENDINGS = ['lot', 'nier', 'rac', 'deau', 'vet', 'mont', 'ssin', 'rand', 'chet', 'vière', 'zac', 'bert'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function syllable(random: () => number) {
  return pick(random, ONSETS) + pick(random, VOWELS);
}

function capitalise(word: string) {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

function fictionNumber(index: number): string {
  return FICTION_BLOCKS[Math.floor(index / 10_000)]! + String(index % 10_000).padStart(4, '0');
}

/** Splits `total` across stations in proportion to their registered voters (largest remainder). */
export function allocate(total: number, registered: readonly number[]): number[] {
  const sum = registered.reduce((a, b) => a + b, 0);
  if (sum === 0) return registered.map(() => 0);
  const exact = registered.map((r) => (total * r) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((value, index) => ({ index, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest);
  for (const { index } of order) {
    if (left-- <= 0) break;
    counts[index]!++;
  }
  return counts.map((count, index) => Math.min(count, registered[index]!));
}

export interface DemoStation {
  code: string;
  registeredVoters: number;
}

// Campaign files skew towards people the campaign has talked to: more supporters than opponents.
const SUPPORT_LEVELS = [
  { level: 1, share: 0.2 },
  { level: 2, share: 0.2 },
  { level: 3, share: 0.22 },
  { level: 4, share: 0.15 },
  { level: 5, share: 0.13 },
  { level: null, share: 0.1 },
];

function supportLevel(random: () => number): number | null {
  let r = random();
  for (const { level, share } of SUPPORT_LEVELS) {
    if ((r -= share) < 0) return level;
  }
  return null;
}

/** The CSV lines (header first) of a synthetic voter file of `total` people. */
export function* demoVoterCsv(stations: readonly DemoStation[], total: number, seed = 2026): Generator<string> {
  const random = seededRandom(seed);
  yield VOTER_COLUMNS.join(',') + '\n';
  const counts = allocate(
    total,
    stations.map((s) => s.registeredVoters),
  );
  // Every phone number is used once; with more people than numbers, some have none.
  const phoneShare = Math.min(0.6, FICTION_NUMBERS / Math.max(total, 1));
  // Shuffled, so that mobile numbers are spread over the whole city.
  const phoneOrder = Array.from({ length: FICTION_NUMBERS }, (_, i) => i);
  for (let i = phoneOrder.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [phoneOrder[i], phoneOrder[j]] = [phoneOrder[j]!, phoneOrder[i]!];
  }
  let nextPhone = 0;
  let serial = 0;
  for (const [index, station] of stations.entries()) {
    const listNumbers = new Set<number>();
    while (listNumbers.size < counts[index]!) listNumbers.add(1 + Math.floor(random() * station.registeredVoters));
    for (const listNumber of [...listNumbers].sort((a, b) => a - b)) {
      serial++;
      const firstName = capitalise(syllable(random) + pick(random, FIRST_ENDINGS));
      const lastName = capitalise(syllable(random) + syllable(random).toLowerCase() + pick(random, LAST_ENDINGS));
      const hasPhone = nextPhone < FICTION_NUMBERS && random() < phoneShare;
      const phone = hasPhone ? fictionNumber(phoneOrder[nextPhone++]!) : null;
      const mobile = phone?.startsWith('+336') ?? false;
      const email =
        random() < 0.3
          ? `${firstName}.${lastName}.${serial}@example.org`
              .normalize('NFD')
              .replace(/[\u0300-\u036f]/g, '')
              .toLowerCase()
          : null;
      const doNotContact = random() < 0.03;
      // Keyed by column (the random draws stay in this order, so the demo's people stay the same).
      const row: Partial<Record<VoterFieldName, string | number | null>> = {
        external_id: `DEMO-${String(serial).padStart(7, '0')}`,
        first_name: firstName,
        last_name: lastName,
        phone,
        email,
        station_code: station.code,
        list_number: listNumber,
        support_level: supportLevel(random),
        sms_consent: mobile && random() < 0.7 ? 'yes' : 'no',
        call_consent: phone !== null && random() < 0.8 ? 'yes' : 'no',
        do_not_contact: doNotContact ? 'yes' : 'no',
      };
      yield VOTER_COLUMNS.map((column) => csvField(row[column])).join(',') + '\n';
    }
  }
}
