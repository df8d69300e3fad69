import { useRouteLoaderData } from 'react-router';

/** The form token every state-changing form carries (checked by context.requireCsrf). */
export function CsrfInput() {
  const root = useRouteLoaderData('root') as { csrfToken?: string } | undefined;
  return <input type="hidden" name="csrf" value={root?.csrfToken ?? ''} />;
}
