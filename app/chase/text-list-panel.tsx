import { useEffect } from 'react';
import { Form, Link, useNavigation, useRevalidator } from 'react-router';
import type { ListTextPlan, Outbox } from '../../server/messaging/sms.outbox.ts';
import type { SmsExclusion } from '../../server/messaging/sms.guards.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { FormAlert } from '../components/field.tsx';
import type { FormState } from '../forms.ts';
import { formatCount, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { formatSeconds, StatusBar } from '../texts/status-bar.tsx';

/** While texts of the list wait or go out, the page asks for their counts this often. */
const REFRESH_MS = 3_000;

export interface ListTextsSent {
  queued: number;
  alreadyQueued: number;
}

/**
 * "Text this list": a template chosen (a plain GET form, so the plan works without JavaScript),
 * the planner's answer (who, who not and why, and whether the queue ends before polls close),
 * then "Send" (a form action) and the list's texts by status.
 */
export function TextListPanel({
  listId,
  templates,
  templateId,
  plan,
  texts,
  sent,
  form,
  timeZone,
}: {
  listId: number;
  templates: { id: number; name: string }[];
  templateId: number | null;
  plan: ListTextPlan | null;
  texts: Outbox['counts'] | null;
  sent: ListTextsSent | null;
  form: FormState<'templateId'>;
  timeZone: string;
}) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const moving = texts ? texts.pending + texts.sending : 0;
  useEffect(() => {
    if (moving === 0) return;
    const timer = setTimeout(() => void revalidator.revalidate(), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [moving, texts, revalidator]);
  const excluded = plan ? (Object.entries(plan.excluded) as [SmsExclusion, number][]).filter(([, count]) => count > 0) : [];
  return (
    <section className="panel" aria-labelledby="text-list-title" id="texts">
      <h2 id="text-list-title">{t('textList.title')}</h2>
      <p className="hint">{t('textList.intro')}</p>
      {templates.length === 0 ? (
        <p>
          {t('textList.noTemplates')} <Link to="/texts">{t('textList.writeTemplate')}</Link>
        </p>
      ) : (
        <Form method="get" action={`/chase/${listId}#texts`} className="text-list-choose" preventScrollReset>
          <div className="field">
            <label htmlFor="text-list-template">{t('textList.template')}</label>
            <select id="text-list-template" name="templateId" defaultValue={templateId ?? templates[0]!.id} required>
              {templates.map((template) => (
                <option key={template.id} value={template.id}>
                  {template.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button">
            {t('textList.plan')}
          </button>
        </Form>
      )}

      {plan && templateId && (
        <div className="sms-plan" data-testid="text-plan">
          <dl className="chase-figures">
            <div data-figure="recipients">
              <dt>{t('textList.recipients')}</dt>
              <dd>{formatCount(locale, plan.recipients)}</dd>
            </div>
            <div data-figure="alreadyQueued">
              <dt>{t('textList.alreadyQueued')}</dt>
              <dd>{formatCount(locale, plan.alreadyQueued)}</dd>
            </div>
          </dl>
          {excluded.length === 0 ? (
            <p>{t('textList.noneExcluded')}</p>
          ) : (
            <table className="data-table">
              <caption>{t('textList.excluded')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('textList.reason')}</th>
                  <th scope="col">{t('textList.people')}</th>
                </tr>
              </thead>
              <tbody>
                {excluded.map(([reason, count]) => (
                  <tr key={reason} data-reason={reason}>
                    <th scope="row">{t(`sms.exclusion.${reason}`)}</th>
                    <td>{formatCount(locale, count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p data-testid="text-timing">
            {plan.secondsLeft > 0
              ? t('textList.timing', {
                  rate: formatCount(locale, plan.ratePerSecond),
                  drain: formatSeconds(t, plan.drainSeconds),
                  left: formatSeconds(t, plan.secondsLeft),
                })
              : t('textList.closed')}
          </p>
          {plan.startsAt && (
            <p className="alert alert-warn">{t('textList.startsAt', { time: formatTime(locale, plan.startsAt, timeZone) })}</p>
          )}
          {!plan.willFinish && plan.recipients > 0 && (
            <p className="alert alert-warn" role="alert">
              {t('textList.willNotFinish')}
            </p>
          )}
          {plan.sample && (
            <>
              <h3>{t('textList.sample')}</h3>
              <p className="text-bubble">{plan.sample}</p>
            </>
          )}
          <FormAlert form={form} />
          {plan.recipients === 0 ? (
            <p>{t('textList.nobody')}</p>
          ) : (
            <Form method="post" action={`/chase/${listId}?templateId=${templateId}&intent=texts#texts`} preventScrollReset>
              <CsrfInput />
              <input type="hidden" name="templateId" value={templateId} />
              <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
                {t('textList.send', { count: formatCount(locale, plan.recipients) })}
              </button>
            </Form>
          )}
        </div>
      )}

      <div role="status" aria-live="polite">
        {sent && (
          <p className="alert alert-success">
            {t('textList.sent', { count: formatCount(locale, sent.queued), already: formatCount(locale, sent.alreadyQueued) })}
          </p>
        )}
      </div>

      <h3>{t('textList.progress')}</h3>
      {texts && Object.values(texts).some((count) => count > 0) ? (
        <>
          <StatusBar counts={texts} />
          <p className="chase-links">
            <Link to={`/outbox?listId=${listId}`}>{t('textList.toOutbox')}</Link>
            {moving > 0 && (
              <a className="button small" href={`/chase/${listId}#texts`}>
                {t('textList.refresh')}
              </a>
            )}
          </p>
        </>
      ) : (
        <p className="muted">{t('textList.noTexts')}</p>
      )}
    </section>
  );
}
