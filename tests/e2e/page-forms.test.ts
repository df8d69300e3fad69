import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createAdmin, PlainBrowser, signedInAdmin } from './plain-browser.ts';

const server = inject('e2e');

/** The opening tag of the form control named `name`. */
function control(html: string, name: string): string {
  const tag = new RegExp(`<(input|select)[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`No control named ${name} in the page`);
  return tag;
}

/** The text of the page's alert, without markup. */
const alertText = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1];

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

  it('lets an admin unlock a person locked out by wrong passwords, from the People page', async () => {
    const locked = createAdmin();
    const person = new PlainBrowser();
    for (let i = 0; i < 5; i++) expect((await person.post('/login', { email: locked.email, password: `wrong ${i}` })).status).toBe(401);
    expect((await person.post('/login', locked)).status).toBe(429);

    const admin = await signedInAdmin();
    const row = new RegExp(`<td>${locked.email}</td>.*?action="/admin/users\\?intent=unlock".*?name="userId" value="(\\d+)"`, 's');
    const userId = row.exec((await admin.get('/admin/users')).html)?.[1];
    expect(userId).toBeDefined();
    const unlocked = await admin.post('/admin/users?intent=unlock', { userId: userId! });
    expect([unlocked.status, /role="status">([^<]*)</.exec(unlocked.html)?.[1]]).toEqual([
      200,
      'Test admin can sign in again, from every address.',
    ]);
    expect((await person.post('/login', locked)).status).toBe(302);
  });
});
