import { data, Form, redirect, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field } from '../components/field.tsx';
import { errorCode, formValues, invalidFields } from '../form-errors.ts';
import { useT, type MessageKey } from '../i18n/i18n.ts';
import { homePath } from '../navigation.ts';
import type { Route } from './+types/login';

export async function loader({ request, context }: Route.LoaderArgs) {
  if (context.principal) throw redirect(homePath(context.principal.role));
  return { next: new URL(request.url).searchParams.get('next') ?? '' };
}

/** Keeps the action's Retry-After on the page's answer (React Router drops headers it is not given here). */
export function headers({ actionHeaders }: Route.HeadersArgs) {
  return actionHeaders;
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  context.requireCsrf(form);
  const parsed = context.schemas.LoginFormSchema.safeParse(formValues(form));
  if (!parsed.success) return data({ fields: invalidFields(parsed.error), code: null, retryAfterSeconds: null }, { status: 400 });
  try {
    const { sessionToken, expiresAt, principal } = await context.services.auth.signInWithPassword(
      parsed.data.email,
      parsed.data.password,
      context.clientIp,
    );
    return redirect(parsed.data.next ?? homePath(principal.role), {
      headers: { 'Set-Cookie': context.cookies.session(sessionToken, expiresAt) },
    });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'invalid_credentials') return data({ fields: [], code, retryAfterSeconds: null }, { status: 401 });
    if (code === 'too_many_attempts') {
      const { retryAfterSeconds } = error as { retryAfterSeconds: number };
      return data({ fields: [], code, retryAfterSeconds }, { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } });
    }
    throw error;
  }
}

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const navigation = useNavigation();
  const fields = actionData?.fields ?? [];
  const code = actionData?.code;
  return (
    <section className="page narrow" aria-labelledby="login-title">
      <title>{`${t('login.title')} — Relance`}</title>
      <h1 id="login-title">{t('login.title')}</h1>
      <p>{t('login.intro')}</p>
      {code && (
        <p className="alert alert-error" role="alert">
          {t(`login.error.${code}` as MessageKey, { minutes: Math.ceil((actionData.retryAfterSeconds ?? 0) / 60) })}
        </p>
      )}
      <Form method="post" className="stack">
        <CsrfInput />
        <Field id="email" label={t('login.email')} error={fields.includes('email') && t('login.error.email')}>
          <input name="email" type="email" autoComplete="username" required />
        </Field>
        <Field id="password" label={t('login.password')} error={fields.includes('password') && t('login.error.password')}>
          <input name="password" type="password" autoComplete="current-password" required />
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
