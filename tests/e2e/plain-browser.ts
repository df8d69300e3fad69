import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { expect, inject } from 'vitest';
import { PROJECT_ROOT } from '../../server/config.ts';

const server = inject('e2e');

export interface Answer {
  status: number;
  html: string;
  location: string | undefined;
  setCookie: string[];
  headers: http.IncomingHttpHeaders;
}

/**
 * One request on a connection of its own: a test waits seconds between requests (the command-line
 * tool), and a kept-alive connection closing at that moment is the network's doing, not Relance's.
 */
export function request(pathname: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
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
          headers: response.headers,
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A browser without JavaScript: it keeps its cookies and posts forms as HTML forms do. */
export class PlainBrowser {
  private cookies = new Map<string, string>();
  /** The form token of the last page shown (every page has one, in its language menu). */
  formToken: string | undefined;

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
    const answer = this.remember(await request(pathname, 'GET', { cookie: this.cookieHeader, 'accept-language': 'en' }));
    this.formToken = /name="csrf" value="([^"]+)"/.exec(answer.html)?.[1] ?? this.formToken;
    return answer;
  }

  /**
   * Posts `fields` as the form on the page `from` does (the page at `pathname` by default), with
   * the form token that page carries.
   */
  async post(pathname: string, fields: Record<string, string>, options: { csrf?: string; from?: string } = {}) {
    await this.get(options.from ?? pathname);
    const body = new URLSearchParams({ csrf: options.csrf ?? this.formToken ?? '', ...fields });
    const headers = {
      cookie: this.cookieHeader,
      'accept-language': 'en',
      origin: server!.baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
    };
    return this.remember(await request(pathname, 'POST', headers, body.toString()));
  }
}

/** An admin of their own, made with the command-line tool against the running server's data. */
export function createAdmin(): { email: string; password: string } {
  const email = `admin.${randomBytes(4).toString('hex')}@test.example`;
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
      'Test admin',
      '--email',
      email,
      '--password-stdin',
    ],
    { input: `${password}\n`, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: server!.dataDir } },
  );
  expect(created.status, created.stderr).toBe(0);
  return { email, password };
}

/** A browser signed in as an admin of its own, through the sign-in form. */
export async function signedInAdmin(): Promise<PlainBrowser> {
  const browser = new PlainBrowser();
  const signIn = await browser.post('/login', createAdmin());
  expect([signIn.status, signIn.location]).toEqual([302, '/dashboard']);
  return browser;
}
