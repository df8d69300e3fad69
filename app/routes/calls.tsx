import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { CallView, Pace } from '../../server/chase/chase.claims.ts';
import type { ListProgress } from '../../server/chase/chase.progress.ts';
import type { ContactOutcomeName } from '../../server/chase/chase.schemas.ts';
import { callApi } from '../chase/api.ts';
import { useChaseSocket, type VotedNotice } from '../chase/live-chase.ts';
import { PeerText } from '../chase/peer-text.tsx';
import { ProgressBars } from '../chase/progress-bars.tsx';
import { InboxMessages } from '../components/inbox-messages.tsx';
import { formatCount, formatDateTime, formatTime } from '../format.ts';
import { useLocale, useT, type MessageKey } from '../i18n/i18n.ts';
import type { Route } from './+types/calls';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.callVoters);
  const election = await context.services.elections.requireCurrent();
  const [mine, offered, replies] = await Promise.all([
    context.services.chase.calls.mine(principal),
    context.services.smsTemplates.offered(principal),
    context.services.smsInbox.mine(principal),
  ]);
  return {
    ...mine,
    replies,
    timeZone: election.timezone,
    volunteerName: principal.name,
    peerText: { ...offered, form: context.forms.peerText.contract },
  };
}

/**
 * Two forms post here: "mark read" on a reply to one of the volunteer's texts (`?intent=read`), and
 * a text to the person on screen (the PeerText panel). Calls themselves go through the API.
 */
export async function action({ request, context }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.callVoters);
  if (new URL(request.url).searchParams.get('intent') === 'read') {
    return context.submit(request, context.forms.inboxRead, async ({ messageId }) => {
      await context.services.smsInbox.markRead(principal, messageId);
      return { ok: true as const, messageId: null };
    });
  }
  return context.submit(request, context.forms.peerText, async ({ entryId, templateId }) => {
    const { messageId } = await context.services.sms.sendPeerText(principal, entryId, templateId);
    return { ok: true as const, messageId };
  });
}

/** In the order of the buttons and of their keys (1 to 7). */
const OUTCOMES: readonly ContactOutcomeName[] = [
  'will_vote',
  'already_voted',
  'needs_ride',
  'no_answer',
  'wrong_number',
  'refused',
  'never_contact',
];

/** The page renews the hold on the person on screen this often; a hold lasts 5 minutes. */
const RENEW_EVERY_MS = 2 * 60_000;

type VolunteerList = ListProgress & { name: string; channel: string };

type Notice =
  | { kind: 'recorded'; outcome: ContactOutcomeName; name: string }
  | { kind: 'error'; key: MessageKey; message?: string }
  | { kind: 'nobody' };

const noSubscription = () => () => {};

/** False in the server's HTML and while it hydrates: buttons not wired yet stay disabled. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** The API's refusal as a message the volunteer can act on. */
function errorKey(code: string): MessageKey {
  switch (code) {
    case 'call_no_longer_yours':
      return 'calls.error.noLongerYours';
    case 'call_dropped':
      return 'calls.error.dropped';
    case 'outcome_already_recorded':
      return 'calls.error.alreadyRecorded';
    case 'network':
      return 'calls.error.network';
    case 'unauthenticated':
      return 'calls.error.signedOut';
    default:
      return 'calls.error.other';
  }
}

