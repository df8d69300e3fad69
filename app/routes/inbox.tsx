import { Form, Link, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { InboxMessages } from '../components/inbox-messages.tsx';
import { formState } from '../forms.ts';
import { formatCount } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/inbox';

export async function loader({ request, context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.smsInbox);
  const election = await context.services.elections.requireCurrent();
  const requested = Number(new URL(request.url).searchParams.get('after'));
  const after = Number.isInteger(requested) && requested > 0 ? requested : undefined;
  const inbox = await context.services.smsInbox.messages(principal, { after });
  return {
    ...inbox,
    after: after ?? null,
    timeZone: election.timezone,
    /** Local mode sends nothing: a coordinator may pretend to be a person texting back. */
    canSimulate: context.services.config.sms.provider === 'local',
    readForm: context.forms.inboxRead.contract,
    simulateForm: context.forms.inboxSimulate.contract,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.smsInbox);
  if (new URL(request.url).searchParams.get('intent') === 'read') {
    return context.submit(request, context.forms.inboxRead, async ({ messageId }) => {
      await context.services.smsInbox.markRead(principal, messageId);
      return { ok: true as const, intent: 'read' as const };
    });
  }
  return context.submit(request, context.forms.inboxSimulate, async (input) => {
    const answer = await context.services.smsInbound.simulate(principal, input);
    return { ok: true as const, intent: 'simulate' as const, kind: answer.kind, reply: answer.reply };
  });
}

/** Texts people sent back: replies to read, opt-outs and opt-ins, watchers' reports by text. */
export default function Inbox({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const { messages, counts, timeZone } = loaderData;
  // Two forms post here; a failure belongs to the read button when it is about the text to mark.
  const failure = actionData?.ok === false ? actionData : undefined;
  const readFailed = failure !== undefined && (failure.code === 'not_found' || failure.fields.includes('messageId'));
  const simulateForm = formState(loaderData.simulateForm, readFailed ? undefined : actionData);
  const readForm = formState(loaderData.readForm, readFailed ? actionData : undefined);
  return (
    <section className="page inbox" aria-labelledby="inbox-title">
      <title>{`${t('inbox.title')} — Relance`}</title>
      <h1 id="inbox-title">{t('inbox.title')}</h1>
      <p className="subtitle">{t('inbox.intro')}</p>

      <dl className="figures inbox-counts">
        <div className="figure">
          <dt>{t('inbox.count.unread')}</dt>
          <dd className="figure-value" data-count="unread">
            {formatCount(locale, counts.unread)}
          </dd>
        </div>
        <div className="figure">
          <dt>{t('inbox.count.optOuts')}</dt>
          <dd className="figure-value" data-count="opt-outs">
            {formatCount(locale, counts.optOuts)}
          </dd>
        </div>
        <div className="figure">
          <dt>{t('inbox.count.optIns')}</dt>
          <dd className="figure-value" data-count="opt-ins">
            {formatCount(locale, counts.optIns)}
          </dd>
        </div>
        <div className="figure">
          <dt>{t('inbox.count.optedOutNow')}</dt>
          <dd className="figure-value" data-count="opted-out-now">
            {formatCount(locale, counts.optedOutNow)}
          </dd>
        </div>
      </dl>

      <FormAlert form={readForm} />
      {actionData?.ok && actionData.intent === 'simulate' && (
        <div className="alert alert-success" role="status">
          <p>{t('inbox.simulated', { kind: t(`inbox.kind.${actionData.kind}`) })}</p>
          <p>{actionData.reply ? t('inbox.answered', { reply: actionData.reply }) : t('inbox.noAnswer')}</p>
        </div>
      )}

      {loaderData.canSimulate && (
        <section aria-labelledby="inbox-simulate-title" className="panel narrow-panel">
          <h2 id="inbox-simulate-title">{t('inbox.simulate.title')}</h2>
          <p className="hint">{t('inbox.simulate.intro')}</p>
          <FormAlert form={simulateForm} />
          <Form method="post" action="?intent=simulate" className="stack">
            <CsrfInput />
            <Field form={simulateForm} name="from" label={t('inbox.simulate.from')} hint={t('inbox.simulate.fromHint')}>
              <input type="tel" autoComplete="off" inputMode="tel" />
            </Field>
            <Field form={simulateForm} name="body" label={t('inbox.simulate.body')} hint={t('inbox.simulate.bodyHint')}>
              <textarea rows={2} />
            </Field>
            <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
              {t('inbox.simulate.submit')}
            </button>
          </Form>
        </section>
      )}

      <h2 id="inbox-messages-title" className="inbox-messages-title">
        {t('inbox.messages')}
      </h2>
      {messages.length === 0 ? (
        <p>{t('inbox.none')}</p>
      ) : (
        <InboxMessages messages={messages} timeZone={timeZone} labelledBy="inbox-messages-title" />
      )}
      <p className="chase-links">
        {loaderData.after && <Link to="/inbox">{t('inbox.newest')}</Link>}
        {loaderData.nextAfter && <Link to={`/inbox?after=${loaderData.nextAfter}`}>{t('inbox.older')}</Link>}
      </p>
    </section>
  );
}
