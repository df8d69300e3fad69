import { useState } from 'react';
import { Link, useRevalidator } from 'react-router';
import { callApi } from '../chase/api.ts';
import { useT } from '../i18n/i18n.ts';
import type { Route } from './+types/chase-teams';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  return context.services.chase.lists.teams(principal);
}

type Volunteer = { id: number; name: string; teamId: number | null };

/** Teams of volunteers: a list given to a team is worked by all its members. */
export default function ChaseTeams({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const revalidator = useRevalidator();
  const { teams, volunteers } = loaderData;
  const [name, setName] = useState('');
  const [members, setMembers] = useState<Set<number>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create() {
    setError(null);
    const answer = await callApi<{ name: string }>('POST', '/api/v1/teams', { name: name.trim(), memberIds: [...members] });
    if (!answer.ok) return setError(answer.error!.message || answer.error!.code);
    setMessage(t('chase.teams.saved', { name: answer.body!.name }));
    setName('');
    setMembers(new Set());
    void revalidator.revalidate();
  }

  return (
    <section className="page chase" aria-labelledby="teams-title">
      <title>{`${t('chase.teams.title')} — Relance`}</title>
      <p>
        <Link to="/chase">← {t('chase.back')}</Link>
      </p>
      <h1 id="teams-title">{t('chase.teams.title')}</h1>
      <p className="subtitle">{t('chase.teams.intro')}</p>
      <div role="status" aria-live="polite">
        {message && <p className="alert alert-success">{message}</p>}
      </div>
      {error && (
        <p className="alert alert-error" role="alert">
          {t('chase.error', { message: error })}
        </p>
      )}
      {teams.length === 0 ? (
        <p className="muted">{t('chase.teams.none')}</p>
      ) : (
        teams.map((team) => (
          <TeamMembers
            key={`${team.id}:${volunteers.map((v) => v.teamId).join()}`}
            team={team}
            volunteers={volunteers}
            onSaved={setMessage}
          />
        ))
      )}
      <form
        className="panel narrow-panel"
        aria-labelledby="team-create-title"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <h2 id="team-create-title">{t('chase.teams.create')}</h2>
        <div className="field">
          <label htmlFor="team-name">{t('chase.teams.name')}</label>
          <input id="team-name" type="text" required maxLength={60} value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <VolunteerChecks volunteers={volunteers} checked={members} onChange={setMembers} idPrefix="new-team" />
        <button type="submit" className="button primary">
          {t('chase.teams.create')}
        </button>
      </form>
    </section>
  );
}

function VolunteerChecks({
  volunteers,
  checked,
  onChange,
  idPrefix,
}: {
  volunteers: Volunteer[];
  checked: Set<number>;
  onChange: (checked: Set<number>) => void;
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
            checked={checked.has(volunteer.id)}
            onChange={(event) => {
              const next = new Set(checked);
              if (event.target.checked) next.add(volunteer.id);
              else next.delete(volunteer.id);
              onChange(next);
            }}
          />{' '}
          {volunteer.name}
        </label>
      ))}
    </fieldset>
  );
}

function TeamMembers({
  team,
  volunteers,
  onSaved,
}: {
  team: { id: number; name: string };
  volunteers: Volunteer[];
  onSaved: (message: string) => void;
}) {
  const t = useT();
  const revalidator = useRevalidator();
  const [members, setMembers] = useState(() => new Set(volunteers.filter((v) => v.teamId === team.id).map((v) => v.id)));
  const [error, setError] = useState<string | null>(null);
  async function save() {
    setError(null);
    const answer = await callApi('POST', `/api/v1/teams/${team.id}/members`, { memberIds: [...members] });
    if (!answer.ok) return setError(answer.error!.message || answer.error!.code);
    onSaved(t('chase.teams.saved', { name: team.name }));
    void revalidator.revalidate();
  }
  return (
    <form
      className="panel narrow-panel"
      aria-labelledby={`team-${team.id}`}
      data-team={team.id}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h2 id={`team-${team.id}`}>{team.name}</h2>
      <VolunteerChecks volunteers={volunteers} checked={members} onChange={setMembers} idPrefix={`team-${team.id}`} />
      {error && (
        <p className="alert alert-error" role="alert">
          {t('chase.error', { message: error })}
        </p>
      )}
      <button type="submit" className="button">
        {t('chase.teams.save')}
      </button>
    </form>
  );
}
