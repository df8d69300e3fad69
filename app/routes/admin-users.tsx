import { Form, useNavigation } from 'react-router';
import type { Role } from '../../server/auth/auth.roles.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-users';

const ROLE_OPTIONS: Role[] = ['watcher', 'volunteer', 'viewer', 'coordinator', 'admin'];

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.manageUsers);
  return { users: await context.services.accounts.listUsers(), form: context.forms.createUser.contract };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.manageUsers);
  // Three forms post here: "send a link" and "unlock" on a person's row, and "add a person".
  const intent = new URL(request.url).searchParams.get('intent');
  if (intent === 'unlock') {
    return context.submit(request, context.forms.person, async ({ userId }) => {
      const { name } = await context.services.accounts.unlockSignIn(userId, actor);
      return { ok: true as const, intent: 'unlock' as const, name };
    });
  }
  if (intent === 'link') {
    return context.submit(request, context.forms.person, async ({ userId }) => {
      const link = await context.services.accounts.createInvite(userId, actor);
      return {
        ok: true as const,
        intent: 'link' as const,
        name: link.name,
        url: link.url,
        pin: link.pin,
        expiresAt: link.expiresAt.toISOString(),
      };
    });
  }
  return context.submit(request, context.forms.createUser, async (input) => {
    const user = await context.services.accounts.createUser(input, actor);
    return { ok: true as const, intent: 'create' as const, created: user.name };
  });
}

/** A button on a person's row: its own small form, posted with the person's id. */
function PersonButton({ intent, userId, label, description }: { intent: string; userId: number; label: string; description: string }) {
  return (
    <Form method="post" action={`?intent=${intent}`}>
      <CsrfInput />
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className="button small" aria-label={description}>
        {label}
      </button>
    </Form>
  );
}

export default function AdminUsers({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const form = formState(loaderData.form, actionData);
  return (
    <section className="page" aria-labelledby="users-title">
      <title>{`${t('users.title')} — Relance`}</title>
      <h1 id="users-title">{t('users.title')}</h1>
      <p>{t('users.intro')}</p>

      {actionData?.ok && actionData.intent === 'link' && (
        <div className="alert alert-success" role="status">
          <h2>{t('users.linkFor', { name: actionData.name })}</h2>
          <p>
            <code className="secret">{actionData.url}</code>
          </p>
          {actionData.pin && (
            <p>
              {t('users.pin')} : <code className="secret pin">{actionData.pin}</code>
            </p>
          )}
          <p>{t('users.linkHelp', { expires: formatDateTime(locale, actionData.expiresAt) })}</p>
        </div>
      )}
      {actionData?.ok && actionData.intent === 'create' && (
        <p className="alert alert-success" role="status">
          {t('users.created', { name: actionData.created })}
        </p>
      )}
      {actionData?.ok && actionData.intent === 'unlock' && (
        <p className="alert alert-success" role="status">
          {t('users.unlocked', { name: actionData.name })}
        </p>
      )}
      <FormAlert form={form} />

      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="users-title">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('users.stations')}</th>
              <th scope="col">{t('users.lastSignIn')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('users.link')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {loaderData.users.map((user) => (
              <tr key={user.id}>
                <th scope="row">{user.name}</th>
                <td>{t(`role.${user.role}`)}</td>
                <td>{user.email ?? '—'}</td>
                <td>{user.stationCodes.join(', ') || '—'}</td>
                <td>{user.lastLoginAt ? formatDateTime(locale, user.lastLoginAt) : t('users.never')}</td>
                <td>
                  <div className="row-actions">
                    <PersonButton
                      intent="link"
                      userId={user.id}
                      label={t('users.link')}
                      description={t('users.linkFor', { name: user.name })}
                    />
                    {user.signInLockedUntil && (
                      <PersonButton
                        intent="unlock"
                        userId={user.id}
                        label={t('users.unlock')}
                        description={t('users.unlockFor', { name: user.name })}
                      />
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section aria-labelledby="create-title" className="panel narrow-panel">
        <h2 id="create-title">{t('users.create.title')}</h2>
        <Form method="post" className="stack">
          <CsrfInput />
          <Field form={form} name="name" label={t('users.create.name')}>
            <input autoComplete="off" />
          </Field>
          <Field form={form} name="role" label={t('users.create.role')}>
            <select defaultValue="watcher">
              {ROLE_OPTIONS.map((role) => (
                <option key={role} value={role}>
                  {t(`role.${role}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field form={form} name="email" label={t('users.create.email')}>
            <input type="email" autoComplete="off" />
          </Field>
          <Field form={form} name="password" label={t('users.create.password')}>
            <input type="password" autoComplete="new-password" />
          </Field>
          <Field form={form} name="stationCodes" label={t('users.create.stations')}>
            <input autoComplete="off" />
          </Field>
          <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
            {t('users.create.submit')}
          </button>
        </Form>
      </section>
    </section>
  );
}
