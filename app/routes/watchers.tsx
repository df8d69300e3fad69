import { Form } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/watchers';

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.prepareWatchers);
  return { board: await context.services.readiness.board(), rehearsalForm: context.forms.rehearsal.contract };
}

export async function action({ context, request }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.prepareWatchers);
  return context.submit(request, context.forms.rehearsal, async ({ electionId, rehearsal }) => {
    await context.services.readiness.setRehearsal(principal, electionId, rehearsal);
    return { ok: true as const };
  });
}

export default function Watchers({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const { board } = loaderData;
  if (!board) return null;
  const ready = board.watchers.filter((watcher) => watcher.signedIn && watcher.sentTestReport).length;
  return (
    <section className="page" aria-labelledby="watchers-title">
      <title>{`${t('watchers.title')} — Relance`}</title>
      <h1 id="watchers-title">{t('watchers.title')}</h1>
      <p>{t('watchers.intro')}</p>
      <div className={`panel rehearsal ${board.election.rehearsal ? 'rehearsal-on' : ''}`} role="status">
        <p>{t(board.election.rehearsal ? 'watchers.rehearsal.on' : 'watchers.rehearsal.off')}</p>
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="electionId" value={board.election.id} />
          <input type="hidden" name="rehearsal" value={board.election.rehearsal ? 'false' : 'true'} />
          <button type="submit" className="button primary">
            {t(board.election.rehearsal ? 'watchers.rehearsal.end' : 'watchers.rehearsal.start')}
          </button>
        </Form>
      </div>
      <p>{t('watchers.summary', { ready, total: board.watchers.length, uncovered: board.uncoveredStations })}</p>
      {board.watchers.length === 0 ? (
        <p className="alert">{t('watchers.none')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('watchers.name')}</th>
                <th scope="col">{t('watchers.stations')}</th>
                <th scope="col">{t('watchers.signedIn')}</th>
                <th scope="col">{t('watchers.lastSeen')}</th>
                <th scope="col">{t('watchers.testReport')}</th>
              </tr>
            </thead>
            <tbody>
              {board.watchers.map((watcher) => (
                <tr key={watcher.id}>
                  <th scope="row">{watcher.name}</th>
                  <td>{watcher.stations.map((station) => station.code).join(', ')}</td>
                  <td>{t(watcher.signedIn ? 'watchers.yes' : 'watchers.no')}</td>
                  <td>{watcher.lastSeenAt ? formatDateTime(locale, watcher.lastSeenAt) : t('watchers.never')}</td>
                  <td>{t(watcher.sentTestReport ? 'watchers.yes' : 'watchers.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
