import { Form, Link, useNavigation } from 'react-router';
import type { Decision, MessageStatus, OutboxRow } from '../../server/messaging/sms.outbox.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { formatDateTime } from '../format.ts';
import { isMessageKey, useLocale, useT } from '../i18n/i18n.ts';
import { STATUS_ORDER, StatusBar } from '../texts/status-bar.tsx';
import type { Route } from './+types/outbox';

const DECISIONS: readonly Decision[] = ['sent', 'resend', 'cancel'];

export async function loader({ context, request }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const search = new URL(request.url).searchParams;
  // The filters as the page's links and its GET form write them; anything else is ignored.
  const status = STATUS_ORDER.find((known) => known === search.get('status'));
  const review = search.get('review') === 'true' ? true : undefined;
  const listId = Number(search.get('listId')) > 0 ? Number(search.get('listId')) : undefined;
  const after = Number(search.get('after')) > 0 ? Number(search.get('after')) : undefined;
  const outbox = await context.services.sms.outbox(principal, { status, review, listId, after, take: 50 });
  const election = await context.services.elections.requireCurrent();
  return {
    ...outbox,
    filters: { status: status ?? null, review: review ?? false, listId: listId ?? null, after: after ?? null },
    local: context.services.config.sms.provider === 'local',
    timeZone: election.timezone,
    decisionForm: context.forms.outboxDecision.contract,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.manageChase);
  return context.submit(request, context.forms.outboxDecision, async ({ messageId, decision }) => {
    await context.services.sms.decide(principal, messageId, decision);
    return { ok: true as const, messageId, decision };
  });
}

export default function OutboxPage({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const { rows, counts, filters, nextAfter } = loaderData;
  const form = formState(loaderData.decisionForm, actionData);
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const merged = {
      status: filters.status,
      review: filters.review ? 'true' : null,
      listId: filters.listId ? String(filters.listId) : null,
      ...changes,
    };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `/outbox?${text}` : '/outbox';
  };
  return (
    <section className="page" aria-labelledby="outbox-title">
      <title>{`${t('outbox.title')} — Relance`}</title>
      <h1 id="outbox-title">{t('outbox.title')}</h1>
      <p>{t('outbox.intro')}</p>
      {loaderData.local && (
        <p className="alert alert-warn" data-testid="outbox-local">
          {t('outbox.local')}
        </p>
      )}
      {actionData?.ok && (
        <p className="alert alert-success" role="status">
          {t(`outbox.decided.${actionData.decision}`, { id: actionData.messageId })}
        </p>
      )}
      <FormAlert form={form} />

      <section className="panel" aria-labelledby="outbox-counts">
        <h2 id="outbox-counts">
          {t('outbox.counts')}
          {filters.listId && ` · ${t('outbox.list', { id: filters.listId })}`}
        </h2>
        <StatusBar counts={counts} linkTo={(status) => query({ status, review: null, after: null })} />
      </section>

      <Form method="get" action="/outbox" className="text-list-choose outbox-filter">
        {filters.listId && <input type="hidden" name="listId" value={filters.listId} />}
        <div className="field">
          <label htmlFor="outbox-status">{t('outbox.filter')}</label>
          <select id="outbox-status" name="status" defaultValue={filters.status ?? ''}>
            <option value="">{t('outbox.filter.all')}</option>
            {STATUS_ORDER.map((status) => (
              <option key={status} value={status}>
                {t(`sms.status.${status}`)}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input type="checkbox" name="review" value="true" defaultChecked={filters.review} /> {t('outbox.filter.review')}
        </label>
        <button type="submit" className="button">
          {t('outbox.filter.apply')}
        </button>
      </Form>

      {rows.length === 0 ? (
        <p>{t('outbox.none')}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="outbox-title">
          <table className="data-table sms-table">
            <thead>
              <tr>
                <th scope="col">{t('outbox.when')}</th>
                <th scope="col">{t('outbox.to')}</th>
                <th scope="col">{t('outbox.text')}</th>
                <th scope="col">{t('outbox.status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <MessageRow key={row.id} row={row} timeZone={loaderData.timeZone} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="chase-links">
        {filters.after && <Link to={query({ after: null })}>{t('outbox.newest')}</Link>}
        {nextAfter && <Link to={query({ after: String(nextAfter) })}>{t('outbox.older')}</Link>}
      </p>
    </section>
  );
}

function MessageRow({ row, timeZone }: { row: OutboxRow; timeZone: string }) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const reason = row.cancelReason && `sms.exclusion.${row.cancelReason}`;
  return (
    <tr data-message={row.id} data-status={row.status}>
      <td>
        {formatDateTime(locale, row.createdAt, timeZone)}
        <br />
        <span className="muted">{row.listId ? t('outbox.list', { id: row.listId }) : t('outbox.peer')}</span>
      </td>
      <th scope="row">
        {row.voter.firstName} {row.voter.lastName}
        <br />
        <span className="muted">{row.toPhone}</span>
      </th>
      <td>
        <p className="texts-body">{row.body}</p>
      </td>
      <td>
        <strong>{t(`sms.status.${row.status as MessageStatus}`)}</strong>
        {row.errorCode && <p className="field-error">{t('outbox.error', { code: row.errorCode })}</p>}
        {reason && <p className="muted">{t('outbox.canceledBecause', { reason: isMessageKey(reason) ? t(reason) : row.cancelReason! })}</p>}
        {row.reviewReason && (
          <div className="outbox-review">
            <p className="hint">{t('outbox.reviewHelp')}</p>
            <div className="row-actions">
              {DECISIONS.map((decision) => (
                <Form key={decision} method="post">
                  <CsrfInput />
                  <input type="hidden" name="messageId" value={row.id} />
                  <input type="hidden" name="decision" value={decision} />
                  <button
                    type="submit"
                    className={`button small${decision === 'cancel' ? ' danger' : ''}`}
                    disabled={navigation.state === 'submitting'}
                    aria-label={t('outbox.decideFor', {
                      action: t(`outbox.decide.${decision}`),
                      name: `${row.voter.firstName} ${row.voter.lastName}`,
                    })}
                  >
                    {t(`outbox.decide.${decision}`)}
                  </button>
                </Form>
              ))}
            </div>
          </div>
        )}
      </td>
    </tr>
  );
}
