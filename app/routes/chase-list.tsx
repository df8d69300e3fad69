import { data, Form, Link, useNavigation } from 'react-router';
import type { ChaseListSummary } from '../../server/chase/chase.lists.ts';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState, type FormState } from '../forms.ts';
import { isNotFound, useLiveProgress } from '../chase/live-progress.ts';
import { LiveStatus } from '../chase/live-status.tsx';
import { ProgressBars } from '../chase/progress-bars.tsx';
import { TextListPanel } from '../chase/text-list-panel.tsx';
import { formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/chase-list';

function listIdOf(params: { id?: string }): number {
  const listId = Number(params.id);
  if (!Number.isSafeInteger(listId) || listId <= 0) throw data({ code: 'not_found' }, { status: 404 });
  return listId;
}

export async function loader({ context, params, request }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const listId = listIdOf(params);
  const election = await context.services.elections.requireCurrent();
  try {
    const [list, people, offered, texts] = await Promise.all([
      context.services.chase.lists.get(principal, listId),
      context.services.chase.lists.teams(principal),
      context.services.smsTemplates.offered(principal),
      context.services.sms.outbox(principal, { listId, take: 1 }),
    ]);
    // "Text this list": the plan of the template chosen (?templateId=), when it is still offered.
    const chosen = Number(new URL(request.url).searchParams.get('templateId'));
    const templateId = offered.templates.some((template) => template.id === chosen) ? chosen : null;
    const plan = templateId ? await context.services.sms.planListTexts(principal, listId, templateId) : null;
    return {
      list,
      ...people,
      timeZone: election.timezone,
      templates: offered.templates.map(({ id, name }) => ({ id, name })),
      templateId,
      plan,
      texts: texts.counts,
      textListForm: context.forms.textList.contract,
      splitForm: context.forms.chaseSplit.contract,
      assignForm: context.forms.chaseAssign.contract,
    };
  } catch (error) {
    if (isNotFound(error)) throw data({ code: 'not_found' }, { status: 404 });
    throw error;
  }
}

/**
 * Three forms post here, as plain form posts so they work without JavaScript: who works the list
 * (`?intent=assign`), splitting it (its parts are new lists, linked from the answer), and texting it
 * (`?intent=texts`).
 */
export async function action({ context, params, request }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const listId = listIdOf(params);
  const intent = new URL(request.url).searchParams.get('intent');
  if (intent === 'assign') {
    return context.submit(request, context.forms.chaseAssign, async (input) => {
      const { assignees } = await context.services.chase.lists.assign(principal, listId, input);
      return { ok: true as const, intent: 'assign' as const, names: [...assignees.teams, ...assignees.users].map((who) => who.name) };
    });
  }
  if (intent === 'texts') {
    return context.submit(request, context.forms.textList, async ({ templateId }) => {
      const sent = await context.services.sms.sendListTexts(principal, listId, templateId);
      return { ok: true as const, intent: 'texts' as const, queued: sent.queued, alreadyQueued: sent.alreadyQueued };
    });
  }
  return context.submit(request, context.forms.chaseSplit, async ({ by, parts }) => {
    const created = await context.services.chase.lists.split(principal, listId, by === 'area' ? { by } : { by, parts });
    return { ok: true as const, intent: 'split' as const, lists: created.map((part) => ({ id: part.id, name: part.name })) };
  });
}

export default function ChaseList({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const { list, timeZone } = loaderData;
  const live = useLiveProgress([list.progress]);
  // A refused post comes back without its intent: the fields it names say which form it was.
  const failedOn = (...fields: string[]) =>
    actionData !== undefined && !actionData.ok && 'fields' in actionData && actionData.fields.some((field) => fields.includes(field));
  const textsFailed = failedOn('templateId');
  const assignFailed = failedOn('userIds', 'teamIds', 'mode');
  return (
    <section className="page chase" aria-labelledby="chase-list-title">
      <title>{`${list.name} — Relance`}</title>
      <p>
        <Link to="/chase">← {t('chase.back')}</Link>
      </p>
      <div className="page-heading">
        <div>
          <h1 id="chase-list-title">{list.name}</h1>
          <p className="subtitle">
            {t(`chase.channel.${list.channel}`)} · {t('chase.createdAt', { time: formatTime(locale, list.createdAt, timeZone) })}
          </p>
        </div>
        <LiveStatus status={live.status} />
      </div>
      <ProgressBars progress={live.progressOf(list.id) ?? list.progress} />
      <AssignPanel
        list={list}
        teams={loaderData.teams}
        volunteers={loaderData.volunteers}
        form={formState(loaderData.assignForm, assignFailed ? actionData : undefined)}
        saved={actionData?.ok && actionData.intent === 'assign' ? actionData.names : null}
      />
      <TextListPanel
        listId={list.id}
        templates={loaderData.templates}
        templateId={loaderData.templateId}
        plan={loaderData.plan}
        texts={loaderData.texts}
        sent={actionData?.ok && actionData.intent === 'texts' ? actionData : null}
        form={formState(loaderData.textListForm, textsFailed ? actionData : undefined)}
        timeZone={timeZone}
      />
      <SplitPanel
        form={formState(loaderData.splitForm, textsFailed || assignFailed ? undefined : actionData)}
        created={actionData?.ok && actionData.intent === 'split' ? actionData.lists : null}
      />
      <section className="panel" aria-labelledby="paper-title">
        <h2 id="paper-title">{t('chase.paper.title')}</h2>
        <p className="chase-links">
          <a className="button" href={`/api/v1/chase-lists/${list.id}/entries?format=csv`} download>
            {t('chase.paper.csv')}
          </a>{' '}
          <Link className="button" to={`/chase/${list.id}/sheet`}>
            {t('chase.paper.sheet')}
          </Link>{' '}
          <Link className="button" to="/rides">
            {t('chase.paper.rides')}
          </Link>
        </p>
        <p className="hint">{t('chase.paper.audited')}</p>
      </section>
    </section>
  );
}

/**
 * The teams and volunteers who work the list, as boxes to tick: "Give" moves the list to those ticked
 * only, "Add" adds them to those on it. A plain form post, so it works without JavaScript.
 */
function AssignPanel({
  list,
  teams,
  volunteers,
  form,
  saved,
}: {
  list: ChaseListSummary;
  teams: { id: number; name: string }[];
  volunteers: { id: number; name: string; teamId: number | null }[];
  form: FormState<'teamIds' | 'userIds' | 'mode'>;
  saved: string[] | null;
}) {
  const t = useT();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle' && navigation.formData?.has('mode') === true;
  const onList = new Set([
    ...list.assignees.teams.map((team) => `team:${team.id}`),
    ...list.assignees.users.map((user) => `user:${user.id}`),
  ]);
  return (
    <section className="panel" aria-labelledby="assign-title">
      <h2 id="assign-title">{t('chase.assign.title')}</h2>
      <FormAlert form={form} />
      {/* Keyed by who is on the list: after a save, the boxes show what was saved. */}
      <Form method="post" action={`/chase/${list.id}?intent=assign`} key={[...onList].sort().join()} preventScrollReset>
        <CsrfInput />
        <div className="chase-assign">
          <fieldset>
            <legend>{t('chase.assign.teams')}</legend>
            {teams.length === 0 ? (
              <p className="muted">
                {t('chase.teams.none')} <Link to="/chase/teams">{t('chase.teams.create')}</Link>
              </p>
            ) : (
              teams.map((team) => (
                <label key={team.id} className="check">
                  <input type="checkbox" name="teamIds" value={team.id} defaultChecked={onList.has(`team:${team.id}`)} /> {team.name}
                </label>
              ))
            )}
          </fieldset>
          <fieldset>
            <legend>{t('chase.assign.volunteers')}</legend>
            {volunteers.length === 0 ? (
              <p className="muted">{t('chase.teams.noVolunteers')}</p>
            ) : (
              volunteers.map((volunteer) => (
                <label key={volunteer.id} className="check">
                  <input type="checkbox" name="userIds" value={volunteer.id} defaultChecked={onList.has(`user:${volunteer.id}`)} />{' '}
                  {volunteer.name}
                </label>
              ))
            )}
          </fieldset>
        </div>
        <p className="hint">{t('chase.assign.hint')}</p>
        <p className="chase-links">
          <button type="submit" name="mode" value="replace" className="button primary" disabled={busy}>
            {t('chase.assign.replace')}
          </button>{' '}
          <button type="submit" name="mode" value="add" className="button" disabled={busy}>
            {t('chase.assign.add')}
          </button>
        </p>
      </Form>
      <div role="status" aria-live="polite">
        {saved && (
          <p className="alert alert-success">
            {t('chase.assign.saved', { names: saved.length > 0 ? saved.join(', ') : t('chase.assign.nobody') })}
          </p>
        )}
      </div>
    </section>
  );
}

function SplitPanel({ form, created }: { form: FormState<'by' | 'parts'>; created: { id: number; name: string }[] | null }) {
  const t = useT();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle' && navigation.formData?.has('by') === true;
  return (
    <section className="panel" aria-labelledby="split-title">
      <h2 id="split-title">{t('chase.split.title')}</h2>
      <p className="hint">{t('chase.split.hint')}</p>
      <FormAlert form={form} />
      <div className="chase-links">
        <Form method="post">
          <CsrfInput />
          <input type="hidden" name="by" value="area" />
          <button type="submit" className="button" disabled={busy}>
            {t('chase.split.byArea')}
          </button>
        </Form>
        <Form method="post" className="chase-split-rank">
          <CsrfInput />
          <input type="hidden" name="by" value="rank" />
          <Field form={form} name="parts" label={t('chase.split.parts')}>
            <input type="number" defaultValue={2} required />
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {t('chase.split.byRank')}
          </button>
        </Form>
      </div>
      <div role="status" aria-live="polite">
        {created && (
          <div className="alert alert-success">
            <p>{t('chase.split.done', { count: created.length })}</p>
            <ul>
              {created.map((part) => (
                <li key={part.id}>
                  <Link to={`/chase/${part.id}`}>{part.name}</Link>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
