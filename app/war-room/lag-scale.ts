/**
 * How far behind or ahead of its expected turnout an area is, in seven classes, shared by the map's
 * fill, the lists and the table (their `data-lag-class`). `lag` is relative to the turnout expected by
 * now (turnout.service.ts): −0.1 is 10 % behind.
 */
export const LAG_CLASSES = ['behind-3', 'behind-2', 'behind-1', 'even', 'ahead-1', 'ahead-2', 'ahead-3'] as const;

export type LagClass = (typeof LAG_CLASSES)[number] | 'none';

/** Upper bounds of the classes below `even` and lower bounds of those above it (symmetric). */
export const LAG_BREAKS = [0.025, 0.075, 0.15] as const;

/**
 * ColorBrewer's PuOr, 7 classes: diverging and safe for the common colour blindnesses (Brewer,
 * colorbrewer2.org). Orange is behind, purple ahead; grey where the model has nothing to say yet.
 */
export const LAG_COLOURS: Record<LagClass, string> = {
  'behind-3': '#b35806',
  'behind-2': '#f1a340',
  'behind-1': '#fee0b6',
  even: '#f7f7f7',
  'ahead-1': '#d8daeb',
  'ahead-2': '#998ec3',
  'ahead-3': '#542788',
  none: '#bdbdbd',
};

export function lagClass(lag: number | null | undefined): LagClass {
  if (lag === null || lag === undefined || !Number.isFinite(lag)) return 'none';
  const [even, one, two] = LAG_BREAKS;
  const size = Math.abs(lag);
  if (size < even) return 'even';
  const step = size < one ? 1 : size < two ? 2 : 3;
  return `${lag < 0 ? 'behind' : 'ahead'}-${step}` as LagClass;
}
