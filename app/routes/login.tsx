import { Form, redirect, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { useT } from '../i18n/i18n.ts';
import { homePath } from '../navigation.ts';
import type { Route } from './+types/login';

export async function loader({ request, context }: Route.LoaderArgs) {
  if (context.principal) throw redirect(homePath(context.principal.role));
  return { next: new URL(request.url).searchParams.get('next') ?? '', form: context.forms.login.contract };
}

/** Keeps the action's Retry-After on the page's answer (React Router drops headers it is not given here). */
export function headers({ actionHeaders }: Route.HeadersArgs) {
  return actionHeaders;
}

export async function action({ request, context }: Route.ActionArgs) {
  return context.submit(request, context.forms.login, async ({ email, password, next }) => {
    const { sessionToken, expiresAt, principal } = await context.services.auth.signInWithPassword(email, password, context.clientIp);
    return redirect(next ?? homePath(principal.role), { headers: { 'Set-Cookie': context.cookies.session(sessionToken, expiresAt) } });
  });
}

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const navigation = useNavigation();
  const form = formState(loaderData.form, actionData);
  return (
    <section className="page narrow" aria-labelledby="login-title">
      <title>{`${t('login.title')} — Relance`}</title>
      <h1 id="login-title">{t('login.title')}</h1>
      <p>{t('login.intro')}</p>
      <FormAlert form={form} />
      <Form method="post" className="stack">
        <CsrfInput />
        <Field form={form} name="email" label={t('login.email')}>
          <input type="email" autoComplete="username" />
        </Field>
        <Field form={form} name="password" label={t('login.password')}>
          <input type="password" autoComplete="current-password" />
        </Field>
        <input type="hidden" name="next" value={loaderData.next} />
        <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
          {t('login.submit')}
        </button>
      </Form>
      <p className="hint">{t('login.inviteHint')}</p>
    </section>
  );
}
