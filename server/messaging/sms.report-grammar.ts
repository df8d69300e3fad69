/**
 * How a watcher reports a count by text (docs/sms-inbound.md). Pure.
 *
 * A report names a station and a count of voters, in that order, separated by spaces or by one
 * of `: = , ;`:
 *
 *     0101 412            0101: 412           bureau 0101 412 votants
 *     75056_0101 412      BV 0101 = 412       station no 0101, 412 voters
 *
 * - Case and accents do not matter; a final `.` or `!` is ignored.
 * - A word before the code says it is the station (`bureau`, `bv`, `bdv`, `station`, optionally
 *   followed by `n°`, `no`, `n` or `numéro`); a word after the count says it is the count (`votants`,
 *   `voters`, `votes`, `électeurs`). Labelled values may come in any order: `412 votants bureau 0101`.
 * - Unlabelled, the station comes first, except that a number written with a leading zero is always
 *   a station code (counts are never written so): `412 0101` is station 0101, 412 voters.
 * - A code may carry the commune's five-digit INSEE code before an underscore, as official documents
 *   print it (`75056_0101`): the station is looked up as written, then without it.
 * - Anything else (a third number, other words) is not a report: the watcher is told the grammar
 *   rather than have Relance guess.
 */

const STATION_WORDS = new Set(['bureau', 'bv', 'bdv', 'station']);
const NUMBER_WORDS = new Set(['n°', 'no', 'n', 'numero', '#']);
const COUNT_WORDS = new Set(['votants', 'votant', 'voters', 'voter', 'votes', 'vote', 'electeurs', 'electeur']);
/** The station code's pattern in server/fields.ts (StationCodeSchema), lower-cased input allowed. */
const STATION_CODE = /^[a-z0-9][a-z0-9_.-]{0,19}$/i;
const COUNT = /^\d{1,6}$/;
const COMMUNE_PREFIX = /^\d{5}_(.+)$/;

export interface StationReportText {
  /** The code as written (upper-cased letters, since official codes are). */
  stationCode: string;
  /** The same without a commune prefix (`75056_0101` → `0101`), or null when it has none. */
  shortCode: string | null;
  voters: number;
}

/** The station and count a text reports, or null when it does not read as a report. */
export function readStationReport(text: string): StationReportText | null {
  const folded = text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[:=,;]/g, ' ')
    .trim()
    .replace(/[.!]+$/, '');
  const tokens = folded.split(/\s+/).filter(Boolean);
  if (tokens.length < 2 || tokens.length > 8) return null;

  let code: string | null = null;
  let count: string | null = null;
  const positional: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (STATION_WORDS.has(token)) {
      if (code !== null) return null;
      let next = i + 1;
      if (NUMBER_WORDS.has(tokens[next] ?? '')) next++;
      const value = tokens[next];
      if (value === undefined || !STATION_CODE.test(value)) return null;
      code = value;
      i = next;
    } else if (COUNT_WORDS.has(token)) {
      // The count is the value just before: take it back from the positional ones.
      const value = positional.pop();
      if (value === undefined || count !== null || !COUNT.test(value)) return null;
      count = value;
    } else {
      positional.push(token);
    }
  }

  if (code === null && count === null && positional.length === 2) {
    const [first, second] = positional as [string, string];
    const leadingZero = (value: string) => /^0\d+$/.test(value);
    [code, count] = leadingZero(second) && !leadingZero(first) ? [second, first] : [first, second];
  } else if (code === null && count !== null && positional.length === 1) {
    code = positional[0]!;
  } else if (code !== null && count === null && positional.length === 1) {
    count = positional[0]!;
  } else if (code === null || count === null || positional.length > 0) {
    return null;
  }
  if (!STATION_CODE.test(code) || !COUNT.test(count)) return null;
  const stationCode = code.toUpperCase();
  const short = COMMUNE_PREFIX.exec(stationCode)?.[1] ?? null;
  return { stationCode, shortCode: short, voters: Number(count) };
}
