import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formTokenFor } from '../../server/auth/auth.secrets.ts';
import type { Role } from '../../server/auth/auth.roles.ts';
import { SMALL_ELECTION } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/** The /texts page as the server renders it, before any JavaScript: counts, warnings, roles, saving. */

let t: TestServices;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  t = await openTestServices();
  // No SMS_SENDER_NAME: texts are signed with the election's name, whose em dash is not GSM-7.
  await t.services.imports.election({ ...SMALL_ELECTION, name: 'Ville — 1er tour' }, null);
  server = await startTestServer(t.services, { pages: true });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

async function page(role: Role) {
  const { cookie, sessionToken, principal } = await signedIn(t.services, role);
  const headers = { Cookie: cookie, 'Accept-Language': 'en' };
  return {
    principal,
    async get(path: string) {
      const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
      return { status: response.status, html: await response.text(), location: response.headers.get('location') };
    },
    async post(path: string, fields: Record<string, string>) {
      const body = new URLSearchParams({ csrf: formTokenFor(sessionToken), ...fields });
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body, redirect: 'manual' });
      return { status: response.status, html: await response.text(), location: response.headers.get('location') };
    },
  };
}

const figure = (html: string, id: string) => new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

describe('the /texts page', () => {
  it('counts the saved text as sent, and says when the sender’s name forces UCS-2', async () => {
    const coordinator = await page('coordinator');
    const template = await t.services.smsTemplates.create(coordinator.principal, { name: 'Court', body: 'Votez {firstName} !' });
    const { status, html } = await coordinator.get(`/texts?template=${template.id}`);
    expect(status).toBe(200);
    // "Votez Camille !", a line break, "Ville — 1er tour. STOP pour ne plus recevoir de SMS".
    expect([figure(html, 'text-encoding'), figure(html, 'text-characters'), figure(html, 'text-segments')]).toEqual(['UCS-2', '67', '1']);
    expect(html).toContain('The sender’s name, “Ville — 1er tour”, which ends every text, has characters outside GSM-7 (—)');
    expect(html).not.toContain('data-testid="text-ucs2"');
  });

  it('saves a template posted as a plain form, and sends the browser to it', async () => {
    const coordinator = await page('coordinator');
    const saved = await coordinator.post('/texts', { name: 'Posted', body: 'Bonjour {firstName}' });
    expect(saved.status).toBe(302);
    const id = Number(/^\/texts\?template=(\d+)&saved=1$/.exec(saved.location ?? '')?.[1]);
    expect(await t.services.db.prisma.smsTemplate.findUniqueOrThrow({ where: { id }, select: { name: true, body: true } })).toEqual({
      name: 'Posted',
      body: 'Bonjour {firstName}',
    });
    const refused = await coordinator.post('/texts', { name: 'Typo', body: 'Bonjour {fistName}' });
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/<textarea[^>]*aria-invalid="true"/);
  });

  it('is refused to volunteers and viewers, and sends the signed-out to sign in', async () => {
    // Watchers too (tests/integration/sms-templates.test.ts): this election has no station to give them.
    for (const role of ['volunteer', 'viewer'] as const) {
      expect([role, (await (await page(role)).get('/texts')).status]).toEqual([role, 403]);
      expect([role, (await (await page(role)).post('/texts', { name: 'No', body: 'No' })).status]).toEqual([role, 403]);
    }
    const visitor = await fetch(`${server.url}/texts`, { redirect: 'manual' });
    expect([visitor.status, visitor.headers.get('location')]).toEqual([302, '/login?next=%2Ftexts']);
  });
});
