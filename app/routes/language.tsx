import { redirect } from 'react-router';
import { formValues } from '../form-errors.ts';
import type { Route } from './+types/language';

export async function loader() {
  throw redirect('/');
}

/** Remembers the chosen language in a cookie and, for a signed-in person, in their profile. */
export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  context.requireCsrf(form);
  const parsed = context.schemas.LanguageFormSchema.safeParse(formValues(form));
  if (!parsed.success) throw redirect('/');
  const { principal } = context;
  if (principal?.kind === 'user') await context.services.accounts.setLocale(principal.id, parsed.data.locale);
  return redirect(parsed.data.next ?? '/', { headers: { 'Set-Cookie': context.cookies.locale(parsed.data.locale) } });
}
