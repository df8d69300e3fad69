/**
 * The watcher pages' service worker: they open with no network after a first visit. Only the
 * watcher pages, their data and the app's fingerprinted files are kept; every other page and the
 * API go to the network as usual. What a watcher reports is not kept here but in the page's
 * IndexedDB outbox (app/watch/outbox.ts), which sends it when the network comes back.
 */
// The page empties it at sign-out by this name (app/watch/offline.ts).
const CACHE = 'relance-watch-v1';

const isWatcherPage = (url) => url.pathname === '/watch' || url.pathname.startsWith('/watch/') || url.pathname === '/watch.data';
const isAsset = (url) => url.pathname.startsWith('/assets/') || url.pathname === '/favicon.svg';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** Network first, so a watcher sees the latest figures; the last copy when the network fails. */
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

/** Fingerprinted files never change under the same name: the cached copy is always right. */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (isAsset(url)) event.respondWith(cacheFirst(event.request));
  else if (isWatcherPage(url)) event.respondWith(networkFirst(event.request));
});

self.addEventListener('message', (event) => {
  const { type, urls } = event.data ?? {};
  const port = event.ports[0];
  if (type === 'keep') {
    // The page that registered this worker loaded before it ran: keep that page and its files now.
    const keeping = caches.open(CACHE).then((cache) =>
      Promise.all(
        urls
          .map((href) => new URL(href, self.location.origin))
          .filter((url) => url.origin === self.location.origin && (isWatcherPage(url) || isAsset(url)))
          .map(async (url) => {
            const response = await fetch(url, { credentials: 'same-origin' });
            if (response.ok && !response.redirected) await cache.put(url, response);
          }),
      ),
    );
    event.waitUntil(
      keeping.then(
        () => port?.postMessage('kept'),
        () => port?.postMessage('failed'),
      ),
    );
  }
});
