/** The most list numbers one range may cover: more is a typo (120-1250 for 120-125). */
export const MAX_RANGE = 200;

export type ListNumbersParse =
  { ok: true; numbers: number[] } | { ok: false; problem: 'empty' | 'not_a_number' | 'range_too_long' | 'range_backwards'; part: string };

/**
 * List numbers as a watcher types them, fast: `12, 15, 18`, `120-125`, or both, separated by
 * commas, spaces or semicolons. Sorted, without repeats.
 */
export function parseListNumbers(typed: string): ListNumbersParse {
  const parts = typed.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, problem: 'empty', part: '' };
  const numbers = new Set<number>();
  for (const part of parts) {
    const range = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(part);
    if (!range) return { ok: false, problem: 'not_a_number', part };
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (from < 1) return { ok: false, problem: 'not_a_number', part };
    if (to < from) return { ok: false, problem: 'range_backwards', part };
    if (to - from + 1 > MAX_RANGE) return { ok: false, problem: 'range_too_long', part };
    for (let number = from; number <= to; number++) numbers.add(number);
  }
  return { ok: true, numbers: [...numbers].sort((a, b) => a - b) };
}
