import { Form, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/wall-links';

export async function loader({ context }: Route.LoaderArgs) {
  context.requireRole(context.access.manageWallScreens);
  return {
    links: await context.services.accounts.listWallScreenLinks(),
    createForm: context.forms.wallScreenLink.contract,
    revokeForm: context.forms.wallScreenRevoke.contract,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const actor = context.requireRole(context.access.manageWallScreens);
  // Two forms post here: "revoke" on a link's row, and "create a link".
  if (new URL(request.url).searchParams.get('intent') === 'revoke') {
    return context.submit(request, context.forms.wallScreenRevoke, async ({ tokenId }) => {
      const { name } = await context.services.accounts.revokeApiToken(tokenId, actor, { wallScreensOnly: true });
      return { ok: true as const, intent: 'revoke' as const, label: name };
    });
  }
  return context.submit(request, context.forms.wallScreenLink, async ({ label }) => {
    const link = await context.services.accounts.createWallScreenLink(label, actor);
    return { ok: true as const, intent: 'create' as const, label: link.label, url: link.url };
  });
}

export default function WallLinks({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const createForm = formState(loaderData.createForm, actionData);
  return (
    <section className="page" aria-labelledby="wall-links-title">
      <title>{`${t('wall.links.title')} — Relance`}</title>
      <h1 id="wall-links-title">{t('wall.links.title')}</h1>
      <p>{t('wall.links.intro')}</p>

      {actionData?.ok && actionData.intent === 'create' && (
        <div className="alert alert-success" role="status">
          <h2>{t('wall.links.created', { label: actionData.label })}</h2>
          <p>
            <code className="secret">{actionData.url}</code>
          </p>
          <p>{t('wall.links.createdHelp')}</p>
        </div>
      )}
      {actionData?.ok && actionData.intent === 'revoke' && (
        <p className="alert alert-success" role="status">
          {t('wall.links.revoked', { label: actionData.label })}
        </p>
      )}
      <FormAlert form={createForm} />

      {loaderData.links.length === 0 ? (
        <p>{t('wall.links.none')}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="wall-links-title">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('wall.links.label')}</th>
                <th scope="col">{t('wall.links.createdAt')}</th>
                <th scope="col">{t('wall.links.createdBy')}</th>
                <th scope="col">{t('wall.links.lastUsed')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('wall.links.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {loaderData.links.map((link) => (
                <tr key={link.id}>
                  <th scope="row">{link.label}</th>
                  <td>{formatDateTime(locale, link.createdAt)}</td>
                  <td>{link.createdBy ?? '—'}</td>
                  <td>{link.lastUsedAt ? formatDateTime(locale, link.lastUsedAt) : t('wall.links.never')}</td>
                  <td>
                    <Form method="post" action="?intent=revoke">
                      <CsrfInput />
                      <input type="hidden" name="tokenId" value={link.id} />
                      <button type="submit" className="button small" aria-label={t('wall.links.revokeFor', { label: link.label })}>
                        {t('wall.links.revoke')}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <section aria-labelledby="wall-create-title" className="panel narrow-panel">
        <h2 id="wall-create-title">{t('wall.links.create')}</h2>
        <Form method="post" className="stack">
          <CsrfInput />
          <Field form={createForm} name="label" label={t('wall.links.labelField')} hint={t('wall.links.labelHint')}>
            <input autoComplete="off" />
          </Field>
          <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
            {t('wall.links.submit')}
          </button>
        </Form>
      </section>
    </section>
  );
}
