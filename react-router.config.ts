import type { Config } from '@react-router/dev/config';

export default {
  // Server-rendered: pages work before any JavaScript arrives, which matters on a weak phone signal.
  ssr: true,
  // Every page's route list comes with the first page, rather than asked for link by link
  // (/__manifest): a watcher's page opened from the phone with no network still finds its links.
  // Relance has a handful of routes, so the list is small.
  routeDiscovery: { mode: 'initial' },
} satisfies Config;
