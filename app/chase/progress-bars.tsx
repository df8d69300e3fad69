import type { ListProgress } from '../../server/chase/chase.progress.ts';
import { formatCount } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';

/**
 * A list's progress as one stacked bar (done, in call, dropped, still to call) and its figures:
 * a coordinator sees at a glance how far a list has gone, and the numbers stay readable.
 */
export function ProgressBars({ progress }: { progress: ListProgress }) {
  const t = useT();
  const locale = useLocale();
  const total = Math.max(1, progress.entries);
  const pending = Math.max(0, progress.remaining - progress.inCall);
  const parts = [
    { key: 'done', value: progress.done },
    { key: 'inCall', value: progress.inCall },
    { key: 'dropped', value: progress.dropped },
    { key: 'pending', value: pending },
  ] as const;
  const label = t('chase.progress.summary', {
    done: formatCount(locale, progress.done),
    entries: formatCount(locale, progress.entries),
    remaining: formatCount(locale, progress.remaining),
  });
  return (
    <div className="chase-progress" data-list={progress.listId}>
      <div className="chase-bar" role="img" aria-label={label}>
        {parts.map((part) =>
          part.value > 0 ? (
            <span key={part.key} className={`chase-bar-${part.key}`} style={{ width: `${(part.value / total) * 100}%` }} />
          ) : null,
        )}
      </div>
      <dl className="chase-figures">
        <div data-figure="remaining">
          <dt>{t('chase.progress.remaining')}</dt>
          <dd>{formatCount(locale, progress.remaining)}</dd>
        </div>
        <div data-figure="attempted">
          <dt>{t('chase.progress.attempted')}</dt>
          <dd>{formatCount(locale, progress.attempted)}</dd>
        </div>
        <div data-figure="reached">
          <dt>{t('chase.progress.reached')}</dt>
          <dd>{formatCount(locale, progress.reached)}</dd>
        </div>
        <div data-figure="willVote">
          <dt>{t('chase.progress.willVote')}</dt>
          <dd>{formatCount(locale, progress.willVote)}</dd>
        </div>
        <div data-figure="votedSinceContact">
          <dt>{t('chase.progress.votedSinceContact')}</dt>
          <dd>{formatCount(locale, progress.votedSinceContact)}</dd>
        </div>
      </dl>
      <ReachedBars progress={progress} />
    </div>
  );
}

/** Of the people contacted: how many answered, and how many said they will vote. */
function ReachedBars({ progress }: { progress: ListProgress }) {
  const t = useT();
  const of = Math.max(1, progress.attempted);
  return (
    <div className="chase-mini-bars" aria-hidden="true">
      <span title={t('chase.progress.reached')} style={{ width: `${(progress.reached / of) * 100}%` }} className="chase-bar-reached" />
      <span title={t('chase.progress.willVote')} style={{ width: `${(progress.willVote / of) * 100}%` }} className="chase-bar-willVote" />
    </div>
  );
}
