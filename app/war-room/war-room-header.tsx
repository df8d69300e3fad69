import type { TurnoutSnapshot } from '../../server/turnout/turnout.service.ts';
import type { PageClock } from '../election-clock.ts';
import { formatClock, formatCount, formatDuration, formatShare, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { connectionState, timeLeft, useDeviceNow, useElectionNow } from './election-time.ts';
import type { LiveTurnout } from './live-turnout.ts';

function Figure({ label, value, detail, className }: { label: string; value: string; detail?: string; className?: string }) {
  return (
    <div className={`figure${className ? ` ${className}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="figure-value">{value}</span>
        {detail && <span className="figure-detail">{detail}</span>}
      </dd>
    </div>
  );
}

/** Time left before polls close, on the election's clock (simulated during a simulation, with a marker). */
function PollsClock({ election, clock }: { election: TurnoutSnapshot['election']; clock: PageClock }) {
  const t = useT();
  const locale = useLocale();
  const now = useElectionNow(clock);
  const polls = timeLeft(now, election);
  const value =
    polls.phase === 'closed'
      ? t('warRoom.timeLeft.closed')
      : polls.phase === 'before'
        ? t('warRoom.timeLeft.before', { duration: formatDuration(polls.minutes) })
        : formatDuration(polls.minutes);
  const time = formatTime(locale, new Date(now).toISOString(), election.timezone);
  return (
    <div className="figure war-clock" data-phase={polls.phase}>
      <dt>{t('warRoom.timeLeft')}</dt>
      <dd>
        <span className="figure-value">{value}</span>
        <span className="figure-detail">
          {t('warRoom.closesAt', { time: formatTime(locale, election.pollsCloseAt, election.timezone) })}
        </span>
        <span className={`figure-detail${clock.simulation ? ' war-simulated' : ''}`}>
          {clock.simulation && <strong className="badge">{t('warRoom.simulated')}</strong>}{' '}
          {t(clock.simulation ? 'warRoom.simulatedTime' : 'warRoom.electionTime', { time })}
        </span>
      </dd>
    </div>
  );
}

/** Connected, reconnecting, or offline since when; and when the figures were last updated. */
export function ConnectionStatus({
  live,
  asOf,
  timezone,
}: {
  live: Pick<LiveTurnout, 'status' | 'offlineSince'>;
  asOf: string;
  timezone: string;
}) {
  const t = useT();
  const locale = useLocale();
  const now = useDeviceNow();
  const state = connectionState(live.status, live.offlineSince, now);
  return (
    <div className={`live-badge live-${state}`} data-connection={state}>
      <p role="status" aria-live="polite">
        <span className="live-dot" aria-hidden="true" />
        {state === 'offline'
          ? t('warRoom.connection.offline', { time: formatTime(locale, new Date(live.offlineSince!).toISOString(), timezone) })
          : t(`warRoom.connection.${state}`)}
      </p>
      <p className="as-of">{t('warRoom.lastUpdate', { time: formatClock(locale, asOf, timezone) })}</p>
    </div>
  );
}

/**
 * The war room's header: the election, the city's turnout now against expected, the projected final
 * turnout with its interval, the time left before polls close, and whether the figures are live.
 */
export function WarRoomHeader({
  snapshot,
  live,
  clock,
}: {
  snapshot: TurnoutSnapshot;
  live: Pick<LiveTurnout, 'status' | 'offlineSince'>;
  clock: PageClock;
}) {
  const t = useT();
  const locale = useLocale();
  const { election, totals } = snapshot;
  // Before the model has anything to go on, the turnout reported so far.
  const current = totals.current ?? totals.turnout;
  return (
    <header className="war-header">
      <div className="war-title">
        <h1 id="dashboard-title">{election.name}</h1>
        <ConnectionStatus live={live} asOf={snapshot.asOf} timezone={election.timezone} />
      </div>
      <dl className="figures war-figures">
        <Figure
          className="war-turnout"
          // With no fresh report anywhere, the figure is the model's estimate alone: it says so.
          label={t(
            totals.estimatedStations === totals.stations && totals.current !== null ? 'warRoom.turnoutEstimated' : 'warRoom.turnoutNow',
          )}
          value={formatShare(locale, current)}
          detail={totals.expected === null ? undefined : t('warRoom.expectedShare', { share: formatShare(locale, totals.expected) })}
        />
        <Figure
          className="war-projected"
          label={t('warRoom.projected')}
          value={formatShare(locale, totals.projected)}
          detail={
            totals.low === null || totals.high === null
              ? undefined
              : t('warRoom.interval', { low: formatShare(locale, totals.low), high: formatShare(locale, totals.high) })
          }
        />
        <PollsClock election={election} clock={clock} />
        <Figure
          className="war-reporting"
          label={t('warRoom.reporting')}
          value={formatCount(locale, totals.reportingStations)}
          detail={t('warRoom.reportingOf', {
            reporting: formatCount(locale, totals.reportingStations),
            stations: formatCount(locale, totals.stations),
          })}
        />
      </dl>
    </header>
  );
}
