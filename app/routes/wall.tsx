import { useEffect, useState } from 'react';
import type { Role } from '../../server/auth/auth.roles.ts';
import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import { formatCount, formatShare, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { useLiveTurnout, type LiveTurnout } from '../war-room/live-turnout.ts';
import { TurnoutMap, useMapGeometry } from '../war-room/turnout-map.tsx';
import { laggingAreas } from '../war-room/ranking.ts';
import {
  connectionLostSince,
  CONNECTION_LOST_AFTER_MS,
  hoursAndMinutes,
  timeLeftMs,
  WALL_LAGGING_AREAS,
} from '../war-room/wall-figures.ts';
import type { Route } from './+types/wall';

/** A wall screen has no navigation: the root leaves out the app's header (app/root.tsx). */
export const handle = { chrome: false };

/** Where a wall screen keeps its link's key, so that a reload or a power cut leaves it signed in. */
export const WALL_KEY_STORAGE = 'relance.wallKey';

/**
 * No guard: a wall screen signs in with its link's key, which only the browser has (in the URL's
 * fragment, then in its storage), and its figures come over the socket. A signed-in war-room session
 * works too, without a key.
 */
export async function loader({ context }: Route.LoaderArgs) {
  const role = context.principal?.role;
  const has = (roles: readonly Role[]) => role !== undefined && roles.includes(role);
  return {
    session: has(context.access.warRoom),
    managesLinks: context.principal?.kind === 'user' && has(context.access.manageWallScreens),
    mapStyleUrl: context.services.config.mapStyleUrl ?? null,
  };
}

/** The key from a wall link (`#key=rel_…`), stored and taken out of the address bar; else the stored one. */
function readWallKey(): string | null {
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('key');
  if (fromLink) {
    window.localStorage.setItem(WALL_KEY_STORAGE, fromLink);
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    return fromLink;
  }
  return window.localStorage.getItem(WALL_KEY_STORAGE);
}

export default function Wall({ loaderData }: Route.ComponentProps) {
  const t = useT();
  // undefined until the browser has read its storage (the server cannot).
  const [key, setKey] = useState<string | null | undefined>(undefined);
  useEffect(() => setKey(readWallKey()), []);
  return (
    <div className="wall">
      <title>{`${t('wall.title')} — Relance`}</title>
      {key === undefined ? (
        <main className="wall-message">
          <p>{t('wall.starting')}</p>
          <noscript>
            <p>{t('wall.needsJavaScript')}</p>
          </noscript>
        </main>
      ) : key || loaderData.session ? (
        <WallScreen token={key ?? undefined} managesLinks={loaderData.managesLinks} mapStyleUrl={loaderData.mapStyleUrl} />
      ) : (
        <WallHelp />
      )}
    </div>
  );
}

/** A screen with neither a key nor a session: how to get it a wall link. */
function WallHelp() {
  const t = useT();
  return (
    <main className="wall-message" aria-labelledby="wall-help-title">
      <h1 id="wall-help-title">{t('wall.help.title')}</h1>
      <p>{t('wall.help.text')}</p>
      <p>{t('wall.help.how')}</p>
      <p>
        <a href="/login?next=%2Fwall%2Flinks" className="button">
          {t('wall.help.signIn')}
        </a>
      </p>
    </main>
  );
}

/**
 * When the screen lost its connection: set when it drops, and cleared only once fresh figures have arrived
 * after that, so a screen back online shows nothing as fresh before it is.
 */
function useConnectionLost(live: LiveTurnout): number | null {
  const [lostAt, setLostAt] = useState<number | null>(null);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (live.status === 'offline' && live.offlineSince !== null) setLostAt((since) => since ?? live.offlineSince);
  }, [live.status, live.offlineSince]);
  useEffect(() => {
    if (lostAt !== null && live.status === 'connected' && live.receivedAt !== null && live.receivedAt > lostAt) setLostAt(null);
  }, [lostAt, live.status, live.receivedAt]);
  // Renders again when the drop has lasted long enough to grey the screen out.
  useEffect(() => {
    if (lostAt === null) return;
    const timer = setTimeout(() => setTick((tick) => tick + 1), Math.max(0, lostAt + CONNECTION_LOST_AFTER_MS - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [lostAt]);
  return connectionLostSince(lostAt, Date.now());
}

function WallScreen({ token, managesLinks, mapStyleUrl }: { token?: string; managesLinks: boolean; mapStyleUrl: string | null }) {
  const t = useT();
  const locale = useLocale();
  const live = useLiveTurnout(null, token ? { token } : {});
  const lostSince = useConnectionLost(live);
  const { snapshot, refusal } = live;
  const geometry = useMapGeometry(snapshot?.election.id ?? null, token ? { token } : {});

  if (refusal) {
    return (
      <main className="wall-message wall-refused" aria-labelledby="wall-refused-title">
        <h1 id="wall-refused-title">{t(token ? 'wall.revoked.title' : 'wall.signedOut.title')}</h1>
        <p>{t(token ? 'wall.revoked.text' : 'wall.signedOut.text')}</p>
      </main>
    );
  }
  // The war room's own time (the election's city), like the figures' update time.
  const timeZone = snapshot?.election.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <main className={`wall-screen${lostSince !== null ? ' wall-stale' : ''}`} aria-labelledby="wall-title" aria-busy={!snapshot}>
      {lostSince !== null && (
        <div className="wall-lost" role="alert">
          <p className="wall-lost-title">{t('wall.lost', { time: formatTime(locale, new Date(lostSince).toISOString(), timeZone) })}</p>
          <p>{t('wall.lostHelp')}</p>
        </div>
      )}
      <div className="wall-content" aria-hidden={lostSince !== null || undefined}>
        <header className="wall-header">
          <h1 id="wall-title">{snapshot ? snapshot.election.name : t('wall.title')}</h1>
          <p className={`wall-status wall-status-${live.status}`} role="status" aria-live="polite">
            <span className="live-dot" aria-hidden="true" />
            {snapshot && live.status === 'connected'
              ? t('wall.updatedAt', { time: formatTime(locale, snapshot.asOf, snapshot.election.timezone) })
              : t(`wall.status.${live.status}`)}
          </p>
        </header>
        {snapshot ? <WallFigures snapshot={snapshot} /> : <p className="wall-waiting">{t('wall.status.connecting')}</p>}
        {snapshot && (
          <div className="wall-map">
            <TurnoutMap
              snapshot={snapshot}
              lastDelta={live.lastDelta}
              geometry={geometry}
              selected={null}
              onSelect={() => {}}
              theme="dark"
              baseStyleUrl={mapStyleUrl}
            />
          </div>
        )}
        {managesLinks && (
          <p className="wall-footer">
            <a href="/wall/links">{t('wall.links.title')}</a>
          </p>
        )}
      </div>
    </main>
  );
}

/** How far ahead (+) or behind (−) of expected, in words and with its sign: colour is never the only signal. */
function LagText({ lag }: { lag: number | null }) {
  const t = useT();
  const locale = useLocale();
  if (lag === null) return <>—</>;
  const amount = formatShare(locale, Math.abs(lag));
  if (lag < 0) return <span className="wall-behind">{t('wall.behind', { amount })}</span>;
  return <span className="wall-ahead">{t(lag > 0 ? 'wall.ahead' : 'wall.onTrack', { amount })}</span>;
}

function WallFigures({ snapshot }: { snapshot: TurnoutSnapshot }) {
  const t = useT();
  const locale = useLocale();
  const { totals, election } = snapshot;
  const left = hoursAndMinutes(timeLeftMs(election));
  const closed = left.hours === 0 && left.minutes === 0;
  const lagging = laggingAreas(snapshot.areas, WALL_LAGGING_AREAS);
  return (
    <>
      <dl className="wall-figures">
        <div className="wall-figure">
          <dt>{t('wall.turnoutNow')}</dt>
          <dd className="wall-big">{formatShare(locale, totals.current ?? totals.turnout)}</dd>
          <dd>
            {t('wall.expected', { share: formatShare(locale, totals.expected) })} · <LagText lag={totals.lag} />
          </dd>
        </div>
        <div className="wall-figure">
          <dt>{t('wall.projected')}</dt>
          <dd className="wall-big">{formatShare(locale, totals.projected)}</dd>
          {totals.low !== null && totals.high !== null && (
            <dd>{t('wall.interval', { low: formatShare(locale, totals.low), high: formatShare(locale, totals.high) })}</dd>
          )}
        </div>
        <div className="wall-figure">
          <dt>{t('wall.timeLeft')}</dt>
          <dd className="wall-big">
            {closed ? t('wall.closed') : t('wall.duration', { hours: left.hours, minutes: String(left.minutes).padStart(2, '0') })}
          </dd>
          <dd>{t('wall.closesAt', { time: formatTime(locale, election.pollsCloseAt, election.timezone) })}</dd>
        </div>
        <div className="wall-figure">
          <dt>{t('wall.silent')}</dt>
          <dd className="wall-big">{formatCount(locale, totals.silentStations)}</dd>
          <dd>{t('wall.silentHelp', { stations: formatCount(locale, totals.stations) })}</dd>
        </div>
      </dl>
      <section className="wall-lagging" aria-labelledby="wall-lagging-title">
        <h2 id="wall-lagging-title">{t('wall.lagging')}</h2>
        {lagging.length === 0 ? (
          <p>{t('wall.noneLagging')}</p>
        ) : (
          <ol>
            {lagging.map((area) => (
              <li key={area.code}>
                <span className="wall-area-name">{area.name}</span>
                <span className="wall-area-figures">
                  {formatShare(locale, area.current)} / {formatShare(locale, area.expected)} · <LagText lag={area.lag} />
                </span>
                <span className="wall-area-left">{t('wall.supportersLeft', { count: formatCount(locale, area.supportersLeft) })}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
