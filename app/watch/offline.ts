import { useEffect, useState } from 'react';

/** The service worker's cache (public/sw.js). */
const OFFLINE_CACHE = 'relance-watch-v1';

export type OfflineReadiness = 'unsupported' | 'preparing' | 'ready' | 'failed';

function ask(worker: ServiceWorker, message: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    worker.postMessage(message, [channel.port2]);
  });
}

/**
 * Registers the watcher pages' service worker (public/sw.js) and has it keep this page and every
 * file it loaded, so that the page opens again with no network.
 */
export function useOfflineReadiness(): OfflineReadiness {
  const [readiness, setReadiness] = useState<OfflineReadiness>('preparing');
  useEffect(() => {
    if (!('serviceWorker' in navigator)) {
      setReadiness('unsupported');
      return;
    }
    let live = true;
    void (async () => {
      try {
        await navigator.serviceWorker.register('/sw.js', { scope: '/' });
        const registration = await navigator.serviceWorker.ready;
        const urls = [
          location.href,
          ...performance
            .getEntriesByType('resource')
            .map((entry) => entry.name)
            .filter((name) => name.startsWith(location.origin)),
        ];
        const answer = await ask(registration.active!, { type: 'keep', urls });
        if (live) setReadiness(answer === 'kept' ? 'ready' : 'failed');
      } catch {
        if (live) setReadiness('failed');
      }
    })();
    return () => {
      live = false;
    };
  }, []);
  return readiness;
}

/** At sign-out: the kept pages go (the browser's own storage API, so it needs no worker running). */
export async function forgetOfflinePages(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(OFFLINE_CACHE);
}
