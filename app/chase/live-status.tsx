import { useT } from '../i18n/i18n.ts';

/** Whether the page's figures are live, said once when it changes. */
export function LiveStatus({ status }: { status: 'connecting' | 'connected' | 'offline' }) {
  const t = useT();
  return (
    <p className={`chase-live chase-live-${status}`} role="status" aria-live="polite">
      {t(`chase.live.${status}`)}
    </p>
  );
}
