import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formTokenFor } from '../../server/auth/auth.secrets.ts';
import { createSmallElection } from '../factories.ts';
import { signedIn } from '../fixtures.ts';
import { openTestServices, startTestServer, type TestServices } from '../setup/services.ts';

/** The admin page that sets the election's turnout curve, through its real loader and actions. */

let t: TestServices;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  t = await openTestServices();
  await createSmallElection(t.services);
  server = await startTestServer(t.services, { pages: true });
});

afterAll(async () => {
  await server.close();
  await t.close();
});

async function page(role: 'admin' | 'coordinator', language: 'en' | 'fr' = 'en') {
  const { cookie, sessionToken } = await signedIn(t.services, role);
  const headers = { Cookie: cookie, 'Accept-Language': language };
  return {
    async get() {
      const response = await fetch(`${server.url}/admin/curve`, { headers, redirect: 'manual' });
      return { status: response.status, html: await response.text() };
    },
    async post(intent: string, fields: Record<string, string>) {
      const response = await fetch(`${server.url}/admin/curve?intent=${intent}`, {
        method: 'POST',
        headers,
        redirect: 'manual',
        body: new URLSearchParams({ csrf: formTokenFor(sessionToken), ...fields }),
      });
      return { status: response.status, html: await response.text() };
    },
  };
}

/** The opening tag of the form control named `name`. */
function control(html: string, name: string): string {
  const tag = new RegExp(`<(input|textarea)[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`No control named ${name} in the page`);
  return tag;
}

const storedCurve = async () => (await t.services.elections.requireCurrent()).turnoutCurve;

describe('the turnout curve page', () => {
  it('shows the curve hour by hour, and sets it from official figures typed the French way', async () => {
    const admin = await page('admin', 'fr');
    const before = await admin.get();
    expect(before.status).toBe(200);
    expect(before.html).toContain('Courbe de participation');
    const saved = await admin.post('figures', { noon: '25,48', fivePm: '65,00', final: '73,69' });
    expect(saved.status).toBe(200);
    expect(saved.html).toContain('La courbe est enregistrée.');
    expect(await storedCurve()).toEqual({ '12': 0.3458, '17': 0.8821 });
    // 12h and 17h as given; 20:00 the close.
    const after = await admin.get();
    expect(after.html).toMatch(/12:00<\/th><td>34,6(&nbsp;|\s| )%/);
    expect(after.html).toMatch(/17:00<\/th><td>88,2(&nbsp;|\s| )%/);
    expect(after.html).toMatch(/20:00<\/th><td>100(&nbsp;|\s| )%/);
  });

  it('sets it from a pasted hourly history, and back to the default', async () => {
    const admin = await page('admin');
    const saved = await admin.post('history', { history: '10:00, 1000\n12h, 2500\n17:00;6000\n20:00 8000\n' });
    expect(saved.status).toBe(200);
    expect(await storedCurve()).toEqual({ '10:00': 0.125, '12:00': 0.3125, '17:00': 0.75, '20:00': 1 });
    const reset = await admin.post('default', {});
    expect(reset.html).toContain('The election uses the default curve again.');
    expect(await storedCurve()).toBeNull();
  });

  it('marks the field to fix and keeps what is stored', async () => {
    const admin = await page('admin');
    const before = await storedCurve();
    const wrong = await admin.post('figures', { noon: '70', fivePm: '65', final: '73.69' });
    expect(wrong.status).toBe(422);
    expect(control(wrong.html, 'fivePm')).toMatch(/aria-invalid="true"/);
    expect(control(wrong.html, 'noon')).not.toMatch(/aria-invalid/);
    expect(wrong.html).toContain('Enter the turnout at 17h, in %, between the one at 12h and the final turnout.');
    const unreadable = await admin.post('history', { history: '10:00, 1000\nnoon: lots' });
    expect(unreadable.status).toBe(422);
    expect(control(unreadable.html, 'history')).toMatch(/aria-invalid="true"/);
    expect(await storedCurve()).toEqual(before);
  });

  it('is for admins only', async () => {
    expect((await (await page('coordinator')).get()).status).toBe(403);
  });
});
