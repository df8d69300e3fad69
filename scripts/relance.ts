/**
 * relance: the command-line tool (`npx relance <command>`).
 *
 *   relance users create --role <role> --name <name> [--email <email>] [--station <code>…]
 *   relance users list
 *   relance users unlock --email <email>
 *   relance invite (--email <email> | --user <id>) [--no-pin]
 *   relance tokens create --role <role> [--station <code>…] [--name <name>] [--json]
 *   relance import election --name <name> --day <YYYY-MM-DD> --timezone <zone> --opens <HH:MM> --closes <HH:MM>
 *   relance import <stations|areas|voters|baselines> <file> [--preset <name>] [--map <column>=<field>…]
 *                  [--election <id>] [--json] [--region <XX>] [--skip-invalid] [--dry-run] [--errors <file>]
 *     stations: CSV or GeoJSON; areas: GeoJSON; voters: CSV (--preset relance, nationbuilder or ngpvan,
 *     detected from the header when not given); baselines: CSV of past turnout per station.
 *     Any bad row and nothing is imported, unless --skip-invalid; the rejected rows are listed in
 *     <file>.errors.csv (or --errors). --dry-run reads and checks everything, shows the first rows as
 *     they would be imported, and changes nothing. With --json, the last line is
 *     {"read", "imported", "rejected", "errorReport"}. Exits with 1 when nothing was imported.
 *   relance export voters [--format generic|nationbuilder|ngpvan] [--out <file>] [--election <id>]
 *     who voted and how each contact went, as CSV for re-import into NationBuilder or NGP VAN;
 *     written to standard output without --out. Every export is recorded in the audit log.
 *   relance simulate [--speed <x>] [--restart] [--stop] [--yes] [--url <base>]
 *   relance purge --election <id> [--confirm <election name>]
 *   relance people show (--external-id <id> | --phone <phone> | --email <email>) [--json]
 *   relance people erase (--external-id <id> | --phone <phone> | --email <email>) [--yes]
 *   relance people object (--external-id <id> | --phone <phone> | --email <email>)
 *   relance audit purge
 *   relance backup <file[.gz]>
 *   relance restore <file[.gz]>
 *   relance db migrate
 *   relance model curve [--election <id>] (--noon <%> --five-pm <%> --final <%> | --hourly <file.csv> | --default)
 *   relance model backtest --input <file.csv> --cutoff <HH:MM> [--out <file.csv>] [--opens <HH:MM>] [--closes <HH:MM>] [--curve <file>]
 *
 * `model curve` sets the share of the final turnout expected at each hour from a comparable past
 * election: its official turnout at 12h, 17h and the close (France 2022, first round: --noon 25.48
 * --five-pm 65.00 --final 73.69), or its hourly history (CSV: hour, voted).
 *
 * `model backtest` projects each unit's final turnout from its counts up to the cutoff (columns unit_id,
 * registered, observed_at, voted and optionally baseline_share), and scores the model against the naive
 * projection when the file holds the final counts. It needs no database. Polling hours default to
 * 07:00–21:00, those of the default curve; --curve takes shares by hour (JSON) or a history (CSV: hour, voted).
 *
 * `simulate` plays a polling day over the current election through the running Relance's API, on
 * the election's simulated clock (docs/watchers.md); run again, it resumes. --restart deletes what
 * earlier simulated days sent and starts at polls open; --stop deletes it and returns the election
 * to the wall clock; both ask first, unless --yes.
 *
 * Admins and coordinators need a password: it is asked for (hidden), or read from standard input
 * with --password-stdin. It is never taken on the command line, where other users could see it.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import { ConfigError } from '../server/config.ts';
import { BackupError } from '../server/db/backup.ts';
import { DomainError } from '../server/errors.ts';
import { ImportRejected } from '../server/imports/imports.errors.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../server/imports/imports.exports.ts';
import { PASSWORD_ROLES, type Role } from '../server/auth/auth.roles.ts';
import { RoleSchema } from '../server/fields.ts';
import { parseOptions, UsageError } from './cli/args.ts';
import { BacktestInputError, CurveError, modelBacktest, modelCurve } from './cli/model.ts';
import { IMPORT_KINDS, NothingImported, printFailedSummary, runImport } from './cli/import.ts';
import { withServices } from './cli/open.ts';
import { auditPurgeCommand } from './cli/audit.ts';
import { backupCommand, restoreCommand } from './cli/backup.ts';
import { peopleErase, peopleObject, peopleShow } from './cli/people.ts';
import { purgeCommand } from './cli/purge.ts';
import { readSecret } from './cli/prompt.ts';
import { simulate } from './cli/simulate.ts';

const USAGE = fs
  .readFileSync(new URL(import.meta.url), 'utf8')
  .split('*/')[0]!
  .replace(/^\/\*\*\n/, '')
  .replace(/^ \* ?/gm, '');

