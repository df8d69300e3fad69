import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from 'react-router';
import type { Route } from './+types/root';
import { AppShell, type ShellUser } from './components/app-shell.tsx';
import { SimulationBanner, type SimulatedClock } from './components/simulation-banner.tsx';
import { useT, type Locale, type MessageKey } from './i18n/i18n.ts';
import stylesheet from './styles.css?url';

export const links: Route.LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

export async function loader({ context }: Route.LoaderArgs) {
  const { principal } = context;
  const user: ShellUser | null = principal?.kind === 'user' ? { name: principal.name, role: principal.role } : null;
  return {
    locale: context.locale,
    csrfToken: context.csrfToken,
    nonce: context.cspNonce,
    user,
    simulation: user ? await simulatedClock(context) : null,
  };
}

/** The election's clock, when its polling day is a simulation (signed-in pages only: two small queries). */
async function simulatedClock({ services }: Route.LoaderArgs['context']): Promise<SimulatedClock | null> {
  const election = await services.elections.current();
  if (!election) return null;
  const clock = await services.elections.pageClock(election.id);
  return clock.simulation ? { ...clock, simulation: clock.simulation, timezone: election.timezone } : null;
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

/** A route's `handle`: `chrome: false` leaves out the header and navigation (a wall screen). */
interface RouteHandle {
  chrome?: boolean;
}

export default function App({ loaderData }: Route.ComponentProps) {
  const bare = useMatches().some((match) => (match.handle as RouteHandle | undefined)?.chrome === false);
  if (bare) return <Outlet />;
  return (
    <AppShell user={loaderData.user} banner={loaderData.simulation && <SimulationBanner clock={loaderData.simulation} />}>
      <Outlet />
    </AppShell>
  );
}

/** The error page's title and text for each status; a code with its own text (an expired form) wins. */
const PAGE_ERRORS: Record<number, [MessageKey, MessageKey]> = {
  403: ['error.403.title', 'error.403.text'],
  404: ['error.404.title', 'error.404.text'],
  429: ['error.429.title', 'error.429.text'],
};
const CODE_ERRORS: Record<string, MessageKey> = { form_expired: 'error.form_expired' };

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const root = useRouteLoaderData<typeof loader>('root');
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const code = isRouteErrorResponse(error) ? (error.data as { code?: string } | undefined)?.code : undefined;
  const [titleKey, textKey] = PAGE_ERRORS[status] ?? ['error.title', 'error.generic'];
  const title = t(code && CODE_ERRORS[code] ? 'error.title' : titleKey);
  const text = t((code && CODE_ERRORS[code]) || textKey);
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
