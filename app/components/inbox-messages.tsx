import { Form } from 'react-router';
import type { InboxMessage } from '../../server/messaging/sms.inbox.ts';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { CsrfInput } from './csrf-input.tsx';

/** Who sent a text, as the inbox names them. */
function senderOf(message: InboxMessage, unknown: string): string {
  if (message.voter) return `${message.voter.firstName} ${message.voter.lastName}`;
  if (message.watcher) return message.watcher.name;
  return message.fromPhone ?? unknown;
}

/**
 * Texts received, newest first, one card each (readable on a phone): who sent it, what it was read
 * as, the list of the last text they were sent, the time, and a button to mark a reply read, which
 * posts `messageId` to the page's own action with `?intent=read`.
 */
export function InboxMessages({ messages, timeZone, labelledBy }: { messages: InboxMessage[]; timeZone: string; labelledBy: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <ul className="inbox-list" aria-labelledby={labelledBy}>
      {messages.map((message) => {
        const sender = senderOf(message, t('inbox.unknownSender'));
        const unread = message.kind === 'reply' && message.readAt === null;
        return (
          <li
            key={message.id}
            className={`inbox-message${unread ? ' inbox-unread' : ''}`}
            data-message={message.id}
            data-kind={message.kind}
            data-opted-out={message.voter?.optedOut ? 'true' : undefined}
          >
            <p className="inbox-heading">
              <strong className="inbox-sender">{sender}</strong>
              <span className={`inbox-kind inbox-kind-${message.kind}`}>{t(`inbox.kind.${message.kind}`)}</span>
              {message.voter?.optedOut && <span className="inbox-opted-out">{t('inbox.optedOut')}</span>}
              {unread && <span className="visually-hidden">{t('inbox.unread')}</span>}
            </p>
            <p className="muted inbox-meta">
              <time dateTime={message.receivedAt}>{formatDateTime(locale, message.receivedAt, timeZone)}</time>
              {message.voter?.phone && (
                <>
                  {' · '}
                  <a href={`tel:${message.voter.phone}`}>{message.voter.phone}</a>
                </>
              )}
              {message.listName && <> · {t('inbox.list', { list: message.listName })}</>}
              {message.volunteer && <> · {t('inbox.volunteer', { name: message.volunteer.name })}</>}
            </p>
            <blockquote className="inbox-body">{message.body}</blockquote>
            {message.replyBody && <p className="inbox-reply">{t('inbox.answered', { reply: message.replyBody })}</p>}
            {unread && (
              <Form method="post" action="?intent=read" className="inbox-read-form">
                <CsrfInput />
                <input type="hidden" name="messageId" value={message.id} />
                <button type="submit" className="button small" aria-label={t('inbox.markReadFor', { name: sender })}>
                  {t('inbox.markRead')}
                </button>
              </Form>
            )}
          </li>
        );
      })}
    </ul>
  );
}
