import { data, Form, redirect, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field } from '../components/field.tsx';
import { errorCode, formValues } from '../form-errors.ts';
import { useT } from '../i18n/i18n.ts';
import { homePath } from '../navigation.ts';
import type { Route } from './+types/invite';

/**
 * A one-time sign-in link. Opening it changes nothing (link previews in messaging apps open links
 * too); signing in takes a deliberate submit, with the PIN when the link has one.
 */
export async function loader({ params, context }: Route.LoaderArgs) {
  return context.services.auth.inspectLink(params.token);
}

/** Keeps the action's Retry-After on the page's answer (React Router drops headers it is not given here). */
export function headers({ actionHeaders }: Route.HeadersArgs) {
  return actionHeaders;
}

export async function action({ request, params, context }: Route.ActionArgs) {
  const form = await request.formData();
  context.requireCsrf(form);
  // The form has a PIN box only when the link needs one; a badly typed PIN costs no attempt.
  let pin: string | undefined;
  if (form.has('pin')) {
    const parsed = context.schemas.PinFormSchema.safeParse(formValues(form));
    if (!parsed.success) return data({ error: 'format' as const, attemptsLeft: null }, { status: 400 });
    pin = parsed.data.pin;
  }
  try {
    const { sessionToken, expiresAt, principal } = await context.services.auth.redeemLink(params.token, pin, context.clientIp);
    return redirect(homePath(principal.role), { headers: { 'Set-Cookie': context.cookies.session(sessionToken, expiresAt) } });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'wrong_pin') {
      return data({ error: 'wrong_pin' as const, attemptsLeft: (error as { attemptsLeft: number }).attemptsLeft }, { status: 401 });
    }
    // Otherwise the link itself cannot be used: the page, loaded again, says why.
    if (code === 'invalid_credentials') return data({ error: 'refused' as const, attemptsLeft: null }, { status: 401 });
    if (code === 'too_many_attempts') {
      const { retryAfterSeconds } = error as { retryAfterSeconds: number };
      return data(
        { error: 'too_many_attempts' as const, attemptsLeft: null, retryAfterSeconds },
        { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
      );
    }
    throw error;
  }
}

export default function Invite({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const navigation = useNavigation();
  const link = loaderData;
  return (
    <section className="page narrow" aria-labelledby="invite-title">
      <title>{`${t('invite.title')} — Relance`}</title>
      <h1 id="invite-title">{t('invite.title')}</h1>
      {link.state !== 'ready' ? (
        <p className="alert alert-error" role="alert">
          {t(`invite.state.${link.state}`)}
        </p>
      ) : (
        <>
          <p>{t('invite.greeting', { name: link.name })}</p>
          <p>{link.needsPin ? t('invite.pinIntro') : t('invite.linkIntro')}</p>
          {actionData?.error === 'wrong_pin' && (
            <p className="alert alert-error" role="alert">
              {t('invite.error.wrongPin', { left: actionData.attemptsLeft ?? 0 })}
            </p>
          )}
          {actionData?.error === 'too_many_attempts' && (
            <p className="alert alert-error" role="alert">
              {t('login.error.too_many_attempts', { minutes: Math.ceil(actionData.retryAfterSeconds / 60) })}
            </p>
          )}
          <Form method="post" className="stack">
            <CsrfInput />
            {link.needsPin && (
              <Field
                id="pin"
                label={t('invite.pin')}
                hint={t('invite.pinHelp')}
                error={actionData?.error === 'format' && t('invite.error.pin')}
              >
                <input
                  name="pin"
                  className="pin-input"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxLength={6}
                  required
                />
              </Field>
            )}
            <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
              {link.needsPin ? t('invite.submit') : t('invite.continue')}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
