import { Link } from 'react-router';
import { useT } from '../i18n/i18n.ts';
import { useOfflineReadiness } from '../watch/offline.ts';
import { useOutbox } from '../watch/outbox.ts';
import { lastReport, StationFacts } from '../watch/station-facts.tsx';
import { SyncBar } from '../watch/sync-bar.tsx';
import type { Route } from './+types/watch';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.watchStations);
  const election = await context.services.elections.current();
  return { stations: await context.services.geo.stationsInScope(principal), timeZone: election?.timezone ?? 'Europe/Paris' };
}

export default function Watch({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const outbox = useOutbox();
  const offline = useOfflineReadiness();
  return (
    <section className="page narrow watch" aria-labelledby="watch-title">
      <title>{`${t('watch.title')} — Relance`}</title>
      <SyncBar outbox={outbox} offline={offline} />
      <h1 id="watch-title">{t('watch.title')}</h1>
      <p>{t('watch.intro')}</p>
      {loaderData.stations.length === 0 ? (
        <p className="alert">{t('watch.none')}</p>
      ) : (
        <ul className="cards">
          {loaderData.stations.map((station) => {
            const waiting = outbox.items.filter((item) => item.stationCode === station.code && item.state === 'waiting').length;
            return (
              <li key={station.code} className="card">
                <h2>
                  <span className="station-code">{station.code}</span> {station.name}
                </h2>
                <p>{station.areaName}</p>
                <StationFacts station={station} last={lastReport(station, outbox.items)} timeZone={loaderData.timeZone} />
                {waiting > 0 && <p className="sync-waiting-note">{t('watch.queued', { count: waiting })}</p>}
                <Link to={`/watch/${encodeURIComponent(station.code)}`} className="button primary big-button">
                  {t('watch.open')}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
