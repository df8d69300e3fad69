import { redirect } from 'react-router';
import { homePath } from '../navigation.ts';
import type { Route } from './+types/home';

/** Everyone lands on their role's home page; anyone else on the sign-in page. */
export async function loader({ context }: Route.LoaderArgs) {
  throw redirect(context.principal ? homePath(context.principal.role) : '/login');
}
