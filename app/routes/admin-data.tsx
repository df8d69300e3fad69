import { Form, Link, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { formatCount, formatDate, formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-data';

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.dataProtection);
  const elections = await context.services.people.elections.retentionOfAll();
  return {
    retentionDays: context.services.config.personalDataRetentionDays,
    elections: elections.map((status) => ({
      id: status.electionId,
      name: status.electionName,
      timezone: status.timezone,
      closedAt: status.closedAt.toISOString(),
      over: status.over,
      purgeBy: status.purgeBy.toISOString(),
      overdue: status.overdue,
      purgedAt: status.purgedAt?.toISOString() ?? null,
    })),
    form: context.forms.purgeElection.contract,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.dataProtection);
  return context.submit(request, context.forms.purgeElection, async ({ electionId, confirmation }) => {
    const counts = await context.services.people.elections.purge(electionId, confirmation, actor);
    return { ok: true as const, counts };
  });
}

type ElectionRow = Route.ComponentProps['loaderData']['elections'][number];

function Status({ election }: { election: ElectionRow }) {
  const t = useT();
  const locale = useLocale();
  if (election.purgedAt) return <>{t('data.status.purged', { date: formatDate(locale, election.purgedAt, election.timezone) })}</>;
  if (!election.over) return <>{t('data.status.notOver')}</>;
  return (
    <strong>
      {t(election.overdue ? 'data.status.overdue' : 'data.status.due', { date: formatDate(locale, election.purgeBy, election.timezone) })}
    </strong>
  );
}

export default function AdminData({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const form = formState(loaderData.form, actionData);
  const purgeable = loaderData.elections.filter((election) => election.over && !election.purgedAt);
  return (
    <section className="page" aria-labelledby="data-title">
      <title>{`${t('data.title')} — Relance`}</title>
      <h1 id="data-title">{t('data.title')}</h1>
      <p>{t('data.intro', { days: loaderData.retentionDays })}</p>
      <p>
        {t('data.also')} <Link to="/admin/rights">{t('rights.title')}</Link> · <Link to="/admin/audit">{t('audit.title')}</Link>
      </p>

      {actionData?.ok && (
        <div className="alert alert-success" role="status">
          <h2>{t('data.purged')}</h2>
          <p>
            {t('data.purgedCounts', {
              voters: formatCount(locale, actionData.counts.voters),
              contacts: formatCount(locale, actionData.counts.contactAttempts + actionData.counts.chaseEntries),
              messages: formatCount(locale, actionData.counts.outboundMessages + actionData.counts.inboundMessages),
              accounts: formatCount(locale, actionData.counts.accounts),
            })}
          </p>
        </div>
      )}
      <FormAlert form={form} />

      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="data-elections">
        <table className="data-table">
          <caption id="data-elections">{t('data.elections')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('data.election')}</th>
              <th scope="col">{t('data.closedAt')}</th>
              <th scope="col">{t('data.status')}</th>
            </tr>
          </thead>
          <tbody>
            {loaderData.elections.map((election) => (
              <tr key={election.id}>
                <th scope="row">
                  {election.name} <span className="hint">#{election.id}</span>
                </th>
                <td>{formatDateTime(locale, election.closedAt, election.timezone)}</td>
                <td>
                  <Status election={election} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {purgeable.length > 0 && (
        <section aria-labelledby="purge-title" className="panel narrow-panel">
          <h2 id="purge-title">{t('data.purge.title')}</h2>
          <p>{t('data.purge.what')}</p>
          <Form method="post" className="stack">
            <CsrfInput />
            <Field form={form} name="electionId" label={t('data.purge.election')}>
              <select defaultValue={purgeable[0]!.id}>
                {purgeable.map((election) => (
                  <option key={election.id} value={election.id}>
                    {election.name} (#{election.id})
                  </option>
                ))}
              </select>
            </Field>
            <Field form={form} name="confirmation" label={t('data.purge.confirmation')} hint={t('data.purge.confirmationHint')}>
              <input autoComplete="off" />
            </Field>
            <button type="submit" className="button danger" disabled={navigation.state === 'submitting'}>
              {t('data.purge.submit')}
            </button>
          </Form>
        </section>
      )}
    </section>
  );
}
