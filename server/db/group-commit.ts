/**
 * Group commit: requests that arrive while a transaction is being committed wait and are written
 * together in the next one. Under load, one transaction carries hundreds of requests; when the
 * server is idle, a request is written at once, alone. Every request is answered only after the
 * transaction that holds it has committed, with its own result or its batch's error.
 */
export function createGroupCommit<Item, Result>(commit: (items: Item[]) => Promise<Result[]>, options: { maxBatch: number }) {
  interface Waiting {
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];
  let committing = false;

  async function drain() {
    committing = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, options.maxBatch);
      waiting = waiting.slice(batch.length);
      try {
        const results = await commit(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]!));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    committing = false;
  }

  return {
    /** Resolves once `items` are committed, with one result per item, in order. */
    submit(items: readonly Item[]): Promise<Result[]> {
      const answers = items.map((item) => new Promise<Result>((resolve, reject) => waiting.push({ item, resolve, reject })));
      if (!committing) void drain();
      return Promise.all(answers);
    },
  };
}
