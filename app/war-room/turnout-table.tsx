import { memo, useCallback, useMemo, useState } from 'react';
import type { AreaTurnout } from '../../server/turnout/turnout.service.ts';
import { formatCount, formatShare, formatSignedShare } from '../format.ts';
import { useLocale, useT, type Locale } from '../i18n/i18n.ts';
import { LAG_COLOURS, lagClass } from './lag-scale.ts';
import type { WarRoomSelection } from './selection.ts';

/** The projected final turnout and its 80 % interval, e.g. 54.2 % (51.0–57.3 %). */
export function formatProjection(locale: Locale, figures: Pick<AreaTurnout, 'projected' | 'low' | 'high'>): string {
  if (figures.projected === null) return '—';
  const interval =
    figures.low === null || figures.high === null ? '' : ` (${formatShare(locale, figures.low)}–${formatShare(locale, figures.high)})`;
  return `${formatShare(locale, figures.projected)}${interval}`;
}

interface RowProps {
  area: AreaTurnout;
  nested: boolean;
  /** Whether its sub-areas are shown; undefined when it has none. */
  expanded: boolean | undefined;
  selected: boolean;
  onToggle: (code: string) => void;
  onSelect: (selection: WarRoomSelection) => void;
}

/** One area's row; memoised, so that a delta re-renders only the rows whose area it changed. */
const AreaRow = memo(function AreaRow({ area, nested, expanded, selected, onToggle, onSelect }: RowProps) {
  const t = useT();
  const locale = useLocale();
  const lag = lagClass(area.lag);
  return (
    <tr
      data-area={area.code}
      data-lag-class={lag}
      className={[nested && 'war-row-nested', selected && 'is-selected'].filter(Boolean).join(' ') || undefined}
    >
      <th scope="row">
        {expanded !== undefined && (
          <button
            type="button"
            className="war-toggle"
            aria-expanded={expanded}
            aria-label={t('warRoom.showNeighbourhoods', { name: area.name })}
            onClick={() => onToggle(area.code)}
          >
            <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
          </button>
        )}
        <button type="button" className="war-link" onClick={() => onSelect({ kind: 'area', code: area.code })}>
          {area.name}
        </button>
      </th>
      <td className="num">{formatCount(locale, area.registered)}</td>
      <td className="num war-voted">{formatCount(locale, area.voted)}</td>
      <td className="num">{formatShare(locale, area.current ?? area.turnout)}</td>
      <td className="num">{formatShare(locale, area.expected)}</td>
      <td className="num war-lag">
        <span className="lag-swatch" style={{ background: LAG_COLOURS[lag] }} aria-hidden="true" /> {formatSignedShare(locale, area.lag)}
      </td>
      <td className="num">{formatProjection(locale, area)}</td>
    </tr>
  );
});

/**
 * The accessible view of the war room's figures: districts, each opening onto its neighbourhoods
 * (an election without districts lists its neighbourhoods).
 */
export function TurnoutTable({
  areas,
  selected,
  onSelect,
}: {
  areas: readonly AreaTurnout[];
  selected: WarRoomSelection | null;
  onSelect: (selection: WarRoomSelection) => void;
}) {
  const t = useT();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const { top, children } = useMemo(() => {
    const kind = areas.some((area) => area.kind === 'district') ? 'district' : 'neighbourhood';
    const children = new Map<string, AreaTurnout[]>();
    for (const area of areas) {
      if (area.kind !== 'neighbourhood' || kind !== 'district' || area.parentCode === null) continue;
      children.set(area.parentCode, [...(children.get(area.parentCode) ?? []), area]);
    }
    return { top: areas.filter((area) => area.kind === kind), children };
  }, [areas]);
  const toggle = useCallback(
    (code: string) =>
      setExpanded((open) => {
        const next = new Set(open);
        if (!next.delete(code)) next.add(code);
        return next;
      }),
    [],
  );
  const isSelected = (code: string) => selected?.kind === 'area' && selected.code === code;
  return (
    <section aria-labelledby="table-title" className="panel war-table">
      <h2 id="table-title">{t('warRoom.table')}</h2>
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="table-title">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('warRoom.area')}</th>
              <th scope="col" className="num">
                {t('warRoom.registered')}
              </th>
              <th scope="col" className="num">
                {t('warRoom.voted')}
              </th>
              <th scope="col" className="num">
                {t('warRoom.turnoutNow')}
              </th>
              <th scope="col" className="num">
                {t('warRoom.expected')}
              </th>
              <th scope="col" className="num">
                {t('warRoom.lag')}
              </th>
              <th scope="col" className="num">
                {t('warRoom.projected')}
              </th>
            </tr>
          </thead>
          <tbody>
            {top.flatMap((area) => {
              const sub = children.get(area.code);
              const open = expanded.has(area.code);
              return [
                <AreaRow
                  key={area.code}
                  area={area}
                  nested={false}
                  expanded={sub ? open : undefined}
                  selected={isSelected(area.code)}
                  onToggle={toggle}
                  onSelect={onSelect}
                />,
                ...(open && sub
                  ? sub.map((child) => (
                      <AreaRow
                        key={child.code}
                        area={child}
                        nested
                        expanded={undefined}
                        selected={isSelected(child.code)}
                        onToggle={toggle}
                        onSelect={onSelect}
                      />
                    ))
                  : []),
              ];
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
