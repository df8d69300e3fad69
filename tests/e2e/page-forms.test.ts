import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';

const server = inject('e2e');

interface Answer {
  status: number;
  html: string;
  location: string | undefined;
  setCookie: string[];
}

/**
 * One request on a connection of its own: a test waits seconds between requests (the command-line
 * tool), and a kept-alive connection closing at that moment is the network's doing, not Relance's.
 */
function request(pathname: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(`${server!.baseUrl}${pathname}`, { method, headers, agent: false }, (response) => {
      let html = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (html += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode!,
          html,
          location: response.headers.location,
          setCookie: response.headers['set-cookie'] ?? [],
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A browser without JavaScript: it keeps its cookies and posts forms as HTML forms do. */
class PlainBrowser {
  private cookies = new Map<string, string>();

  private remember(answer: Answer) {
    for (const line of answer.setCookie) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      this.cookies.set(name!, value!);
    }
    return answer;
  }

  private get cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(pathname: string) {
    return this.remember(await request(pathname, 'GET', { cookie: this.cookieHeader, 'accept-language': 'en' }));
  }

  /** Posts `fields` with this browser's form token, as the page's own form does. */
  async post(pathname: string, fields: Record<string, string>, options: { csrf?: string } = {}) {
    if (!this.cookies.has('relance_csrf')) await this.get('/login');
    const body = new URLSearchParams({ csrf: options.csrf ?? this.cookies.get('relance_csrf')!, ...fields });
    const headers = {
      cookie: this.cookieHeader,
      'accept-language': 'en',
      origin: server!.baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
    };
    return this.remember(await request(pathname, 'POST', headers, body.toString()));
  }
}

/** The opening tag of the form control named `name`. */
function control(html: string, name: string): string {
  const tag = new RegExp(`<(input|select)[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`No control named ${name} in the page`);
  return tag;
}

/** The text of the page's alert, without markup. */
const alertText = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1];

/** An admin of their own, made with the command-line tool against the running server's data. */
async function signedInAdmin(): Promise<PlainBrowser> {
  const email = `forms.${randomBytes(4).toString('hex')}@test.example`;
  const password = 'a long enough password';
  const created = spawnSync(
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'bin', 'relance.js'),
      'users',
      'create',
      '--role',
      'admin',
      '--name',
      'Forms admin',
      '--email',
      email,
      '--password-stdin',
    ],
    { input: `${password}\n`, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: server!.dataDir } },
  );
  expect(created.status, created.stderr).toBe(0);
  const browser = new PlainBrowser();
  const signIn = await browser.post('/login', { email, password });
  expect([signIn.status, signIn.location]).toEqual([302, '/dashboard']);
  return browser;
}

// Without Chromium (outside CI) the global setup starts no server: it printed why.
describe.runIf(server)('page forms: one contract from the schema, one way to fail', () => {
  it('gives each field the HTML constraints its schema checks on the server', async () => {
    const admin = await signedInAdmin();
    const { html } = await admin.get('/admin/users');
    expect(control(html, 'name')).toMatch(/required=""/);
    expect(control(html, 'name')).toMatch(/minLength="1"/i);
    expect(control(html, 'name')).toMatch(/maxLength="120"/i);
    expect(control(html, 'password')).toMatch(/minLength="12"/i);
    expect(control(html, 'password')).toMatch(/maxLength="200"/i);
    expect(control(html, 'password')).not.toMatch(/required/);
    expect(control(html, 'role')).toMatch(/required=""/);

    const login = await new PlainBrowser().get('/login');
    expect(control(login.html, 'email')).toMatch(/required=""/);
  });

  it('answers a field to fix with 422, the field marked and its message', async () => {
    const visitor = new PlainBrowser();
    const answer = await visitor.post('/login', { email: 'not an email', password: 'whatever' });
    expect(answer.status).toBe(422);
    expect(control(answer.html, 'email')).toMatch(/aria-invalid="true"/);
    expect(control(answer.html, 'password')).not.toMatch(/aria-invalid/);
    expect(answer.html).toContain('Enter a valid email address.');
    expect(alertText(answer.html)).toBe('Please correct the highlighted fields.');
  });

  it('answers wrong credentials with 401 and the form’s own message', async () => {
    const answer = await new PlainBrowser().post('/login', { email: 'nobody@test.example', password: 'wrong password' });
    expect([answer.status, alertText(answer.html)]).toEqual([401, 'Wrong email or password.']);
  });

  it('answers a conflict with 409 on the field in conflict, and keeps what is stored', async () => {
    const admin = await signedInAdmin();
    const person = {
      name: 'Alex',
      role: 'coordinator',
      email: `alex.${randomBytes(3).toString('hex')}@test.example`,
      password: 'another long password',
    };
    expect((await admin.post('/admin/users', person)).status).toBe(200);
    const again = await admin.post('/admin/users', { ...person, name: 'Alex again' });
    expect(again.status).toBe(409);
    expect(control(again.html, 'email')).toMatch(/aria-invalid="true"/);
    expect(again.html).toContain('Admins and coordinators need a valid email address that no one else uses.');
    expect((await admin.get('/admin/users')).html.match(new RegExp(`<td>${person.email}</td>`, 'g'))).toHaveLength(1);
  });

  it('answers an unknown or malformed id with 404 or 422, never a 500', async () => {
    const admin = await signedInAdmin();
    const unknown = await admin.post('/admin/users?intent=link', { userId: '999999' });
    expect([unknown.status, alertText(unknown.html)]).toEqual([
      404,
      'What this form refers to no longer exists. Reload the page and try again.',
    ]);
    expect((await admin.post('/admin/users?intent=link', { userId: 'abc' })).status).toBe(422);
    expect((await admin.post('/admin/users?intent=link', { userId: '99999999999' })).status).toBe(422);
  });

  it('shows the expired-form page, 403, for a form without this browser’s token', async () => {
    const answer = await new PlainBrowser().post('/login', { email: 'a@test.example', password: 'x' }, { csrf: 'x'.repeat(43) });
    expect(answer.status).toBe(403);
    expect(answer.html).toContain('This form has expired. Reload the page and try again.');
  });
});
