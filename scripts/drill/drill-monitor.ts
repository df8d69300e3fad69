/**
 * Health as an operator's probes see it while a drill breaks something: every web node's /readyz,
 * sampled a few times a second, and the 5xx answers its /metrics counts.
 */

export interface ReadySample {
  at: number;
  node: number;
  /** The HTTP status, or 0 when the node did not answer (killed, not listening). */
  status: number;
}

const SAMPLE_EVERY_MS = 200;

async function statusOf(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Samples every node's /readyz until stopped; `stop(after)` first waits (up to 15 s) for an answer
 * from each of `nodes` started after `after` (ms), so that the recovery is always seen.
 */
export function sampleReadiness(webUrls: string[]): { stop(after?: number, nodes?: number[]): Promise<ReadySample[]> } {
  const samples: ReadySample[] = [];
  let running = true;
  const loops = webUrls.map(async (url, node) => {
    while (running) {
      const at = Date.now();
      samples.push({ at, node, status: await statusOf(`${url}/readyz`) });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at + SAMPLE_EVERY_MS - Date.now())));
    }
  });
  return {
    async stop(after = 0, nodes = []) {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !nodes.every((node) => samples.some((sample) => sample.node === node && sample.at >= after))) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      running = false;
      await Promise.all(loops);
      return samples.sort((a, b) => a.at - b.at);
    },
  };
}

/**
 * The API's answers by status class as a node's /metrics counts them (the histogram's counts of
 * `kind="api"`), summed over the nodes that answered; null for a node that did not.
 */
export async function apiAnswers(webUrls: string[]): Promise<{ ok: number; serverErrors: number; nodesAnswering: number }> {
  let ok = 0;
  let serverErrors = 0;
  let nodesAnswering = 0;
  await Promise.all(
    webUrls.map(async (url) => {
      try {
        const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(3_000) });
        if (!response.ok) return;
        const text = await response.text();
        nodesAnswering++;
        for (const match of text.matchAll(/^relance_http_request_duration_seconds_count\{([^}]*)\} (\d+)/gm)) {
          const labels = match[1]!;
          if (!labels.includes('kind="api"')) continue;
          if (labels.includes('status="5xx"')) serverErrors += Number(match[2]);
          else if (labels.includes('status="2xx"')) ok += Number(match[2]);
        }
      } catch {
        // a node down: nothing to read
      }
    }),
  );
  return { ok, serverErrors, nodesAnswering };
}

/** Waits until every node in `nodes` answers /readyz with 200. */
export async function waitUntilReady(webUrls: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(webUrls.map((url) => statusOf(`${url}/readyz`)));
    if (statuses.every((status) => status === 200)) return;
    if (Date.now() > deadline) throw new Error(`the web nodes are not ready after ${timeoutMs / 1000} s (/readyz: ${statuses.join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
