import { useT } from '../i18n/i18n.ts';
import type { OfflineReadiness } from './offline.ts';
import type { OutboxView } from './outbox.ts';

/** Always in view on the watcher pages: whether everything the phone holds has reached the server. */
export function SyncBar({ outbox, offline }: { outbox: OutboxView; offline: OfflineReadiness }) {
  const t = useT();
  let text: string;
  let tone: 'ok' | 'busy' | 'waiting';
  if (!outbox.loaded) [text, tone] = [t('watch.sync.loading'), 'busy'];
  else if (outbox.waiting === 0) [text, tone] = [t('watch.sync.allSent'), 'ok'];
  else if (outbox.state === 'signed_out') [text, tone] = [t('watch.sync.signedOut', { count: outbox.waiting }), 'waiting'];
  else if (outbox.state === 'sending') [text, tone] = [t('watch.sync.sending'), 'busy'];
  else [text, tone] = [t('watch.sync.waiting', { count: outbox.waiting }), 'waiting'];
  const offlineText = {
    ready: t('watch.offline.ready'),
    preparing: t('watch.offline.preparing'),
    failed: t('watch.offline.unavailable'),
    unsupported: t('watch.offline.unavailable'),
  }[offline];
  return (
    <div className={`sync-bar sync-${tone}`}>
      <p role="status" className="sync-state" data-waiting={outbox.loaded ? outbox.waiting : undefined}>
        {text}
      </p>
      <p className="sync-offline" data-offline-ready={offline === 'ready' ? '' : undefined}>
        {offlineText}
      </p>
    </div>
  );
}
