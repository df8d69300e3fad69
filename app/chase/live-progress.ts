import { useState } from 'react';
import type { ListProgress } from '../../server/chase/chase.progress.ts';
import { useChaseSocket } from './live-chase.ts';

/**
 * Coordinators' pages: each list's progress as the loader gave it, replaced by every
 * `chase:progress` the war room's channel (/live) sends.
 */
export function useLiveProgress(initial: readonly ListProgress[]) {
  const [progress, setProgress] = useState(() => new Map(initial.map((figures) => [figures.listId, figures])));
  const status = useChaseSocket('/live', {
    progress: (figures) => setProgress((known) => new Map(known).set(figures.listId, figures)),
  });
  return { progressOf: (listId: number) => progress.get(listId), status };
}

/** A loader's guard for a list or team that is not there: the not-found page rather than an error. */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'not_found';
}
