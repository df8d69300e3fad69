import { Form, useNavigation } from 'react-router';
import { CsrfInput } from '../components/csrf-input.tsx';
import { FormAlert } from '../components/field.tsx';
import { formState } from '../forms.ts';
import { formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/rides';

export async function loader({ context }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const election = await context.services.elections.requireCurrent();
  return {
    rides: await context.services.chase.lists.rides(principal),
    timeZone: election.timezone,
    doneForm: context.forms.rideDone.contract,
  };
}

/** "Mark done" on a ride's row: a plain form post, so it works before the page's JavaScript has loaded, or without it. */
export async function action({ request, context }: Route.ActionArgs) {
  const principal = context.requireRole(context.access.manageChase);
  return context.submit(request, context.forms.rideDone, async ({ rideId }) => {
    await context.services.chase.lists.rideDone(principal, rideId);
    return { ok: true as const };
  });
}

/** The rides queue: people who told a volunteer they need a ride to vote, worked by coordinators. */
export default function Rides({ loaderData, actionData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const { rides, timeZone } = loaderData;
  const doneForm = formState(loaderData.doneForm, actionData);
  const busy = navigation.state !== 'idle' ? Number(navigation.formData?.get('rideId')) : null;
  return (
    <section className="page chase" aria-labelledby="rides-title">
      <title>{`${t('chase.rides.title')} — Relance`}</title>
      <h1 id="rides-title">{t('chase.rides.title')}</h1>
      <p className="subtitle">{t('chase.rides.intro')}</p>
      <FormAlert form={doneForm} />
      {rides.length === 0 ? (
        <p className="alert">{t('chase.rides.none')}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="rides-title">
          <table className="chase-table">
            <thead>
              <tr>
                <th scope="col">{t('chase.rides.person')}</th>
                <th scope="col">{t('chase.rides.station')}</th>
                <th scope="col">{t('chase.rides.askedAt')}</th>
                <th scope="col">{t('chase.rides.note')}</th>
                <th scope="col">{t('chase.rides.status')}</th>
              </tr>
            </thead>
            <tbody>
              {rides.map((ride) => (
                <tr key={ride.id} data-ride={ride.id} data-status={ride.status}>
                  <th scope="row">
                    {ride.voter.firstName} {ride.voter.lastName}
                    {ride.voter.phone && (
                      <>
                        <br />
                        <a href={`tel:${ride.voter.phone}`}>{ride.voter.phone}</a>
                      </>
                    )}
                    {ride.voter.address && <span className="chase-sheet-address">{ride.voter.address}</span>}
                    {ride.voter.voted && <span className="chase-voted-tag"> · {t('chase.rides.voted')}</span>}
                  </th>
                  <td>
                    {ride.station.name} ({ride.station.code})
                    {ride.station.address && <span className="chase-sheet-address">{ride.station.address}</span>}
                    <span className="muted">
                      {' '}
                      · {t('calls.closesAt')} {formatTime(locale, ride.station.closesAt, timeZone)}
                    </span>
                  </td>
                  <td>
                    {formatTime(locale, ride.createdAt, timeZone)}
                    {ride.volunteer && <> · {ride.volunteer.name}</>}
                  </td>
                  <td>{ride.note}</td>
                  <td>
                    {ride.status === 'open' ? (
                      <Form method="post">
                        <CsrfInput />
                        <input type="hidden" name="rideId" value={ride.id} />
                        <button
                          type="submit"
                          className="button small"
                          disabled={busy === ride.id}
                          aria-label={t('chase.rides.doneFor', { name: `${ride.voter.firstName} ${ride.voter.lastName}` })}
                        >
                          {t('chase.rides.done')}
                        </button>
                      </Form>
                    ) : (
                      t('chase.rides.handled', { time: ride.handledAt ? formatTime(locale, ride.handledAt, timeZone) : '' })
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
