import { afterEach, describe, expect, it } from 'vitest';
import { openTestServices, startTestServer } from '../setup/services.ts';

/** A test server opened with `env`, closed after the test. */
const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()!();
});

async function serverWith(env: Record<string, string>) {
  const t = await openTestServices(env);
  const server = await startTestServer(t.services);
  opened.push(
    () => t.close(),
    () => server.close(),
  );
  return (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
}

const REFUSED = {
  error: {
    code: 'forbidden',
    message:
      'Monitoring is open only to the networks in MONITORING_ALLOW, or with Authorization: Bearer and the MONITORING_TOKEN. Ask the operator of this server.',
    field: null,
  },
};

describe('/metrics and /readyz', () => {
  it('answer this machine and private networks by default, and refuse a public address behind a trusted proxy', async () => {
    const get = await serverWith({ TRUST_PROXY: '1' });
    expect((await get('/metrics')).status).toBe(200);
    expect((await get('/readyz', { 'X-Forwarded-For': '10.20.30.40' })).status).toBe(200);
    expect((await get('/metrics', { 'X-Forwarded-For': '192.168.1.9' })).status).toBe(200);
    const outsider = await get('/metrics', { 'X-Forwarded-For': '198.51.100.7' });
    expect(outsider.status).toBe(403);
    expect(await outsider.json()).toEqual(REFUSED);
    expect((await get('/readyz', { 'X-Forwarded-For': '2001:db8::7' })).status).toBe(403);
  });

  it('answer only the networks in MONITORING_ALLOW; /healthz stays open to load balancers', async () => {
    const get = await serverWith({ MONITORING_ALLOW: '10.0.0.0/8, 2001:db8::/32' });
    for (const path of ['/metrics', '/readyz']) {
      const refused = await get(path);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual(REFUSED);
    }
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('take the address from X-Forwarded-For only behind a trusted proxy (TRUST_PROXY)', async () => {
    const direct = await serverWith({ MONITORING_ALLOW: '203.0.113.0/24' });
    expect((await direct('/metrics', { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(403);
    const proxied = await serverWith({ MONITORING_ALLOW: '203.0.113.0/24', TRUST_PROXY: '1' });
    expect((await proxied('/metrics', { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(200);
    expect((await proxied('/metrics', { 'X-Forwarded-For': '203.0.114.7' })).status).toBe(403);
  });

  it('answer from anywhere with the MONITORING_TOKEN as a bearer token, and refuse another token', async () => {
    const token = 'prometheus-scrape-7f3a9c2e1b';
    const get = await serverWith({ MONITORING_ALLOW: '10.0.0.0/8', MONITORING_TOKEN: token });
    const metrics = await get('/metrics', { Authorization: `Bearer ${token}` });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE');
    expect((await get('/readyz', { Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await get('/metrics', { Authorization: `Bearer ${token}x` })).status).toBe(403);
    expect((await get('/metrics', { Authorization: token })).status).toBe(403);
  });
});
