import type { Role } from '../server/auth/auth.roles.ts';
import type { MessageKey } from './i18n/i18n.ts';

export interface NavItem {
  to: string;
  label: MessageKey;
}

/** What each role finds in the menu; the first item is their home page. */
export const NAVIGATION: Record<Role, NavItem[]> = {
  admin: [
    { to: '/dashboard', label: 'nav.dashboard' },
    { to: '/watchers', label: 'nav.watchers' },
    { to: '/chase', label: 'chase.nav' },
    { to: '/rides', label: 'chase.rides.nav' },
    { to: '/texts', label: 'texts.nav' },
    { to: '/outbox', label: 'outbox.nav' },
    { to: '/inbox', label: 'nav.inbox' },
    { to: '/admin/users', label: 'nav.users' },
    { to: '/admin/data', label: 'nav.data' },
    { to: '/admin/curve', label: 'nav.curve' },
    { to: '/admin/imports', label: 'nav.imports' },
    { to: '/wall/links', label: 'wall.links.nav' },
  ],
  coordinator: [
    { to: '/dashboard', label: 'nav.dashboard' },
    { to: '/watchers', label: 'nav.watchers' },
    { to: '/chase', label: 'chase.nav' },
    { to: '/rides', label: 'chase.rides.nav' },
    { to: '/texts', label: 'texts.nav' },
    { to: '/outbox', label: 'outbox.nav' },
    { to: '/inbox', label: 'nav.inbox' },
    { to: '/wall/links', label: 'wall.links.nav' },
  ],
  viewer: [{ to: '/dashboard', label: 'nav.dashboard' }],
  watcher: [{ to: '/watch', label: 'nav.watch' }],
  volunteer: [{ to: '/calls', label: 'nav.calls' }],
};

export function homePath(role: Role): string {
  return NAVIGATION[role][0]!.to;
}