/** Typing in the note (or any field) never fires a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export default function Calls({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const hydrated = useHydrated();
  const { timeZone } = loaderData;
  const [call, setCall] = useState<CallView | null>(loaderData.call);
  const [lists, setLists] = useState<VolunteerList[]>(loaderData.lists);
  const [pace, setPace] = useState<Pace>(loaderData.pace);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [voted, setVoted] = useState<VotedNotice | null>(null);
  const [confirmNever, setConfirmNever] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const nextButton = useRef<HTMLButtonElement>(null);
  const callHeading = useRef<HTMLHeadingElement>(null);
  const current = useRef(call);
  current.current = call;

  useChaseSocket('/calls', {
    progress: (progress) => setLists((known) => known.map((list) => (list.listId === progress.listId ? { ...list, ...progress } : list))),
    voted: (notice) => {
      if (notice.entryId === current.current?.entryId) setVoted(notice);
    },
  });

  const next = useCallback(async () => {
    if (busy) return;
    setBusy(true);
    const answer = await callApi<{ call: CallView | null }>('POST', '/api/v1/calls/next');
    setBusy(false);
    setConfirmNever(false);
    setVoted(null);
    if (!answer.ok) return setNotice({ kind: 'error', key: errorKey(answer.error!.code), message: answer.error!.message });
    setNote('');
    setCall(answer.body!.call);
    setNotice(answer.body!.call ? null : { kind: 'nobody' });
    if (answer.body!.call) requestAnimationFrame(() => callHeading.current?.focus());
  }, [busy]);

  const record = useCallback(
    async (outcome: ContactOutcomeName) => {
      const held = current.current;
      if (!held || busy) return;
      if (outcome === 'never_contact' && !confirmNever) return setConfirmNever(true);
      setBusy(true);
      const answer = await callApi<{ pace: Pace }>('POST', `/api/v1/calls/${held.entryId}/outcome`, {
        outcome,
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setBusy(false);
      setConfirmNever(false);
      if (!answer.ok) {
        setNotice({ kind: 'error', key: errorKey(answer.error!.code), message: answer.error!.message });
        // Someone else has the person now, or the outcome is in already: this call is over for this volunteer.
        if (answer.error!.code === 'call_no_longer_yours' || answer.error!.code === 'outcome_already_recorded') setCall(null);
        return;
      }
      setPace(answer.body!.pace);
      setCall(null);
      setVoted(null);
      setNote('');
      setNotice({ kind: 'recorded', outcome, name: `${held.voter.firstName} ${held.voter.lastName}` });
      requestAnimationFrame(() => nextButton.current?.focus());
    },
    [busy, confirmNever, note],
  );

  // Keeps the person while they are on screen: a hold that ran out would give them to someone else.
  const entryId = call?.entryId;
  useEffect(() => {
    if (entryId === undefined) return;
    const timer = setInterval(() => {
      void callApi('POST', `/api/v1/calls/${entryId}/renew`).then((answer) => {
        if (answer.ok || !answer.error) return;
        if (answer.error.code === 'call_dropped') return setVoted({ entryId, listId: current.current?.listId ?? 0, reason: 'voted' });
        if (answer.error.code === 'call_no_longer_yours') {
          setCall(null);
          setNotice({ kind: 'error', key: errorKey(answer.error.code) });
        }
      });
    }, RENEW_EVERY_MS);
    return () => clearInterval(timer);
  }, [entryId]);

  // Desktop shortcuts: N for the next person, 1–7 for the outcomes, Escape to cancel a confirmation.
  const shortcuts = useRef({ next, record, confirmNever });
  shortcuts.current = { next, record, confirmNever };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === 'n' && (!current.current || voted)) {
        event.preventDefault();
        void shortcuts.current.next();
      } else if (/^[1-7]$/.test(key) && current.current) {
        event.preventDefault();
        void shortcuts.current.record(OUTCOMES[Number(key) - 1]!);
      } else if (key === 'escape' && shortcuts.current.confirmNever) {
        setConfirmNever(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [voted]);

  const noLists = lists.length === 0;

  return (
    <section className="page calls" aria-labelledby="calls-title">
      <title>{`${t('calls.title')} — Relance`}</title>
      <div className="page-heading">
        <h1 id="calls-title">{t('calls.title')}</h1>
        <p className="calls-pace" data-pace={pace.total}>
          {t('calls.pace', {
            lastHour: formatCount(locale, pace.lastHour),
            perHour: pace.perHour.toLocaleString(locale === 'fr' ? 'fr-FR' : 'en-GB'),
            total: formatCount(locale, pace.total),
          })}
        </p>
      </div>
      <noscript>
        <p className="alert alert-warn">{t('calls.needsJavaScript')}</p>
      </noscript>

      {noLists ? (
        <p className="alert">{t('calls.none')}</p>
      ) : (
        <div className="calls-layout">
          <div className="calls-main">
            <div className="calls-live" aria-live="polite" role="status">
              {notice?.kind === 'recorded' && (
                <p className="alert alert-success">
                  {t('calls.recorded', { name: notice.name, outcome: t(`calls.outcome.${notice.outcome}`) })}
                </p>
              )}
              {notice?.kind === 'nobody' && <p className="alert">{t('calls.nobodyLeft')}</p>}
            </div>
            {notice?.kind === 'error' && (
              <p className="alert alert-error" role="alert">
                {t(notice.key, { message: notice.message ?? '' })}
              </p>
            )}
            <div role="alert" aria-live="assertive" className="calls-voted-region">
              {voted && call && voted.entryId === call.entryId && (
                <div className="alert alert-warn calls-voted">
                  <p>
                    <strong>{t(`calls.voted.${voted.reason}`, { name: call.voter.firstName })}</strong> {t('calls.voted.noNeed')}
                  </p>
                  <button type="button" className="button primary" onClick={() => void next()} disabled={!hydrated || busy}>
                    {t('calls.next')}
                  </button>
                </div>
              )}
            </div>

            {call ? (
              <CallCard
                call={call}
                timeZone={timeZone}
                volunteerName={loaderData.volunteerName}
                headingRef={callHeading}
                note={note}
                onNote={setNote}
                onOutcome={(outcome) => void record(outcome)}
                confirmNever={confirmNever}
                onCancelNever={() => setConfirmNever(false)}
                disabled={!hydrated || busy}
                peerText={<PeerText key={call.entryId} call={call} options={loaderData.peerText} timeZone={timeZone} />}
              />
            ) : (
              <div className="calls-next">
                <button
                  ref={nextButton}
                  type="button"
                  className="button primary calls-next-button"
                  onClick={() => void next()}
                  disabled={!hydrated || busy}
                  aria-keyshortcuts="N"
                >
                  {t('calls.next')}
                </button>
                <p className="hint calls-shortcut-hint">{t('calls.nextHint')}</p>
              </div>
            )}
          </div>

          <aside className="calls-lists" aria-labelledby="calls-lists-title">
            <h2 id="calls-lists-title">{t('calls.lists')}</h2>
            <ul>
              {lists.map((list) => (
                <li key={list.listId} data-list={list.listId}>
                  <p className="calls-list-name">
                    {list.name} <span className="muted">— {t(`chase.channel.${list.channel === 'sms' ? 'sms' : 'call'}`)}</span>
                  </p>
                  <ProgressBars progress={list} />
                </li>
              ))}
            </ul>
          </aside>
        </div>
      )}
      {call && call.attempts.length > 0 && (
        <section className="panel calls-attempts" aria-labelledby="calls-attempts-title">
          <h2 id="calls-attempts-title">{t('calls.attempts')}</h2>
          <ul>
            {call.attempts.map((attempt) => (
              <li key={attempt.at}>
                <time dateTime={attempt.at}>{formatDateTime(locale, attempt.at, timeZone)}</time> —{' '}
                {t(`calls.outcome.${attempt.outcome as ContactOutcomeName}`)}
                {attempt.byYou && <span className="muted"> ({t('calls.byYou')})</span>}
                {attempt.note && <span className="calls-attempt-note">{attempt.note}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="panel calls-replies" aria-labelledby="calls-replies-title">
        <h2 id="calls-replies-title">{t('calls.replies.title')}</h2>
        {loaderData.replies.length === 0 ? (
          <p className="muted">{t('calls.replies.none')}</p>
        ) : (
          <InboxMessages messages={loaderData.replies} timeZone={timeZone} labelledBy="calls-replies-title" />
        )}
      </section>
    </section>
  );
}

function CallCard({
  call,
  timeZone,
  volunteerName,
  headingRef,
  note,
  onNote,
  onOutcome,
  confirmNever,
  onCancelNever,
  disabled,
  peerText,
}: {
  peerText: React.ReactNode;
  call: CallView;
  timeZone: string;
  volunteerName: string;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  note: string;
  onNote: (note: string) => void;
  onOutcome: (outcome: ContactOutcomeName) => void;
  confirmNever: boolean;
  onCancelNever: () => void;
  disabled: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const closesAt = formatTime(locale, call.station.closesAt, timeZone);
  const { voter, station } = call;
  return (
    <article className="calls-card" aria-labelledby="call-name" data-entry={call.entryId}>
      <p className="calls-card-list muted">{t('calls.fromList', { list: call.listName, rank: formatCount(locale, call.rank) })}</p>
      <h2 id="call-name" ref={headingRef} tabIndex={-1}>
        {voter.firstName} {voter.lastName}
      </h2>
      {voter.phone ? (
        <a className="button calls-phone" href={`tel:${voter.phone}`}>
          {t(call.channel === 'sms' ? 'calls.text' : 'calls.call', { phone: voter.phone })}
        </a>
      ) : (
        <p className="muted">{t('calls.noPhone')}</p>
      )}
      <dl className="calls-station">
        <div>
          <dt>{t('calls.station')}</dt>
          <dd>
            {station.name} ({station.code})
          </dd>
        </div>
        {station.address && (
          <div>
            <dt>{t('calls.address')}</dt>
            <dd>{station.address}</dd>
          </div>
        )}
        <div>
          <dt>{t('calls.closesAt')}</dt>
          <dd className="calls-closes">{closesAt}</dd>
        </div>
      </dl>
      <blockquote className="calls-script">
        <p>
          {t('calls.script', {
            firstName: voter.firstName,
            volunteer: volunteerName,
            station: station.name,
            address: station.address ?? station.name,
            closesAt,
          })}
        </p>
      </blockquote>

      {peerText}

      <div className="field calls-note">
        <label htmlFor="call-note">{t('calls.note')}</label>
        <textarea id="call-note" value={note} maxLength={500} rows={2} onChange={(event) => onNote(event.target.value)} />
      </div>

      <fieldset className="calls-outcomes">
        <legend>{t('calls.outcomes')}</legend>
        {OUTCOMES.map((outcome, index) => (
          <button
            key={outcome}
            type="button"
            className={`button calls-outcome calls-outcome-${outcome}${outcome === 'never_contact' ? ' danger' : ''}`}
            onClick={() => onOutcome(outcome)}
            disabled={disabled}
            aria-keyshortcuts={String(index + 1)}
            data-outcome={outcome}
          >
            <kbd className="calls-key" aria-hidden="true">
              {index + 1}
            </kbd>
            {t(`calls.outcome.${outcome}`)}
          </button>
        ))}
      </fieldset>
      {confirmNever && (
        <div className="alert alert-error calls-confirm" role="alert">
          <p>{t('calls.neverConfirm', { name: `${voter.firstName} ${voter.lastName}` })}</p>
          <button type="button" className="button danger" onClick={() => onOutcome('never_contact')} disabled={disabled}>
            {t('calls.neverConfirmYes')}
          </button>{' '}
          <button type="button" className="button" onClick={onCancelNever}>
            {t('calls.neverConfirmNo')}
          </button>
        </div>
      )}
      <p className="hint calls-shortcut-hint">{t('calls.shortcuts')}</p>
    </article>
  );
}
