import { formatCount } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/watch';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.watchStations);
  return { stations: await context.services.geo.stationsInScope(principal) };
}

export default function Watch({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  return (
    <section className="page narrow" aria-labelledby="watch-title">
      <title>{`${t('watch.title')} — Relance`}</title>
      <h1 id="watch-title">{t('watch.title')}</h1>
      <p>{t('watch.intro')}</p>
      {loaderData.stations.length === 0 ? (
        <p className="alert">{t('watch.none')}</p>
      ) : (
        <ul className="cards">
          {loaderData.stations.map((station) => (
            <li key={station.code} className="card">
              <h2>
                <span className="station-code">{station.code}</span> {station.name}
              </h2>
              <p>{station.areaName}</p>
              {station.address && <p>{station.address}</p>}
              <p className="muted">{t('watch.registered', { count: formatCount(locale, station.registeredVoters) })}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