function role(value: unknown): Role {
  const parsed = RoleSchema.safeParse(value);
  if (!parsed.success)
    throw new UsageError(`--role must be one of admin, coordinator, watcher, volunteer, viewer (got ${String(value ?? 'nothing')}).`);
  return parsed.data;
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  async 'users create'(args) {
    const { values } = parseOptions(args, {
      role: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      station: { type: 'string', multiple: true },
      'password-stdin': { type: 'boolean' },
    });
    const userRole = role(values.role);
    let password: string | undefined;
    if (PASSWORD_ROLES.includes(userRole)) {
      password = values['password-stdin'] ? fs.readFileSync(0, 'utf8').trim() : await readSecret('Password (at least 12 characters): ');
    }
    await withServices(async (services) => {
      const user = await services.accounts.createUser(
        {
          name: String(values.name ?? ''),
          role: userRole,
          email: values.email as string | undefined,
          password,
          stationCodes: (values.station as string[]) ?? [],
        },
        null,
      );
      console.log(`Created ${user.role} ${user.name} (id ${user.id}).`);
      if (!password) console.log(`Give them a sign-in link with: npx relance invite --user ${user.id}`);
    });
  },

  async 'users list'() {
    await withServices(async (services) => {
      for (const user of await services.accounts.listUsers()) {
        console.log([user.id, user.role, user.name, user.email ?? '', user.stationCodes.join(' ')].join('\t'));
      }
    });
  },

  async 'users unlock'(args) {
    const { values } = parseOptions(args, { email: { type: 'string' } });
    if (!values.email) throw new UsageError('Give the --email of the person to unlock.');
    await withServices(async (services) => {
      const user = await services.accounts.findUserByEmail(String(values.email));
      if (!user) throw new UsageError(`No user with the email ${String(values.email)}.`);
      const { name, locksLifted } = await services.accounts.unlockSignIn(user.id, null);
      console.log(
        locksLifted > 0
          ? `${name} can sign in again from anywhere (${locksLifted} lock${locksLifted > 1 ? 's' : ''} lifted).`
          : `${name} was not locked out; their failed sign-ins are forgotten.`,
      );
    });
  },

  async invite(args) {
    const { values } = parseOptions(args, { email: { type: 'string' }, user: { type: 'string' }, 'no-pin': { type: 'boolean' } });
    if (!values.email === !values.user) throw new UsageError('Give either --email or --user.');
    await withServices(async (services) => {
      const userId = values.user ? Number(values.user) : (await services.accounts.findUserByEmail(String(values.email)))?.id;
      if (!userId) throw new UsageError(`No user with the email ${String(values.email)}.`);
      const link = values['no-pin']
        ? await services.accounts.createSignInLink(userId, null)
        : await services.accounts.createInvite(userId, null);
      console.log(`Sign-in link (works once, until ${link.expiresAt.toISOString()}): ${link.url}`);
      if (link.pin) console.log(`PIN (give it separately): ${link.pin}`);
    });
  },

  async 'tokens create'(args) {
    const { values } = parseOptions(args, {
      role: { type: 'string' },
      station: { type: 'string', multiple: true },
      name: { type: 'string' },
      json: { type: 'boolean' },
    });
    const tokenRole = role(values.role);
    await withServices(async (services) => {
      const stationCodes = (values.station as string[] | undefined) ?? [];
      const created = await services.accounts.createApiToken(
        { name: String(values.name ?? `${tokenRole} token`), role: tokenRole, stationCodes },
        null,
      );
      if (values.json) {
        console.log(JSON.stringify({ token: created.token }));
      } else {
        console.log(
          `API token ${created.id} (${tokenRole}${stationCodes.length ? `, stations ${stationCodes.join(' ')}` : ''}). Shown once:`,
        );
        console.log(created.token);
      }
    });
  },

  async 'import election'(args) {
    const { values } = parseOptions(args, {
      name: { type: 'string' },
      day: { type: 'string' },
      timezone: { type: 'string' },
      opens: { type: 'string' },
      closes: { type: 'string' },
    });
    await withServices(async (services) => {
      const election = await services.imports.election(
        {
          name: String(values.name ?? ''),
          pollingDay: String(values.day ?? ''),
          timezone: String(values.timezone ?? ''),
          opensAt: String(values.opens ?? ''),
          closesAt: String(values.closes ?? ''),
        },
        null,
      );
      console.log(`Created election ${election.id}: ${election.name}.`);
    });
  },

  ...Object.fromEntries(IMPORT_KINDS.map((kind) => [`import ${kind}`, (args: string[]) => runImport(kind, args)])),

  async 'export voters'(args) {
    const { values } = parseOptions(args, { format: { type: 'string' }, out: { type: 'string' }, election: { type: 'string' } });
    const format = (values.format ?? 'generic') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got ${format}).`);
    await withServices(async (services) => {
      const electionId = values.election ? Number(values.election) : (await services.elections.requireCurrent()).id;
      const out = values.out ? fs.createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
      const { rows } = await services.exports.voters(electionId, format, null, out);
      if (values.out) {
        out.end();
        await once(out, 'close');
        console.log(`Wrote ${rows} rows to ${values.out}.`);
      }
    });
  },

  purge: purgeCommand,
  'people show': peopleShow,
  'people erase': peopleErase,
  'people object': peopleObject,
  'audit purge': auditPurgeCommand,
  backup: backupCommand,
  restore: restoreCommand,
  'model backtest': modelBacktest,
  'model curve': modelCurve,
  simulate,

  async 'db migrate'() {
    await withServices(async () => {
      console.log('The database is up to date.');
    });
  },
};

async function main(argv: string[]) {
  const twoWords = `${argv[0]} ${argv[1]}`;
  const [name, rest] = COMMANDS[twoWords] ? [twoWords, argv.slice(2)] : [argv[0] ?? '', argv.slice(1)];
  const command = COMMANDS[name];
  if (!command || argv.includes('--help')) {
    console.log(USAGE);
    process.exit(command || argv.includes('--help') ? 0 : 2);
  }
  try {
    await command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof NothingImported) {
      printFailedSummary(error, rest);
      process.exit(1);
    }
    if (
      error instanceof ImportRejected ||
      error instanceof DomainError ||
      error instanceof ConfigError ||
      error instanceof BackupError ||
      error instanceof BacktestInputError ||
      error instanceof CurveError
    ) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

await main(process.argv.slice(2));
