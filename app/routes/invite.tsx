import { Form, redirect, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { useT } from '../i18n/i18n.ts';
import { homePath } from '../navigation.ts';
import type { Route } from './+types/invite';

/**
 * A one-time sign-in link. Opening it changes nothing (link previews in messaging apps open links
 * too); signing in takes a deliberate submit, with the PIN when the link has one.
 */
export async function loader({ params, context }: Route.LoaderArgs) {
  return { link: await context.services.auth.inspectLink(params.token), form: context.forms.invite.contract };
}

/** A link that can no longer be used fails here too; the page, loaded again, says why. */
/** Keeps the action's Retry-After on the page's answer (React Router drops headers it is not given here). */
export function headers({ actionHeaders }: Route.HeadersArgs) {
  return actionHeaders;
}

export async function action({ request, params, context }: Route.ActionArgs) {
  return context.submit(request, context.forms.invite, async ({ pin }) => {
    const { sessionToken, expiresAt, principal } = await context.services.auth.redeemLink(params.token, pin, context.clientIp);
    return redirect(homePath(principal.role), { headers: { 'Set-Cookie': context.cookies.session(sessionToken, expiresAt) } });
  });
}

export default function Invite({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const navigation = useNavigation();
  const { link } = loaderData;
  const form = formState(loaderData.form, actionData);
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
          <FormAlert form={form} />
          <Form method="post" className="stack">
            <CsrfInput />
            {link.needsPin && (
              <Field form={form} name="pin" label={t('invite.pin')} hint={t('invite.pinHelp')}>
                <input className="pin-input" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
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
