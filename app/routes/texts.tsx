import { useEffect, useState } from 'react';
import { Form, Link, redirect, useNavigation } from 'react-router';
import type { SmsTemplateSummary, TemplateSample } from '../../server/messaging/sms.templates.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState, type FormState } from '../forms.ts';
import { formatDateTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import { measureText, previewText, TextPreview } from '../texts/text-preview.tsx';
import type { Route } from './+types/texts';

export async function loader({ context, request }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageTexts);
  const [templates, sample] = await Promise.all([
    context.services.smsTemplates.list(principal),
    context.services.smsTemplates.sample(principal),
  ]);
  const search = new URL(request.url).searchParams;
  // A template archived meanwhile (or never there) leaves the editor on a new template.
  const editing = templates.find((template) => String(template.id) === search.get('template') && !template.archivedAt) ?? null;
  return {
    templates,
    sample,
    editing,
    saved: search.get('saved') === '1',
    templateForm: context.forms.smsTemplate.contract,
    fields: Object.keys(sample.facts),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.manageTexts);
  // Two forms post here: "archive" on a template, and the editor (a new template, or one edited).
  if (new URL(request.url).searchParams.get('intent') === 'archive') {
    return context.submit(request, context.forms.smsTemplateArchive, async ({ templateId }) => {
      const template = await context.services.smsTemplates.archive(principal, templateId);
      return { ok: true as const, intent: 'archive' as const, name: template.name };
    });
  }
  return context.submit(request, context.forms.smsTemplate, async ({ templateId, ...input }) => {
    const template = templateId
      ? await context.services.smsTemplates.update(principal, templateId, input)
      : await context.services.smsTemplates.create(principal, input);
    // To the saved template, so that a reload does not post it again.
    return redirect(`/texts?template=${template.id}&saved=1`);
  });
}

export default function Texts({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const { templates, sample, editing } = loaderData;
  const inUse = templates.filter((template) => !template.archivedAt);
  const archived = templates.filter((template) => template.archivedAt);
  // One alert for both forms, in the editor: archiving fails only when the template is gone.
  const templateForm = formState(loaderData.templateForm, actionData);
  return (
    <section className="page texts" aria-labelledby="texts-title">
      <title>{`${t('texts.title')} — Relance`}</title>
      <h1 id="texts-title">{t('texts.title')}</h1>
      <p>{t('texts.intro')}</p>

      {loaderData.saved && editing && (
        <p className="alert alert-success" role="status">
          {t('texts.saved', { name: editing.name })}
        </p>
      )}
      {actionData && 'intent' in actionData && actionData.intent === 'archive' && (
        <p className="alert alert-success" role="status">
          {t('texts.archivedDone', { name: actionData.name })}
        </p>
      )}

      <div className="texts-layout">
        <section className="panel" aria-labelledby="texts-in-use">
          <h2 id="texts-in-use">{t('texts.inUse')}</h2>
          {inUse.length === 0 ? (
            <p>{t('texts.none')}</p>
          ) : (
            <ul className="texts-list">
              {inUse.map((template) => (
                <TemplateRow key={template.id} template={template} sample={sample} current={template.id === editing?.id} />
              ))}
            </ul>
          )}
          {archived.length > 0 && (
            <details className="texts-archived">
              <summary>{t('texts.archived', { count: archived.length })}</summary>
              <ul className="texts-list">
                {archived.map((template) => (
                  <TemplateRow key={template.id} template={template} sample={sample} current={false} />
                ))}
              </ul>
            </details>
          )}
        </section>

        <Editor key={editing?.id ?? 'new'} form={templateForm} editing={editing} sample={sample} fields={loaderData.fields} />
      </div>
    </section>
  );
}

function TemplateRow({ template, sample, current }: { template: SmsTemplateSummary; sample: TemplateSample; current: boolean }) {
  const t = useT();
  const locale = useLocale();
  const { segments, encoding } = measureText(previewText(template.body, sample));
  return (
    <li className="texts-row" aria-current={current || undefined}>
      <div className="texts-row-heading">
        <h3>{template.name}</h3>
        <span className="texts-segments">{t('texts.segmentsOf', { segments, encoding })}</span>
      </div>
      <p className="texts-body">{template.body}</p>
      <p className="hint">
        {formatDateTime(locale, template.updatedAt)}
        {template.createdBy && ` · ${t('texts.by', { name: template.createdBy })}`}
      </p>
      {!template.archivedAt && (
        <div className="row-actions">
          <Link
            className="button small"
            to={`/texts?template=${template.id}#texts-editor`}
            aria-label={t('texts.editFor', { name: template.name })}
          >
            {t('texts.edit')}
          </Link>
          <Form method="post" action="?intent=archive">
            <CsrfInput />
            <input type="hidden" name="templateId" value={template.id} />
            <button type="submit" className="button small" aria-label={t('texts.archiveFor', { name: template.name })}>
              {t('texts.archive')}
            </button>
          </Form>
        </div>
      )}
    </li>
  );
}

function Editor({
  form,
  editing,
  sample,
  fields,
}: {
  form: FormState<'name' | 'body' | 'templateId'>;
  editing: SmsTemplateSummary | null;
  sample: TemplateSample;
  fields: string[];
}) {
  const t = useT();
  const navigation = useNavigation();
  // The preview follows what is typed once JavaScript runs; before, it shows the saved text.
  const [body, setBody] = useState(editing?.body ?? '');
  // Set once hydrated: from then on the preview and the counter follow what is typed.
  const [live, setLive] = useState(false);
  useEffect(() => setLive(true), []);
  const maxLength = form.contract.fields.body.maxLength ?? 0;
  return (
    <section id="texts-editor" className="panel texts-editor" aria-labelledby="texts-editor-title" data-texts-ready={live || undefined}>
      <h2 id="texts-editor-title">{editing ? t('texts.editing', { name: editing.name }) : t('texts.new')}</h2>
      {editing && (
        <p>
          <Link to="/texts">{t('texts.writeNew')}</Link>
        </p>
      )}
      <FormAlert form={form} />
      <Form method="post" action="/texts" className="stack">
        <CsrfInput />
        {editing && <input type="hidden" name="templateId" value={editing.id} />}
        <Field form={form} name="name" label={t('texts.name')}>
          <input autoComplete="off" defaultValue={editing?.name ?? ''} />
        </Field>
        <Field
          form={form}
          name="body"
          label={t('texts.body')}
          hint={t('texts.bodyHint', { max: maxLength, fields: fields.map((field) => `{${field}}`).join(' ') })}
        >
          <textarea rows={6} defaultValue={editing?.body ?? ''} onChange={(event) => setBody(event.target.value)} />
        </Field>
        <button type="submit" className="button primary" disabled={navigation.state === 'submitting'}>
          {t('texts.save')}
        </button>
      </Form>
      <TextPreview body={body} sample={sample} id="texts-preview" />
    </section>
  );
}
