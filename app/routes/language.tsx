import { redirect } from 'react-router';
import type { Route } from './+types/language';

export async function loader() {
  throw redirect('/');
}

/** Remembers the chosen language in a cookie and, for a signed-in person, in their profile. */
export async function action({ request, context }: Route.ActionArgs) {
  const answer = await context.submit(request, context.forms.language, async ({ locale, next }) => {
    const { principal } = context;
    if (principal?.kind === 'user') await context.services.accounts.setLocale(principal.id, locale);
    return redirect(next ?? '/', { headers: { 'Set-Cookie': context.cookies.locale(locale) } });
  });
  // The language menu has no page of its own to show a failure on.
  return answer instanceof Response ? answer : redirect('/');
}
