/**
 * The chase benchmark's city: the live benchmark's election of 1,000 stations (createBenchElection: 20
 * districts, neighbourhoods of 12 stations, each with a past turnout), a voter file of 1,000 people per
 * station loaded with one COPY, a morning's contact attempts and lists, and one turnout report per
 * station so that areas lag by different amounts. Everything is drawn from a seeded generator: the
 * same city every run.
 *
 * The voters look like a campaign file on polling day at 10:00: a third have voted already, supporters
 * (levels 1–2) are about a third of the file, most have a phone, one phone in twelve is a household's
 * shared with the person before them on the roll, a few are do-not-contact, and one in twenty was
 * called earlier in the day (a few within the last hour). Every supporter with a phone was on the
 * 08:00 and the 09:00 lists, whose entries are all closed by now.
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { electionTime } from '../../server/elections/elections.clock.ts';
import { seededRandom } from '../../server/demo/demo.voters.ts';
import type { Relance } from '../../server/relance.ts';
import { createBenchElection, REGISTERED, type BenchElection } from './live-election.ts';

export const CITY_STATIONS = 1_000;
export const VOTERS_PER_STATION = 1_000;

const FIRST = ['Léa', 'Zoé', 'Hélène', 'Jérôme', 'François', 'Anaïs', 'Noël', 'Chloé', 'Mathéo', 'Inès', 'Gaëlle', 'Loïc'];
const LAST = ['Lefèvre', 'Müller', 'Dupré', 'Faure', 'Béranger', 'Cœur', 'Leroy', 'Gérard', 'Mercier', 'Noël', 'Perrin', 'Rivière'];
const OUTCOMES = ['no_answer', 'no_answer', 'no_answer', 'will_vote', 'will_vote', 'needs_ride', 'refused', 'wrong_number'] as const;

export interface City extends BenchElection {
  voters: number;
  /** Station code → id. */
  stationIds: Map<string, number>;
  contactAttempts: number;
  /** Entries of the morning's lists, all called or dropped. */
  earlierEntries: number;
}

/** A COPY text field: `\N` for null, backslashes and separators escaped. */
const field = (value: string | number | boolean | null) =>
  value === null ? '\\N' : String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

async function copyRows(relance: Relance, sql: string, rows: () => Generator<string>): Promise<void> {
  const client = await relance.db.pool.connect();
  try {
    await pipeline(
      (function* () {
        let chunk = '';
        for (const line of rows()) {
          chunk += line;
          if (chunk.length > 1 << 16) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk) yield chunk;
      })(),
      client.query(copyFrom(sql)),
    );
  } finally {
    client.release();
  }
}

