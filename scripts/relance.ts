/**
 * relance: the command-line tool (`npx relance <command>`).
 *
 *   relance users create --role <role> --name <name> [--email <email>] [--station <code>…]
 *   relance users list
 *   relance users unlock --email <email>
 *   relance invite (--email <email> | --user <id>) [--no-pin]
 *   relance tokens create --role <role> [--station <code>…] [--name <name>] [--json]
 *   relance import election --name <name> --day <YYYY-MM-DD> --timezone <zone> --opens <HH:MM> --closes <HH:MM>
 *   relance import areas <file.geojson>
 *   relance import stations <file.csv|file.geojson>
 *   relance import voters <file.csv>
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
 * Admins and coordinators need a password: it is asked for (hidden), or read from standard input
 * with --password-stdin. It is never taken on the command line, where other users could see it.
 */
import fs from 'node:fs';
import { ConfigError } from '../server/config.ts';
import { BackupError } from '../server/db/backup.ts';
import { DomainError } from '../server/errors.ts';
import { ImportRejected } from '../server/imports/imports.errors.ts';
import { PASSWORD_ROLES, type Role } from '../server/auth/auth.roles.ts';
import { RoleSchema } from '../server/fields.ts';
import type { Services } from '../server/services.ts';
import { parseOptions, UsageError } from './cli/args.ts';
import { BacktestInputError, CurveError, modelBacktest, modelCurve } from './cli/model.ts';
import { withServices } from './cli/open.ts';
import { auditPurgeCommand } from './cli/audit.ts';
import { backupCommand, restoreCommand } from './cli/backup.ts';
import { peopleErase, peopleObject, peopleShow } from './cli/people.ts';
import { purgeCommand } from './cli/purge.ts';
import { readSecret } from './cli/prompt.ts';

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

async function currentElectionId(services: Services) {
  return (await services.elections.requireCurrent()).id;
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

  async 'import areas'(args) {
    const file = fileArgument(args);
    await withServices(async (services) => {
      const result = await services.imports.areas(await currentElectionId(services), JSON.parse(fs.readFileSync(file, 'utf8')), null);
      console.log(`Imported ${result.areas} areas.`);
    });
  },

  async 'import stations'(args) {
    const file = fileArgument(args);
    await withServices(async (services) => {
      const source = /\.(geo)?json$/i.test(file)
        ? { geojson: JSON.parse(fs.readFileSync(file, 'utf8')) }
        : { csv: fs.createReadStream(file) };
      const result = await services.imports.stations(await currentElectionId(services), source, null);
      console.log(`Imported ${result.stations} polling stations.`);
    });
  },

  async 'import voters'(args) {
    const file = fileArgument(args);
    await withServices(async (services) => {
      const result = await services.imports.voters(await currentElectionId(services), fs.createReadStream(file), null);
      console.log(`Imported ${result.rows} people: ${result.created} new, ${result.updated} updated.`);
      if (result.ignoredColumns.length > 0) console.log(`Columns not used: ${result.ignoredColumns.join(', ')}.`);
      const { erased, objected } = result.suppressed;
      if (erased + objected > 0) {
        console.log(`Suppression list: ${erased} erased people left out, ${objected} who objected marked do-not-contact.`);
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

  async 'db migrate'() {
    await withServices(async () => {
      console.log('The database is up to date.');
    });
  },
};

function fileArgument(args: string[]): string {
  const { positionals } = parseOptions(args, {});
  const file = positionals[0];
  if (!file) throw new UsageError('Give the file to import.');
  if (!fs.existsSync(file)) throw new UsageError(`No file ${file}.`);
  return file;
}

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
