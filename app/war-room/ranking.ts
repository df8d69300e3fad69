import type { AreaTurnout } from '../../server/turnout/turnout.service.ts';

/** How many lagging areas the war room lists. */
export const LAGGING_SHOWN = 10;

/** The areas the war room ranks: neighbourhoods, or districts where the election has none. */
export function rankedKind(areas: readonly AreaTurnout[]): 'neighbourhood' | 'district' {
  return areas.some((area) => area.kind === 'neighbourhood') ? 'neighbourhood' : 'district';
}

/**
 * Where chasing pays most: areas behind their expected turnout, by supporters not yet voted × how far
 * behind (a large area a little behind can matter more than a small one far behind).
 */
export function chaseWeight(area: Pick<AreaTurnout, 'lag' | 'supportersLeft'>): number {
  // Rounded so that equal weights compare equal, whatever the floating-point product's last digits.
  return area.lag === null || area.lag >= 0 ? 0 : Math.round(area.supportersLeft * -area.lag * 1000) / 1000;
}

export function laggingAreas(areas: readonly AreaTurnout[], limit = LAGGING_SHOWN): AreaTurnout[] {
  const kind = rankedKind(areas);
  return areas
    .filter((area) => area.kind === kind && area.lag !== null && area.lag < 0)
    .sort((a, b) => chaseWeight(b) - chaseWeight(a) || a.lag! - b.lag! || a.code.localeCompare(b.code))
    .slice(0, limit);
}
