import { useT } from '../i18n/i18n.ts';
import type { Route } from './+types/calls';

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.callVoters);
  return null;
}

export default function Calls() {
  const t = useT();
  return (
    <section className="page narrow" aria-labelledby="calls-title">
      <title>{`${t('calls.title')} — Relance`}</title>
      <h1 id="calls-title">{t('calls.title')}</h1>
      <p className="alert">{t('calls.none')}</p>
    </section>
  );
}
