import { Form, Link } from 'react-router';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-audit';

/** The filters travel in the address (ids, action names and days: nothing personal), so a view can be shared. */
export async function loader({ request, context }: Route.LoaderArgs) {
  context.requireRole(context.access.auditTrail);
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = context.services.auditTrail.filterSchema.safeParse(query);
  const filter = parsed.success ? parsed.data : {};
  return { filter, invalid: !parsed.success, query: new URL(request.url).search, ...(await context.services.auditTrail.page(filter)) };
}

export default function AdminAudit({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const { filter } = loaderData;
  return (
    <section className="page" aria-labelledby="audit-title">
      <title>{`${t('audit.title')} — Relance`}</title>
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p>{t('audit.intro')}</p>
      {loaderData.invalid && (
        <p className="alert alert-error" role="alert">
          {t('audit.invalidFilter')}
        </p>
      )}

      <Form method="get" className="panel stack" aria-labelledby="audit-filter-title">
        <h2 id="audit-filter-title">{t('audit.filter')}</h2>
        <div className="field">
          <label htmlFor="audit-actor">{t('audit.who')}</label>
          <select id="audit-actor" name="actor" defaultValue={filter.actor ?? ''}>
            <option value="">{t('audit.anyone')}</option>
            {loaderData.actors.map((actor) => (
              <option key={actor.id} value={actor.id}>
                {actor.name} (#{actor.id})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('audit.what')}</label>
          <select id="audit-action" name="action" defaultValue={filter.action ?? ''}>
            <option value="">{t('audit.anything')}</option>
            {loaderData.actions.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">{t('audit.from')}</label>
          <input id="audit-from" name="from" type="date" defaultValue={filter.from ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t('audit.to')}</label>
          <input id="audit-to" name="to" type="date" defaultValue={filter.to ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-election">{t('audit.election')}</label>
          <select id="audit-election" name="election" defaultValue={filter.election ?? ''}>
            <option value="">{t('audit.anyElection')}</option>
            {loaderData.elections.map((election) => (
              <option key={election.id} value={election.id}>
                {election.name}
              </option>
            ))}
          </select>
        </div>
        <div className="row-actions">
          <button type="submit" className="button primary">
            {t('audit.apply')}
          </button>
          {/* A document link: the browser saves the file. */}
          <Link className="button" to={`/admin/audit/export${loaderData.query}`} reloadDocument>
            {t('audit.csv')}
          </Link>
        </div>
      </Form>

      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="audit-entries">
        <table className="data-table">
          <caption id="audit-entries">{t('audit.entries', { shown: loaderData.entries.length, limit: loaderData.limit })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.what')}</th>
              <th scope="col">{t('audit.subject')}</th>
              <th scope="col">{t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {loaderData.entries.map((entry) => (
              <tr key={entry.id}>
                <td>{formatDateTime(locale, entry.at)}</td>
                <td>
                  {entry.actorUserId !== null
                    ? `${entry.actorName ?? ''} (#${entry.actorUserId})`
                    : entry.actorTokenId !== null
                      ? t('audit.token', { id: entry.actorTokenId })
                      : t('audit.system')}
                </td>
                <th scope="row">{entry.action}</th>
                <td>{entry.subjectType ? `${entry.subjectType} ${entry.subjectId ?? ''}` : '—'}</td>
                <td>
                  <code>{entry.details === null ? '' : JSON.stringify(entry.details)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
