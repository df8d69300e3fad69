import { Form, useNavigation } from 'react-router';
import type { PersonKeyKind, PersonRecord } from '../../server/people/people.rights.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-rights';

const KINDS: PersonKeyKind[] = ['externalId', 'phone', 'email'];

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.dataProtection);
  return { form: context.forms.personKey.contract, eraseForm: context.forms.personErase.contract };
}

/**
 * Every request posts the person's identifier (never in the address, which logs and browser history
 * keep): `show` for access, `erase`, `object`.
 */
export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.dataProtection);
  const { rights } = context.services.people;
  const intent = new URL(request.url).searchParams.get('intent');
  if (intent === 'erase') {
    return context.submit(request, context.forms.personErase, async ({ kind, value }) => {
      const erased = await rights.erase({ kind, value }, actor);
      return { ok: true as const, intent: 'erase' as const, kind, value, erased };
    });
  }
  if (intent === 'object') {
    return context.submit(request, context.forms.personKey, async ({ kind, value }) => {
      const objected = await rights.object({ kind, value }, actor);
      return { ok: true as const, intent: 'object' as const, kind, value, objected };
    });
  }
  return context.submit(request, context.forms.personKey, async ({ kind, value }) => {
    const record = await rights.show({ kind, value }, actor);
    return { ok: true as const, intent: 'show' as const, kind, value, record };
  });
}

/** The person's identifier, posted again by the buttons under the record. */
function PersonFields({ kind, value }: { kind: string; value: string }) {
  return (
    <>
      <CsrfInput />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="value" value={value} />
    </>
  );
}

