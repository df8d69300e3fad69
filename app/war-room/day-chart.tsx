import { scaleLinear, scaleUtc } from 'd3-scale';
import { area, curveMonotoneX, curveStepAfter, line } from 'd3-shape';
import { useId } from 'react';
import type { ModelFigures, TurnoutFrame } from '../../server/turnout/turnout.service.ts';
import type { TurnoutHistoryPoint } from '../../server/turnout/turnout.history.ts';
import { formatPercent, formatShare, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';

const WIDTH = 480;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 14, bottom: 26, left: 44 };

type Point = [at: number, share: number];

/** The share of the day's final turnout usually reached at `at`, read off the curve (linear between its points). */
export function curveShareAt(curve: TurnoutFrame['curve'], at: number): number {
  if (curve.length === 0) return 0;
  let previous = { at: Date.parse(curve[0]!.at), share: curve[0]!.share };
  if (at <= previous.at) return previous.share;
  for (const point of curve.slice(1)) {
    const next = { at: Date.parse(point.at), share: point.share };
    if (at <= next.at) return previous.share + ((next.share - previous.share) * (at - previous.at)) / (next.at - previous.at);
    previous = next;
  }
  return previous.share;
}

/**
 * The projection from now to close: turnout now moves to the projected final (and to either end of its
 * interval) along the rest of the usual curve of the day.
 */
export function projectionPath(
  curve: TurnoutFrame['curve'],
  now: number,
  figures: Pick<ModelFigures, 'current' | 'projected' | 'low' | 'high'>,
): { at: number; projected: number; low: number; high: number }[] {
  const { current, projected, low, high } = figures;
  if (current === null || projected === null || low === null || high === null || curve.length === 0) return [];
  const closes = Date.parse(curve[curve.length - 1]!.at);
  if (now >= closes) return [];
  const start = curveShareAt(curve, now);
  if (start >= 1) return [];
  const times = [now, ...curve.map((point) => Date.parse(point.at)).filter((at) => at > now)];
  return times.map((at) => {
    const done = (curveShareAt(curve, at) - start) / (1 - start);
    return {
      at,
      projected: current + (projected - current) * done,
      low: current + (low - current) * done,
      high: current + (high - current) * done,
    };
  });
}

export interface DayChartProps {
  name: string;
  election: Pick<TurnoutFrame['election'], 'pollsOpenAt' | 'pollsCloseAt' | 'timezone'>;
  curve: TurnoutFrame['curve'];
  figures: Pick<ModelFigures, 'baseline' | 'current' | 'expected' | 'projected' | 'low' | 'high'>;
  /** The standing count through the day (GET /api/v1/turnout/history); null while it loads. */
  history: readonly TurnoutHistoryPoint[] | null;
  /** The election's time, ms. */
  now: number;
}

/**
 * The chart of the day: turnout reported through the day (steps), the turnout expected at each hour
 * (baseline × the usual curve, dashed), and the projection from now to close with its 80 % interval
 * (dotted, over a band). Its summary sentence says the same in words.
 */
export function DayChart({ name, election, curve, figures, history, now }: DayChartProps) {
  const t = useT();
  const locale = useLocale();
  const id = useId();
  const opens = Date.parse(election.pollsOpenAt);
  const closes = Date.parse(election.pollsCloseAt);
  const actual: Point[] = [[opens, 0], ...(history ?? []).map((point): Point => [Date.parse(point.at), point.turnout ?? 0])];
  if (history && now > actual[actual.length - 1]![0]) actual.push([Math.min(now, closes), actual[actual.length - 1]![1]]);
  const expected: Point[] =
    figures.baseline === null ? [] : curve.map((point): Point => [Date.parse(point.at), figures.baseline! * point.share]);
  const projection = projectionPath(curve, now, figures);

  const highest = Math.max(
    0.1,
    ...actual.map((point) => point[1]),
    ...expected.map((point) => point[1]),
    figures.high ?? 0,
    figures.projected ?? 0,
  );
  const x = scaleUtc()
    .domain([opens, closes])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, Math.min(1, highest * 1.05)])
    .nice(5)
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const steps = line<Point>()
    .x((point) => x(point[0]))
    .y((point) => y(point[1]))
    .curve(curveStepAfter);
  const smooth = line<Point>()
    .x((point) => x(point[0]))
    .y((point) => y(point[1]))
    .curve(curveMonotoneX);
  const band = area<(typeof projection)[number]>()
    .x((point) => x(point.at))
    .y0((point) => y(point.low))
    .y1((point) => y(point.high))
    .curve(curveMonotoneX);
  const projected = line<(typeof projection)[number]>()
    .x((point) => x(point.at))
    .y((point) => y(point.projected))
    .curve(curveMonotoneX);
  const closed = now >= closes;

  const summary =
    figures.expected === null || figures.projected === null
      ? t('warRoom.chart.summaryNoModel', { current: formatShare(locale, figures.current ?? actual[actual.length - 1]![1]) })
      : t('warRoom.chart.summary', {
          current: formatShare(locale, figures.current),
          expected: formatShare(locale, figures.expected),
          projected: formatShare(locale, figures.projected),
          low: formatShare(locale, figures.low),
          high: formatShare(locale, figures.high),
        });
  const nowX = x(Math.min(Math.max(now, opens), closes));

  return (
    <figure className="day-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
        <title id={`${id}-title`}>{t('warRoom.chart.title', { name })}</title>
        <g className="chart-grid" aria-hidden="true">
          {y.ticks(5).map((tick) => (
            <g key={tick} transform={`translate(0,${y(tick)})`}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} />
              <text x={MARGIN.left - 6} dy="0.32em" textAnchor="end">
                {formatPercent(locale, tick)}
              </text>
            </g>
          ))}
          {x.ticks(6).map((tick) => (
            <text key={tick.getTime()} x={x(tick)} y={HEIGHT - 8} textAnchor="middle">
              {formatTime(locale, tick.toISOString(), election.timezone)}
            </text>
          ))}
        </g>
        {projection.length > 1 && <path className="chart-band" d={band(projection) ?? undefined} />}
        {expected.length > 1 && <path className="chart-expected" d={smooth(expected) ?? undefined} />}
        {projection.length > 1 && <path className="chart-projected" d={projected(projection) ?? undefined} />}
        {closed && figures.low !== null && figures.high !== null && (
          <line className="chart-interval" x1={x(closes) - 2} x2={x(closes) - 2} y1={y(figures.low)} y2={y(figures.high)} />
        )}
        {history && history.length > 0 && <path className="chart-actual" d={steps(actual) ?? undefined} />}
        {!closed && now > opens && (
          <g className="chart-now">
            <line x1={nowX} x2={nowX} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} />
            <text x={nowX + 3} y={MARGIN.top + 8}>
              {t('warRoom.chart.now')}
            </text>
          </g>
        )}
      </svg>
      <figcaption>
        <ul className="chart-legend">
          <li>
            <span className="legend-line legend-actual" aria-hidden="true" /> {t('warRoom.chart.actual')}
          </li>
          <li>
            <span className="legend-line legend-expected" aria-hidden="true" /> {t('warRoom.chart.expected')}
          </li>
          <li>
            <span className="legend-line legend-projected" aria-hidden="true" /> {t('warRoom.chart.projected')}
          </li>
        </ul>
        <p id={`${id}-summary`} className="chart-summary">
          {summary}
        </p>
        {history === null && <p className="war-hint">{t('warRoom.chart.loading')}</p>}
      </figcaption>
    </figure>
  );
}
