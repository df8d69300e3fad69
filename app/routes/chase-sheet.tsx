import { data, Link } from 'react-router';
import { isNotFound } from '../chase/live-progress.ts';
import { formatCount, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n/i18n.ts';
import type { Route } from './+types/chase-sheet';

export async function loader({ context, params }: Route.LoaderArgs) {
  const principal = context.requireRole(context.access.manageChase);
  const listId = Number(params.id);
  if (!Number.isSafeInteger(listId) || listId <= 0) throw data({ code: 'not_found' }, { status: 404 });
  try {
    // Audited as an export: a printed sheet carries names and phone numbers.
    return await context.services.chase.exports.callSheet(principal, listId);
  } catch (error) {
    if (isNotFound(error)) throw data({ code: 'not_found' }, { status: 404 });
    throw error;
  }
}

/** The printable call sheet: the people still to call, with a blank column for the outcome. */
export default function ChaseSheet({ loaderData }: Route.ComponentProps) {
  const t = useT();
  const locale = useLocale();
  const { list, election, rows, generatedAt } = loaderData;
  return (
    <section className="page chase-sheet" aria-labelledby="sheet-title">
      <title>{`${t('chase.sheet.title')} — ${list.name} — Relance`}</title>
      <p className="no-print">
        <Link to={`/chase/${list.id}`}>← {list.name}</Link>{' '}
        <button type="button" className="button" onClick={() => window.print()}>
          {t('chase.sheet.print')}
        </button>
      </p>
      <h1 id="sheet-title">{t('chase.sheet.title')}</h1>
      <p className="muted">
        {t('chase.sheet.generated', {
          list: list.name,
          count: formatCount(locale, rows.length),
          time: formatTime(locale, generatedAt, election.timezone),
        })}
      </p>
      <table className="chase-sheet-table">
        <thead>
          <tr>
            <th scope="col">{t('chase.sheet.rank')}</th>
            <th scope="col">{t('chase.sheet.name')}</th>
            <th scope="col">{t('chase.sheet.phone')}</th>
            <th scope="col">{t('chase.sheet.station')}</th>
            <th scope="col">{t('chase.sheet.closes')}</th>
            <th scope="col">{t('chase.sheet.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.rank}>
              <td>{row.rank}</td>
              <td>
                {row.firstName} {row.lastName}
              </td>
              <td>{row.phone}</td>
              <td>
                {row.stationName} ({row.stationCode})
                {row.stationAddress && <span className="chase-sheet-address">{row.stationAddress}</span>}
              </td>
              <td>{row.closesAt}</td>
              <td className="chase-sheet-blank" />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
