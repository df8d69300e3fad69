import type { ReactNode } from 'react';
import { Form, NavLink, useLocation } from 'react-router';
import type { Role } from '../../server/auth/auth.roles.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { NAVIGATION } from '../navigation.ts';
import { forgetOfflinePages } from '../watch/offline.ts';
import { CsrfInput } from './csrf-input.tsx';

export interface ShellUser {
  name: string;
  role: Role;
}

function LanguageSwitch() {
  const t = useT();
  const locale = useLocale();
  const location = useLocation();
  return (
    <Form method="post" action="/language" className="language-switch" aria-label={t('language.label')}>
      <CsrfInput />
      <input type="hidden" name="next" value={location.pathname + location.search} />
      {(['fr', 'en'] as const).map((option) => (
        <button
          key={option}
          type="submit"
          name="locale"
          value={option}
          lang={option}
          aria-pressed={locale === option}
          className="link-button"
        >
          {t(`language.${option}`)}
        </button>
      ))}
    </Form>
  );
}

/** Header, role navigation and main landmark around every page. */
export function AppShell({ user, children }: { user: ShellUser | null; children: ReactNode }) {
  const t = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="masthead">
        <div className="masthead-inner">
          <a href="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              R
            </span>
            <span>
              <span className="brand-name">{t('app.name')}</span>
              <span className="brand-tagline">{t('app.tagline')}</span>
            </span>
          </a>
          {user && (
            <nav aria-label={t('nav.label')} className="main-nav">
              <ul>
                {NAVIGATION[user.role].map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to}>{t(item.label)}</NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <div className="masthead-tools">
            <LanguageSwitch />
            {user && (
              <Form method="post" action="/logout" className="sign-out" onSubmit={() => void forgetOfflinePages()}>
                <CsrfInput />
                <span className="signed-in-as">{t('nav.signedInAs', { name: user.name, role: t(`role.${user.role}`) })}</span>
                <button type="submit" className="link-button">
                  {t('nav.signOut')}
                </button>
              </Form>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
