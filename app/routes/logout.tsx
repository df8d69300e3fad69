import { redirect } from 'react-router';
import type { Route } from './+types/logout';

export async function loader() {
  throw redirect('/');
}

export async function action({ request, context }: Route.ActionArgs) {
  return context.submit(request, context.forms.signOut, async () => {
    if (context.sessionToken) await context.services.auth.signOut(context.sessionToken);
    return redirect('/login', { headers: { 'Set-Cookie': context.cookies.clearSession() } });
  });
}
