import type { MessageStatus, Outbox } from '../../server/messaging/sms.outbox.ts';
import { formatCount } from '../format.ts';
import { useLocale, useT, type Translate } from '../i18n/i18n.ts';

/** In the order a text goes through them, failures last. */
export const STATUS_ORDER: readonly MessageStatus[] = ['delivered', 'sent', 'sending', 'pending', 'failed', 'undelivered', 'canceled'];

/** A duration in seconds as people say it: 2 min 30 s, 1 h 05 min. */
export function formatSeconds(t: Translate, seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole >= 3600) {
    return t('sms.durationHours', { hours: Math.floor(whole / 3600), minutes: String(Math.floor((whole % 3600) / 60)).padStart(2, '0') });
  }
  return t('sms.duration', { minutes: Math.floor(whole / 60), seconds: whole % 60 });
}

/**
 * Texts by status as one stacked bar and its figures, each figure a link when `linkTo` is given
 * (the Outbox page filters on it).
 */
export function StatusBar({ counts, linkTo }: { counts: Outbox['counts']; linkTo?: (status: MessageStatus) => string }) {
  const t = useT();
  const locale = useLocale();
  const total = STATUS_ORDER.reduce((sum, status) => sum + counts[status], 0);
  const label = STATUS_ORDER.filter((status) => counts[status] > 0)
    .map((status) => `${t(`sms.status.${status}`)} ${formatCount(locale, counts[status])}`)
    .join(', ');
  return (
    <div className="sms-status">
      <div className="sms-bar" role="img" aria-label={label || t('outbox.none')}>
        {STATUS_ORDER.map((status) =>
          counts[status] > 0 ? (
            <span key={status} className={`sms-bar-${status}`} style={{ width: `${(counts[status] / Math.max(1, total)) * 100}%` }} />
          ) : null,
        )}
      </div>
      <dl className="sms-figures">
        {STATUS_ORDER.map((status) => (
          <div key={status} data-status={status}>
            <dt>
              <span className={`sms-key sms-bar-${status}`} aria-hidden="true" />
              {linkTo ? <a href={linkTo(status)}>{t(`sms.status.${status}`)}</a> : t(`sms.status.${status}`)}
            </dt>
            <dd>{formatCount(locale, counts[status])}</dd>
          </div>
        ))}
        {counts.review > 0 && (
          <div data-status="review">
            <dt>{linkTo ? <a href="/outbox?review=true">{t('sms.status.review')}</a> : t('sms.status.review')}</dt>
            <dd>{formatCount(locale, counts.review)}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}
