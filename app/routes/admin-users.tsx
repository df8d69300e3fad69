import { data, Form, useNavigation } from 'react-router';
import type { Role } from '../../server/auth/auth.roles.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field } from '../components/field.tsx';
import { errorCode, formValues, invalidFields } from '../form-errors.ts';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/admin-users';

const ROLE_OPTIONS: Role[] = ['watcher', 'volunteer', 'viewer', 'coordinator', 'admin'];
type UserField = 'name' | 'role' | 'email' | 'password' | 'stationCodes';

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.manageUsers);
  return { users: await context.services.accounts.listUsers() };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.manageUsers);
  const form = await request.formData();
  context.requireCsrf(form);
  const values = formValues(form);

  if (values.intent === 'link') {
    const parsed = context.schemas.UserIdFormSchema.safeParse(values);
    if (!parsed.success) throw data({ code: 'invalid_input' }, { status: 400 });
    const link = await context.services.accounts.createInvite(parsed.data.userId, actor);
    return { intent: 'link' as const, name: link.name, url: link.url, pin: link.pin, expiresAt: link.expiresAt.toISOString() };
  }

  const parsed = context.schemas.CreateUserFormSchema.safeParse(values);
  if (!parsed.success) return data({ intent: 'create' as const, fields: invalidFields(parsed.error), created: null }, { status: 400 });
  try {
    const user = await context.services.accounts.createUser(parsed.data, actor);
    return { intent: 'create' as const, fields: [], created: user.name };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'conflict' || code === 'invalid_input') {
      return data({ intent: 'create' as const, fields: [(error as { field?: string }).field ?? 'name'], created: null }, { status: 422 });
    }
    throw error;
  }
}

export default function AdminUsers({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const fields = actionData?.intent === 'create' ? actionData.fields : [];
  const fieldError = (name: UserField) => fields.includes(name) && t(`users.error.${name}`);
  return (
    <section className="page" aria-labelledby="users-title">
      <title>{`${t('users.title')} — Relance`}</title>
      <h1 id="users-title">{t('users.title')}</h1>
      <p>{t('users.intro')}</p>

      {actionData?.intent === 'link' && (
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
      {actionData?.intent === 'create' && actionData.created && (
        <p className="alert alert-success" role="status">
          {t('users.created', { name: actionData.created })}
        </p>
      )}

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
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="link" />
                    <input type="hidden" name="userId" value={user.id} />
                    <button type="submit" className="button small" aria-label={t('users.linkFor', { name: user.name })}>
                      {t('users.link')}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section aria-labelledby="create-title" className="panel narrow-panel">
        <h2 id="create-title">{t('users.create.title')}</h2>
        {fields.length > 0 && (
          <p className="alert alert-error" role="alert">
            {t('form.fix')}
          </p>
        )}
        <Form method="post" className="stack">
          <CsrfInput />
          <input type="hidden" name="intent" value="create" />
          <Field id="user-name" label={t('users.create.name')} error={fieldError('name')}>
            <input name="name" required maxLength={120} autoComplete="off" />
          </Field>
          <Field id="user-role" label={t('users.create.role')} error={fieldError('role')}>
            <select name="role" required defaultValue="watcher">
              {ROLE_OPTIONS.map((role) => (
                <option key={role} value={role}>
                  {t(`role.${role}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="user-email" label={t('users.create.email')} error={fieldError('email')}>
            <input name="email" type="email" autoComplete="off" />
          </Field>
          <Field id="user-password" label={t('users.create.password')} error={fieldError('password')}>
            <input name="password" type="password" minLength={12} autoComplete="new-password" />
          </Field>
          <Field id="user-stationCodes" label={t('users.create.stations')} error={fieldError('stationCodes')}>
            <input name="stationCodes" autoComplete="off" />
          </Field>
          <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
            {t('users.create.submit')}
          </button>
        </Form>
      </section>
    </section>
  );
}
