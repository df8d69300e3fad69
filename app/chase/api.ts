/**
 * The chase pages' calls to the JSON API (docs/api.md) with the page's session cookie: the parts
 * that live on one screen while a call or a preview goes on, without reloading the page.
 */

export interface ApiAnswer<T> {
  ok: boolean;
  status: number;
  body: T | null;
  /** The API's error, when it answered one (`{ error: { code, message, field } }`). */
  error: { code: string; message: string; field?: string } | null;
}

export async function callApi<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    return { ok: false, status: 0, body: null, error: { code: 'network', message: '' } };
  }
  const parsed = (await response.json().catch(() => null)) as (T & { error?: ApiAnswer<T>['error'] }) | null;
  return {
    ok: response.ok,
    status: response.status,
    body: response.ok ? parsed : null,
    error: response.ok ? null : (parsed?.error ?? { code: String(response.status), message: '' }),
  };
}