function Record({ record }: { record: PersonRecord }) {
  const t = useT();
  const locale = useLocale();
  const yesNo = (value: boolean) => t(value ? 'rights.yes' : 'rights.no');
  if (record.voters.length === 0 && record.accounts.length === 0 && record.inboundMessages.length === 0) {
    return <p>{t('rights.nothing')}</p>;
  }
  return (
    <>
      {record.voters.map((voter) => (
        <section key={voter.id} className="panel" aria-labelledby={`voter-${voter.id}`}>
          <h3 id={`voter-${voter.id}`}>
            {voter.firstName} {voter.lastName} — {voter.election}
          </h3>
          <dl className="record">
            <dt>{t('rights.externalId')}</dt>
            <dd>{voter.externalId}</dd>
            <dt>{t('rights.phone')}</dt>
            <dd>{voter.phone ?? '—'}</dd>
            <dt>{t('rights.email')}</dt>
            <dd>{voter.email ?? '—'}</dd>
            <dt>{t('rights.address')}</dt>
            <dd>{voter.address ?? '—'}</dd>
            <dt>{t('rights.station')}</dt>
            <dd>
              {voter.station}
              {voter.listNumber !== null && ` — ${t('rights.listNumber', { number: voter.listNumber })}`}
            </dd>
            <dt>{t('rights.support')}</dt>
            <dd>{voter.supportLevel ?? '—'}</dd>
            <dt>{t('rights.consent')}</dt>
            <dd>
              {t('rights.consentValues', { sms: yesNo(voter.smsConsent), call: yesNo(voter.callConsent), dnc: yesNo(voter.doNotContact) })}
            </dd>
            <dt>{t('rights.voted')}</dt>
            <dd>{voter.votedAt ? formatDateTime(locale, voter.votedAt) : '—'}</dd>
            <dt>{t('rights.lists')}</dt>
            <dd>{voter.chaseEntries.map((entry) => `${entry.list} (${entry.state})`).join(', ') || '—'}</dd>
            <dt>{t('rights.contacts')}</dt>
            <dd>
              {voter.contactAttempts
                .map(
                  (attempt) =>
                    `${formatDateTime(locale, attempt.at)} ${attempt.channel}: ${attempt.outcome}${attempt.note ? ` — ${attempt.note}` : ''}`,
                )
                .join('; ') || '—'}
            </dd>
            <dt>{t('rights.texts')}</dt>
            <dd>
              {voter.outboundMessages.map((message) => `${formatDateTime(locale, message.createdAt)}: ${message.body}`).join('; ') || '—'}
            </dd>
            <dt>{t('rights.views')}</dt>
            <dd>{voter.views.map((view) => `${formatDateTime(locale, view.at)} (#${view.actorUserId ?? '—'})`).join(', ') || '—'}</dd>
          </dl>
        </section>
      ))}
      {record.inboundMessages.length > 0 && (
        <section className="panel" aria-labelledby="inbound-title">
          <h3 id="inbound-title">{t('rights.inbound')}</h3>
          <ul>
            {record.inboundMessages.map((message) => (
              <li key={message.receivedAt + message.body}>
                {formatDateTime(locale, message.receivedAt)} — {message.body}
              </li>
            ))}
          </ul>
        </section>
      )}
      {record.accounts.length > 0 && (
        <section className="panel" aria-labelledby="accounts-title">
          <h3 id="accounts-title">{t('rights.accounts')}</h3>
          <ul>
            {record.accounts.map((account) => (
              <li key={account.id}>
                {account.name} — {t(`role.${account.role as 'admin'}`)} — {account.email ?? account.phone ?? ''}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

export default function AdminRights({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const navigation = useNavigation();
  const failed = actionData?.ok === false ? actionData : undefined;
  const form = formState(loaderData.form, failed);
  const eraseForm = formState(loaderData.eraseForm, failed);
  const shown = actionData?.ok ? actionData : undefined;
  return (
    <section className="page" aria-labelledby="rights-title">
      <title>{`${t('rights.title')} — Relance`}</title>
      <h1 id="rights-title">{t('rights.title')}</h1>
      <p>{t('rights.intro')}</p>
      <FormAlert form={form} />

      <section aria-labelledby="find-title" className="panel narrow-panel">
        <h2 id="find-title">{t('rights.find')}</h2>
        <Form method="post" action="?intent=show" className="stack">
          <CsrfInput />
          <Field form={form} name="kind" label={t('rights.kind')}>
            <select defaultValue={shown?.kind ?? 'externalId'}>
              {KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`rights.kind.${kind}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field form={form} name="value" label={t('rights.value')}>
            <input autoComplete="off" defaultValue={shown?.value} />
          </Field>
          <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
            {t('rights.show')}
          </button>
        </Form>
      </section>

      {shown?.intent === 'erase' && (
        <p className="alert alert-success" role="status">
          {t('rights.erased', { voters: shown.erased.voters })}
        </p>
      )}
      {shown?.intent === 'object' && (
        <p className="alert alert-success" role="status">
          {t('rights.objected', { voters: shown.objected.voters, withdrawn: shown.objected.withdrawn })}
        </p>
      )}

      {shown?.intent === 'show' && (
        <section aria-labelledby="record-title" className="stack">
          <h2 id="record-title">{t('rights.record')}</h2>
          <Record record={shown.record} />
          {shown.record.suppressed.map((entry) => (
            <p key={entry.reason}>{t(entry.reason === 'erasure' ? 'rights.suppressed.erasure' : 'rights.suppressed.objection')}</p>
          ))}
          <div className="row-actions">
            {/* A native post: the browser saves the file the answer carries. */}
            <form method="post" action="/admin/rights/export">
              <PersonFields kind={shown.kind} value={shown.value} />
              <button type="submit" className="button">
                {t('rights.export')}
              </button>
            </form>
            <Form method="post" action="?intent=object">
              <PersonFields kind={shown.kind} value={shown.value} />
              <button type="submit" className="button">
                {t('rights.object')}
              </button>
            </Form>
          </div>
          <Form method="post" action="?intent=erase" className="stack panel narrow-panel">
            <PersonFields kind={shown.kind} value={shown.value} />
            <Field form={eraseForm} name="confirm" label={t('rights.eraseConfirm')}>
              <input type="checkbox" />
            </Field>
            <button type="submit" className="button danger">
              {t('rights.erase')}
            </button>
          </Form>
        </section>
      )}
    </section>
  );
}
