import { Form, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-curve';

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.manageElection);
  const election = await context.services.elections.requireCurrent();
  return {
    curve: await context.services.turnoutCurves.describe(election.id),
    figures: context.forms.curveFigures.contract,
    history: context.forms.curveHistory.contract,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.manageElection);
  const { id } = await context.services.elections.requireCurrent();
  // Three forms post here: official figures, an hourly history, and "back to the default curve".
  const intent = new URL(request.url).searchParams.get('intent');
  if (intent === 'history') {
    return context.submit(request, context.forms.curveHistory, async ({ history }) => {
      await context.services.turnoutCurves.set(id, { history }, actor);
      return { ok: true as const, intent };
    });
  }
  if (intent === 'default') {
    return context.submit(request, context.forms.curveDefault, async () => {
      await context.services.turnoutCurves.set(id, null, actor);
      return { ok: true as const, intent };
    });
  }
  return context.submit(request, context.forms.curveFigures, async (input) => {
    await context.services.turnoutCurves.set(id, input, actor);
    return { ok: true as const, intent: 'figures' as const };
  });
}

export default function AdminCurve({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const { curve } = loaderData;
  const failedIntent =
    actionData && !actionData.ok && 'fields' in actionData && actionData.fields.includes('history') ? 'history' : 'figures';
  const figures = formState(loaderData.figures, failedIntent === 'figures' ? actionData : undefined);
  const history = formState(loaderData.history, failedIntent === 'history' ? actionData : undefined);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const busy = navigation.state === 'submitting';
  return (
    <section className="page" aria-labelledby="curve-title">
      <title>{`${t('curve.title')} — Relance`}</title>
      <h1 id="curve-title">{t('curve.title')}</h1>
      <p>{t('curve.intro')}</p>
      {actionData?.ok && (
        <p className="alert alert-success" role="status">
          {t(actionData.intent === 'default' ? 'curve.reset' : 'curve.saved')}
        </p>
      )}

      <section aria-labelledby="curve-now-title" className="panel narrow-panel">
        <h2 id="curve-now-title">{t(curve.shares ? 'curve.current.own' : 'curve.current.default', { election: curve.election })}</h2>
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="curve-now-title">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('curve.hour')}</th>
                <th scope="col">{t('curve.share')}</th>
              </tr>
            </thead>
            <tbody>
              {curve.byHour.map(({ hour, share }) => (
                <tr key={hour}>
                  <th scope="row">{hour}</th>
                  <td>{percent.format(share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {curve.shares && (
          <Form method="post" action="?intent=default">
            <CsrfInput />
            <button type="submit" className="button small" disabled={busy}>
              {t('curve.default.submit')}
            </button>
          </Form>
        )}
      </section>

      <section aria-labelledby="curve-figures-title" className="panel narrow-panel">
        <h2 id="curve-figures-title">{t('curve.figures.title')}</h2>
        <p>{t('curve.figures.intro')}</p>
        <FormAlert form={figures} />
        <Form method="post" action="?intent=figures" className="stack">
          <CsrfInput />
          <Field form={figures} name="noon" label={t('curve.figures.noon')}>
            <input inputMode="decimal" autoComplete="off" placeholder="25.48" />
          </Field>
          <Field form={figures} name="fivePm" label={t('curve.figures.fivePm')}>
            <input inputMode="decimal" autoComplete="off" placeholder="65.00" />
          </Field>
          <Field form={figures} name="final" label={t('curve.figures.final')}>
            <input inputMode="decimal" autoComplete="off" placeholder="73.69" />
          </Field>
          <button type="submit" className="button primary" disabled={busy}>
            {t('curve.figures.submit')}
          </button>
        </Form>
      </section>

      <section aria-labelledby="curve-history-title" className="panel narrow-panel">
        <h2 id="curve-history-title">{t('curve.history.title')}</h2>
        <FormAlert form={history} />
        <Form method="post" action="?intent=history" className="stack">
          <CsrfInput />
          <Field form={history} name="history" label={t('curve.history.label')} hint={t('curve.history.hint')}>
            <textarea rows={8} autoComplete="off" placeholder={'09:00, 1200\n12:00, 4100\n…\n20:00, 9800'} />
          </Field>
          <button type="submit" className="button primary" disabled={busy}>
            {t('curve.history.submit')}
          </button>
        </Form>
      </section>
    </section>
  );
}
