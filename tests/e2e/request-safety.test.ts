import http from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';
import { createAdmin, PlainBrowser, request, signedInAdmin, type Answer } from './plain-browser.ts';

const server = inject('e2e');

/** Every page that takes a form post, and every API route. */
const PAGE_ACTIONS = ['/login', '/invite/some-link', '/logout', '/language', '/admin/users'];
const API_ROUTES = ['/api/v1/turnout', '/api/v1/no-such-route'];

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: server?.baseUrl ?? '' };

/** A malformed request, and the status it must get. */
interface BadInput {
  name: string;
  status: number;
  code: string;
  send(path: string): Promise<Answer>;
}

const PAGE_INPUTS: BadInput[] = [
  { name: 'the TRACE method', status: 405, code: 'method_not_allowed', send: (path) => request(path, 'TRACE', {}) },
  {
    name: 'a JSON body',
    status: 415,
    code: 'unsupported_media_type',
    send: (path) => request(path, 'POST', { ...FORM, 'content-type': 'application/json' }, '{"csrf":"x"}'),
  },
  {
    name: 'a body without its length',
    status: 411,
    code: 'length_required',
    send: (path) => request(path, 'POST', { ...FORM, 'transfer-encoding': 'chunked' }, 'csrf=x'),
  },
  {
    name: 'a body over the form limit',
    status: 413,
    code: 'too_large',
    send: (path) => request(path, 'POST', FORM, `csrf=${'x'.repeat(100 * 1024)}`),
  },
];

const API_INPUTS: BadInput[] = [
  {
    name: 'an unknown charset',
    status: 415,
    code: 'unsupported_charset',
    send: (path) => request(path, 'POST', { 'content-type': 'application/json; charset=klingon' }, '{}'),
  },
  {
    name: 'an unknown content encoding',
    status: 415,
    code: 'unsupported_encoding',
    send: (path) => request(path, 'POST', { 'content-type': 'application/json', 'content-encoding': 'br2' }, '{}'),
  },
  {
    name: 'malformed JSON',
    status: 400,
    code: 'invalid_json',
    send: (path) => request(path, 'POST', { 'content-type': 'application/json' }, '{'),
  },
  {
    name: 'a body over the API limit',
    status: 413,
    code: 'too_large',
    send: (path) => request(path, 'POST', { 'content-type': 'application/json' }, JSON.stringify({ note: 'x'.repeat(1_100_000) })),
  },
];

/** A 4xx in the documented shape, and nothing of the server's insides. */
function expectRefusal(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(JSON.parse(answer.html)).toEqual({ error: { code, message: expect.any(String), field: null } });
  expect(answer.html).not.toContain(PROJECT_ROOT);
}

// Without Chromium (outside CI) the global setup starts no server: it printed why.
describe.runIf(server)('malformed requests get a clear 4xx, never a 500 or a stack trace', () => {
  it.each(PAGE_ACTIONS.flatMap((path) => PAGE_INPUTS.map((input) => [path, input.name, input] as const)))(
    'page %s, %s',
    async (path, _name, input) => {
      expectRefusal(await input.send(path), input.status, input.code);
    },
  );

  it.each(API_ROUTES.flatMap((path) => API_INPUTS.map((input) => [path, input.name, input] as const)))(
    'API %s, %s',
    async (path, _name, input) => {
      expectRefusal(await input.send(path), input.status, input.code);
    },
  );

  it('answers an address with a broken %-escape with a 4xx, pages and API alike', async () => {
    for (const path of ['/%', '/admin/%zz']) expectRefusal(await request(path, 'GET', {}), 400, 'invalid_path');
    expectRefusal(await request('/api/v1/%', 'GET', {}), 404, 'not_found');
  });

  it('answers an empty post with the expired-form page, or sign-in first where the page needs it', async () => {
    for (const path of PAGE_ACTIONS.filter((path) => path !== '/admin/users')) {
      const answer = await request(path, 'POST', { ...FORM, 'content-length': '0' });
      expect([path, answer.status]).toEqual([path, 403]);
      expect(answer.html).toContain('form_expired');
    }
    const admin = await request('/admin/users', 'POST', { ...FORM, 'content-length': '0' });
    expect([admin.status, admin.location]).toEqual([302, '/login?next=%2Fadmin%2Fusers']);
  });

  it('answers a multipart form whose parts do not match its boundary with 422', async () => {
    const answer = await request('/login', 'POST', { ...FORM, 'content-type': 'multipart/form-data; boundary=abc' }, 'not multipart');
    expect(answer.status).toBe(422);
    expect(answer.html).not.toContain(PROJECT_ROOT);
  });

  it('refuses a huge form post from its headers alone, without reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = http.request(`${server!.baseUrl}/login`, {
        method: 'POST',
        headers: { ...FORM, 'content-length': String(400 * 1024 * 1024) },
        agent: false,
      });
      outgoing.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
        outgoing.destroy();
      });
      outgoing.on('error', reject);
      outgoing.write('csrf=');
    });
    expect(status).toBe(413);
  });

  it('drops a return address with a line break instead of answering 500', async () => {
    const visitor = new PlainBrowser();
    const answer = await visitor.post('/login', { ...createAdmin(), next: '/admin/users\r\nSet-Cookie: planted=1' });
    expect([answer.status, answer.location]).toEqual([302, '/dashboard']);
    expect(answer.setCookie.join('\n')).not.toContain('planted');
  });
});

describe.runIf(server)('pages with secrets are never cached', () => {
  it('answers every page, and above all the one showing a sign-in link and PIN, with no-store', async () => {
    expect((await new PlainBrowser().get('/login')).headers['cache-control']).toBe('no-store');
    const admin = await signedInAdmin();
    const users = await admin.get('/admin/users');
    const userId = /name="userId" value="(\d+)"/.exec(users.html)![1]!;
    const link = await admin.post('/admin/users?intent=link', { userId });
    expect(link.html).toContain('/invite/');
    expect(link.headers['cache-control']).toBe('no-store');
  });
});

describe.runIf(server)('the form token is bound to the session', () => {
  it('refuses a form token made up by whoever can write the cookie (double submit)', async () => {
    const planted = 'p'.repeat(43);
    const answer = await request(
      '/login',
      'POST',
      { ...FORM, cookie: `relance_csrf=${planted}` },
      `csrf=${planted}&email=a%40b.example&password=x`,
    );
    expect(answer.status).toBe(403);
  });

  it('refuses one session’s form token in another session, and changes it at sign-in', async () => {
    const first = await signedInAdmin();
    const second = await signedInAdmin();
    await first.get('/admin/users');
    await second.get('/admin/users');
    expect(first.formToken).not.toBe(second.formToken);
    const crossed = await second.post('/admin/users', { name: 'Crossed', role: 'viewer' }, { csrf: first.formToken! });
    expect(crossed.status).toBe(403);

    const visitor = new PlainBrowser();
    await visitor.get('/login');
    const beforeSignIn = visitor.formToken;
    expect((await visitor.post('/login', createAdmin())).status).toBe(302);
    await visitor.get('/admin/users');
    expect(visitor.formToken).not.toBe(beforeSignIn);
  });
});
