import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError, useRouteLoaderData } from 'react-router';
import type { Route } from './+types/root';
import { AppShell, type ShellUser } from './components/app-shell.tsx';
import { useT, type Locale } from './i18n/i18n.ts';
import stylesheet from './styles.css?url';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

export async function loader({ context }: Route.LoaderArgs) {
  const { principal } = context;
  const user: ShellUser | null = principal?.kind === 'user' ? { name: principal.name, role: principal.role } : null;
  return { locale: context.locale, csrfToken: context.csrfToken, nonce: context.cspNonce, user };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const root = useRouteLoaderData<typeof loader>('root');
  const locale: Locale = root?.locale ?? 'fr';
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <meta name="theme-color" content="#16243a" />
        <Meta />
        <Links nonce={root?.nonce} />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={root?.nonce} />
        <Scripts nonce={root?.nonce} />
      </body>
    </html>
  );
}

export default function App({ loaderData }: Route.ComponentProps) {
  return (
    <AppShell user={loaderData.user}>
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const root = useRouteLoaderData<typeof loader>('root');
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const [title, text] =
    status === 403
      ? [t('error.403.title'), t('error.403.text')]
      : status === 404
        ? [t('error.404.title'), t('error.404.text')]
        : isRouteErrorResponse(error) && (error.data as { code?: string } | undefined)?.code === 'form_expired'
          ? [t('error.title'), t('error.form_expired')]
          : [t('error.title'), t('error.generic')];
  return (
    <AppShell user={root?.user ?? null}>
      <title>{`${title} — Relance`}</title>
      <section className="page narrow error-page" aria-labelledby="error-title">
        <p className="error-status">{status}</p>
        <h1 id="error-title">{title}</h1>
        <p>{text}</p>
        <p>
          <a href="/" className="button">
            {t('error.home')}
          </a>
        </p>
      </section>
    </AppShell>
  );
}
