import { useMemo } from 'react';
import type { AreaTurnout } from '../../server/turnout/turnout.service.ts';
import { formatCount, formatSignedShare } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { LAG_COLOURS, lagClass } from './lag-scale.ts';
import { laggingAreas } from './ranking.ts';
import type { WarRoomSelection } from './selection.ts';

/** The areas where chasing pays most (ranking.ts), each a button that opens its panel. */
export function LaggingAreas({
  areas,
  selected,
  onSelect,
}: {
  areas: readonly AreaTurnout[];
  selected?: WarRoomSelection | null;
  onSelect?: (selection: WarRoomSelection) => void;
}) {
  const t = useT();
  const locale = useLocale();
  const ranked = useMemo(() => laggingAreas(areas), [areas]);
  return (
    <section className="war-box war-lagging" aria-labelledby="lagging-title">
      <h2 id="lagging-title">{t('warRoom.lagging')}</h2>
      <p className="war-hint">{t('warRoom.lagging.hint')}</p>
      {ranked.length === 0 ? (
        <p className="war-empty">{t('warRoom.lagging.none')}</p>
      ) : (
        <ol className="war-ranked">
          {ranked.map((area) => {
            const lag = lagClass(area.lag);
            const current = selected?.kind === 'area' && selected.code === area.code;
            const content = (
              <>
                <span className="lag-swatch" style={{ background: LAG_COLOURS[lag] }} aria-hidden="true" />
                <span className="war-ranked-name">{area.name}</span>
                <span className="war-ranked-lag">
                  {formatSignedShare(locale, area.lag)} <span className="war-lag-word">{t(`warRoom.lagClass.${lag}`)}</span>
                </span>
                <span className="war-ranked-left">
                  {t('warRoom.supportersLeftCount', { count: formatCount(locale, area.supportersLeft) })}
                </span>
              </>
            );
            return (
              <li key={area.code} data-area={area.code} data-lag-class={lag}>
                {onSelect ? (
                  <button
                    type="button"
                    className="war-ranked-entry"
                    aria-current={current || undefined}
                    onClick={() => onSelect({ kind: 'area', code: area.code })}
                  >
                    {content}
                  </button>
                ) : (
                  <div className="war-ranked-entry">{content}</div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
