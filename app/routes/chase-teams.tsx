import { Form, Link, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { Field, FormAlert } from '../components/field.tsx';
import { formState, type FormState } from '../forms.ts';
import { useT } from '../i18n/i18n.ts';
import type { Route } from './+types/chase-teams';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  return { ...(await context.services.chase.lists.teams(principal)), teamForm: context.forms.team.contract };
}

/**
 * Two forms post here, as plain form posts so they work without JavaScript: a new team
 * (`?intent=create`), and a team's members (`?intent=members`).
 */
export async function action({ context, request }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const { lists } = context.services.chase;
  if (new URL(request.url).searchParams.get('intent') === 'members') {
    return context.submit(request, context.forms.teamMembers, async ({ teamId, memberIds }) => {
      const team = await lists.setTeamMembers(principal, teamId, { memberIds });
      return { ok: true as const, name: team.name };
    });
  }
  return context.submit(request, context.forms.team, async (input) => {
    const team = await lists.createTeam(principal, input);
    return { ok: true as const, name: team.name };
  });
}

type Volunteer = { id: number; name: string; teamId: number | null };

/** Teams of volunteers: a list given to a team is worked by all its members. */
export default function ChaseTeams({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const { teams, volunteers } = loaderData;
  // Either form's failure: the alert says what went wrong, the name field is marked when it is the cause.
  const failed = formState(loaderData.teamForm, actionData);
  const membersFailed = failed.failure?.fields.includes('memberIds') ?? false;
  return (
    <section className="page chase" aria-labelledby="teams-title">
      <title>{`${t('chase.teams.title')} — Relance`}</title>
      <p>
        <Link to="/chase">← {t('chase.back')}</Link>
      </p>
      <h1 id="teams-title">{t('chase.teams.title')}</h1>
      <p className="subtitle">{t('chase.teams.intro')}</p>
      <div role="status" aria-live="polite">
        {actionData?.ok && <p className="alert alert-success">{t('chase.teams.saved', { name: actionData.name })}</p>}
      </div>
      <FormAlert form={failed} />
      {membersFailed && <p className="field-error">{t('team.error.memberIds')}</p>}
      {teams.length === 0 ? (
        <p className="muted">{t('chase.teams.none')}</p>
      ) : (
        teams.map((team) => (
          // Keyed by every volunteer's team: after a save, the boxes show what was saved.
          <TeamMembers key={`${team.id}:${volunteers.map((v) => v.teamId).join()}`} team={team} volunteers={volunteers} />
        ))
      )}
      {/* Keyed by the number of teams: emptied once the new team is saved. */}
      <CreateTeam key={teams.length} volunteers={volunteers} form={failed} />
    </section>
  );
}

function useBusy(intent: string) {
  const navigation = useNavigation();
  return navigation.state !== 'idle' && navigation.formAction?.endsWith(`intent=${intent}`) === true;
}

function CreateTeam({ volunteers, form }: { volunteers: Volunteer[]; form: FormState<'name' | 'memberIds'> }) {
  const t = useT();
  const busy = useBusy('create');
  return (
    <Form method="post" action="/chase/teams?intent=create" className="panel narrow-panel" aria-labelledby="team-create-title">
      <CsrfInput />
      <h2 id="team-create-title">{t('chase.teams.create')}</h2>
      <Field form={form} name="name" label={t('chase.teams.name')}>
        <input type="text" />
      </Field>
      <VolunteerChecks volunteers={volunteers} isChecked={() => false} idPrefix="new-team" />
      <button type="submit" className="button primary" disabled={busy}>
        {t('chase.teams.create')}
      </button>
    </Form>
  );
}

function VolunteerChecks({
  volunteers,
  isChecked,
  idPrefix,
}: {
  volunteers: Volunteer[];
  isChecked: (volunteer: Volunteer) => boolean;
  idPrefix: string;
}) {
  const t = useT();
  return (
    <fieldset>
      <legend>{t('chase.teams.members')}</legend>
      {volunteers.length === 0 && <p className="muted">{t('chase.teams.noVolunteers')}</p>}
      {volunteers.map((volunteer) => (
        <label key={volunteer.id} className="check" htmlFor={`${idPrefix}-${volunteer.id}`}>
          <input
            id={`${idPrefix}-${volunteer.id}`}
            type="checkbox"
            name="memberIds"
            value={volunteer.id}
            defaultChecked={isChecked(volunteer)}
          />{' '}
          {volunteer.name}
        </label>
      ))}
    </fieldset>
  );
}

function TeamMembers({ team, volunteers }: { team: { id: number; name: string }; volunteers: Volunteer[] }) {
  const t = useT();
  const busy = useBusy('members');
  return (
    <Form
      method="post"
      action="/chase/teams?intent=members"
      className="panel narrow-panel"
      aria-labelledby={`team-${team.id}`}
      data-team={team.id}
      preventScrollReset
    >
      <CsrfInput />
      <input type="hidden" name="teamId" value={team.id} />
      <h2 id={`team-${team.id}`}>{team.name}</h2>
      <VolunteerChecks volunteers={volunteers} isChecked={(volunteer) => volunteer.teamId === team.id} idPrefix={`team-${team.id}`} />
      <button type="submit" className="button" disabled={busy}>
        {t('chase.teams.save')}
      </button>
    </Form>
  );
}