export async function createCity(relance: Relance, onProgress: (message: string) => void): Promise<City> {
  const { services } = relance;
  const election = await createBenchElection(services, { name: 'Chase benchmark', stations: CITY_STATIONS });
  const stations = await services.db.prisma.pollingStation.findMany({
    where: { electionId: election.electionId },
    select: { id: true, code: true },
    orderBy: { code: 'asc' },
  });
  const stationIds = new Map(stations.map((station) => [station.code, station.id]));

  const total = CITY_STATIONS * VOTERS_PER_STATION;
  onProgress(`COPY of ${total.toLocaleString('en-US')} voters`);
  const random = seededRandom(2026);
  const now = Date.now();
  const votedAt = new Date(now - 90 * 60_000).toISOString();
  await copyRows(
    relance,
    `COPY voter (election_id, external_id, first_name, last_name, phone, phone_kind, email, address, station_id, list_number,
                 support_level, sms_consent, call_consent, do_not_contact, voted_at, voted_source) FROM STDIN`,
    function* () {
      let previousPhone: string | null = null;
      let previousKind: string | null = null;
      for (let s = 0; s < stations.length; s++) {
        const stationId = stations[s]!.id;
        for (let n = 1; n <= VOTERS_PER_STATION; n++) {
          const i = s * VOTERS_PER_STATION + n;
          const r = random();
          const support = r < 0.05 ? null : r < 0.18 ? 1 : r < 0.36 ? 2 : r < 0.6 ? 3 : r < 0.8 ? 4 : 5;
          let phone: string | null = null;
          let kind: string | null = null;
          if (n > 1 && previousPhone && random() < 1 / 12) {
            // A household's phone, shared with the person before on the roll.
            phone = previousPhone;
            kind = previousKind;
          } else if (random() < 0.85) {
            const mobile = random() < 0.7;
            phone = `+33${mobile ? (i % 2 ? '6' : '7') : '1'}${String(10_000_000 + i).padStart(8, '0')}`;
            kind = mobile ? 'mobile' : 'landline';
          }
          previousPhone = phone;
          previousKind = kind;
          const voted = random() < 0.3;
          yield [
            election.electionId,
            `C-${i}`,
            FIRST[i % FIRST.length]!,
            LAST[Math.floor(i / 7) % LAST.length]!,
            phone,
            kind,
            random() < 0.3 ? `personne.${i}@example.org` : null,
            `${i % 300} rue de l’Église`,
            stationId,
            n,
            support,
            random() < 0.6,
            random() < 0.8,
            random() < 0.01,
            voted ? votedAt : null,
            voted ? 'watcher' : null,
          ]
            .map(field)
            .join('\t')
            .concat('\n');
        }
      }
    },
  );

  onProgress('COPY of the morning’s contact attempts');
  const { rows: first } = await relance.db.pool.query<{ id: number }>('SELECT min(id) AS id FROM voter WHERE election_id = $1', [
    election.electionId,
  ]);
  const firstId = first[0]!.id;
  let contactAttempts = 0;
  const contacts = seededRandom(7);
  await copyRows(relance, 'COPY contact_attempt (voter_id, channel, outcome, created_at) FROM STDIN', function* () {
    for (let offset = 0; offset < total; offset++) {
      if (contacts() >= 0.05) continue;
      contactAttempts++;
      // One in ten of them within the last hour: not to be called again yet.
      const minutesAgo = contacts() < 0.1 ? 5 + contacts() * 50 : 70 + contacts() * 120;
      const outcome = OUTCOMES[Math.floor(contacts() * OUTCOMES.length)]!;
      yield `${firstId + offset}\tcall\t${outcome}\t${new Date(now - minutesAgo * 60_000).toISOString()}\n`;
    }
  });
  onProgress('the morning’s lists: every supporter on the 08:00 and the 09:00 list');
  const earlierEntries = await morningLists(relance, election.electionId);

  // As autovacuum does after a large import: statistics, and the visibility map that index-only scans read.
  await relance.db.pool.query('VACUUM ANALYZE voter');
  await relance.db.pool.query('ANALYZE contact_attempt');
  await relance.db.pool.query('VACUUM ANALYZE chase_entry');
  return { ...election, voters: total, stationIds, contactAttempts, earlierEntries };
}

/**
 * Two lists of every supporter (levels 1–2) with a phone, built at 08:00 and 09:00 and worked since:
 * their entries are done, or dropped for those who have voted. None is still to call, so the
 * benchmark's lists select the same voters as without them; but their entries fill the table and its
 * indexes as a morning's calls do (decision 033).
 */
async function morningLists(relance: Relance, electionId: number): Promise<number> {
  const { rows } = await relance.db.pool.query<{ entries: string }>(
    `WITH list AS (
       INSERT INTO chase_list (election_id, name, channel, criteria, created_at)
       SELECT $1, 'Morning calls ' || hour || ':00', 'call', '{}', now() - (10 - hour) * interval '1 hour'
       FROM (VALUES (8), (9)) h(hour)
       RETURNING id
     ), entry AS (
       INSERT INTO chase_entry (list_id, voter_id, priority, rank, state, done_at)
       SELECT l.id, v.id, 1, row_number() OVER (PARTITION BY l.id ORDER BY v.id),
              CASE WHEN v.voted_at IS NULL THEN 'done' ELSE 'dropped' END::chase_entry_state, now() - interval '30 minutes'
       FROM list l CROSS JOIN voter v
       WHERE v.election_id = $1 AND v.support_level <= 2 AND v.phone IS NOT NULL
       RETURNING 1
     )
     SELECT count(*) AS entries FROM entry`,
    [electionId],
  );
  await relance.db.pool.query(
    'UPDATE chase_list l SET entry_count = (SELECT count(*) FROM chase_entry e WHERE e.list_id = l.id) WHERE election_id = $1',
    [electionId],
  );
  return Number(rows[0]!.entries);
}

/**
 * One turnout report per station, through the ingest API (a watcher token for every station), at 10%
 * to 30% of the registered voters: areas then lag or lead their expected turnout by different amounts.
 */
export async function reportTurnout(baseUrl: string, city: City, token: string): Promise<void> {
  const at = electionTime(new Date(), city.clock).toISOString();
  const reports = city.stationCodes.map((stationCode, index) => ({
    id: randomUUID(),
    stationCode,
    voters: Math.round(REGISTERED * (0.1 + ((index * 13) % 21) / 100)),
    observedAt: at,
  }));
  for (let start = 0; start < reports.length; start += 500) {
    const response = await fetch(`${baseUrl}/api/v1/reports/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reports: reports.slice(start, start + 500) }),
    });
    if (!response.ok) throw new Error(`reports/batch answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
}
