import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The project's root folder, whatever the working directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A whole number in [min, max], with a message that says so. */
const integer = (min: number, max: number) =>
  z.coerce
    .number(`must be a whole number from ${min} to ${max}`)
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

/**
 * Who may read /metrics and /readyz by default: this machine and the private networks (RFC 1918,
 * IPv6 unique local), where a Prometheus or an orchestrator's probes run, but not the internet.
 */
export const LOOPBACK_AND_PRIVATE_NETWORKS = '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7';

export interface Network {
  address: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
}

/** Networks in CIDR notation (10.0.0.0/8, fd00::/8) or single addresses, separated by commas. */
const networkList = z.string().transform((list, ctx) => {
  const networks: Network[] = [];
  for (const entry of list.split(',').map((part) => part.trim())) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = net.isIP(address);
    const longest = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= longest))) {
      ctx.addIssue({
        code: 'custom',
        message: `must be networks such as 10.0.0.0/8 or fd00::/8, separated by commas ("${entry}" is not one)`,
      });
      return z.NEVER;
    }
    networks.push({ address, prefix: prefix === undefined ? longest : Number(prefix), type: family === 6 ? 'ipv6' : 'ipv4' });
  }
  return networks;
});

/**
 * Every environment variable Relance reads, with its default. Documented one by one in .env.example.
 * Parsed once at start; nothing else reads process.env.
 */
/** "21:00-08:00": no text goes out from 21:00 to 08:00, in the election's timezone; "none": at any hour. */
const quietHours = z
  .string()
  .regex(/^(none|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:MM-HH:MM, e.g. 21:00-08:00, or none')
  .transform((value) => {
    if (value === 'none') return null;
    const [from = 0, to = 0] = value.split('-').map((time) => {
      const [hours = 0, minutes = 0] = time.split(':').map(Number);
      return hours * 60 + minutes;
    });
    return { fromMinute: from, toMinute: to };
  });

export const EnvironmentSchema = z.object({
  NODE_ENV: z.enum(['production', 'development'], 'must be production or development').default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s):// address people use to reach Relance' }).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: integer(2, 200).default(20),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'must be one of fatal, error, warn, info, debug, trace, silent')
    .default('info'),
  TRUST_PROXY: integer(0, 10).default(0),
  SESSION_HOURS: integer(1, 24 * 14).default(24),
  INVITE_HOURS: integer(1, 24 * 30).default(72),
  DEMO_VOTERS: integer(0, 2_000_000).default(150_000),
  RUN_WORKERS: booleanString.optional(),
  MAX_TURNOUT_RATIO: z.coerce
    .number('must be a number from 1 to 2, e.g. 1.1')
    .min(1, 'must be a number from 1 to 2, e.g. 1.1')
    .max(2, 'must be a number from 1 to 2, e.g. 1.1')
    .default(1.1),
  DEMO_SIMULATION: booleanString.default(true),
  DEMO_SIMULATION_SPEED: z.coerce
    .number('must be a number from 1 to 1000')
    .min(1, 'must be a number from 1 to 1000')
    .max(1000, 'must be a number from 1 to 1000')
    .default(36),
  MONITORING_ALLOW: networkList.prefault(LOOPBACK_AND_PRIVATE_NETWORKS),
  PERSONAL_DATA_RETENTION_DAYS: integer(1, 3650).default(30),
  AUDIT_RETENTION_MONTHS: integer(1, 120).default(12),
  MONITORING_TOKEN: z.string().min(16, 'must have at least 16 characters, e.g. from openssl rand -hex 24').optional(),
  MAP_STYLE_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s):// address of a MapLibre style (style.json)' }).optional(),
  SMS_PROVIDER: z.enum(['local', 'twilio'], 'must be local or twilio').default('local'),
  SMS_SENDER_NAME: z.string().min(2).max(40).optional(),
  SMS_RATE_PER_SECOND: z.coerce.number('must be a number of texts per second').positive('must be above 0').max(10_000).default(10),
  SMS_QUIET_HOURS: quietHours.prefault('21:00-08:00'),
  SMS_MAX_PER_VOTER: integer(1, 20).default(3),
  SMS_RECONCILE_AFTER_SECONDS: integer(1, 3600).default(60),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be an account SID: AC and 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, "must be the account's auth token").optional(),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a Messaging Service SID: MG and 32 hex digits')
    .optional(),
  TWILIO_FROM_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 form, e.g. +33612345678')
    .optional(),
  TWILIO_API_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s):// address of a Twilio-compatible API' }).optional(),
});

export type Environment = z.infer<typeof EnvironmentSchema>;

/** Settings that only make sense together; each missing one is named. */
const CompleteEnvironmentSchema = EnvironmentSchema.superRefine((env, ctx) => {
  if (env.SMS_PROVIDER !== 'twilio') return;
  const missing = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
  if (!env.TWILIO_ACCOUNT_SID) missing('TWILIO_ACCOUNT_SID', 'is required with SMS_PROVIDER=twilio');
  if (!env.TWILIO_AUTH_TOKEN) missing('TWILIO_AUTH_TOKEN', 'is required with SMS_PROVIDER=twilio');
  if (!env.TWILIO_MESSAGING_SERVICE_SID && !env.TWILIO_FROM_NUMBER)
    missing('TWILIO_FROM_NUMBER', 'or TWILIO_MESSAGING_SERVICE_SID is required with SMS_PROVIDER=twilio');
  if (!env.PUBLIC_URL) missing('PUBLIC_URL', 'is required with SMS_PROVIDER=twilio: Twilio calls back at this address, and signs it');
});

export type Config = ReturnType<typeof buildConfig>;

function buildConfig(env: Environment) {
  const localMode = env.DATABASE_URL === undefined;
  const publicUrlConfigured = env.PUBLIC_URL !== undefined;
  const publicUrl = new URL(env.PUBLIC_URL ?? `http://localhost:${env.PORT}`);
  return {
    /** No DATABASE_URL: embedded PostgreSQL, in-process jobs, demo election. */
    localMode,
    development: env.NODE_ENV === 'development',
    host: env.HOST,
    port: env.PORT,
    publicUrl: publicUrl.origin,
    /**
     * Where this site's own pages come from, for the origin check of writes and sockets. The Host
     * header is never trusted for it (a DNS-rebinding page sends its own). Without PUBLIC_URL, Relance
     * runs on this machine, reached by any of its loopback names.
     */
    allowedOrigins: publicUrlConfigured
      ? [publicUrl.origin]
      : [publicUrl.origin, `http://127.0.0.1:${env.PORT}`, `http://[::1]:${env.PORT}`],
    /** False when publicUrl is only derived from PORT (PUBLIC_URL unset). */
    publicUrlConfigured,
    /** Cookies get the Secure flag when the public address is https (TLS at a proxy). */
    secureCookies: publicUrl.protocol === 'https:',
    trustProxy: env.TRUST_PROXY,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    dataDir: path.resolve(PROJECT_ROOT, env.DATA_DIR),
    logLevel: env.LOG_LEVEL,
    sessionHours: env.SESSION_HOURS,
    inviteHours: env.INVITE_HOURS,
    demoVoters: env.DEMO_VOTERS,
    /** A report above registered voters × this is refused (docs/watchers.md). */
    maxTurnoutRatio: env.MAX_TURNOUT_RATIO,
    /** Local mode: play the demo's polling day through the API (`relance simulate`), at this speed. */
    demoSimulation: localMode && env.DEMO_SIMULATION,
    demoSimulationSpeed: env.DEMO_SIMULATION_SPEED,
    /** Job workers run inside the web process in local mode; in production a worker node runs them. */
    runWorkers: env.RUN_WORKERS ?? localMode,
    /** Who may read /metrics and /readyz: these networks, or anyone with the token. */
    monitoringAllow: env.MONITORING_ALLOW,
    monitoringToken: env.MONITORING_TOKEN,
    /** Days after polling day by which an election's personal data should be purged (the war room reminds admins). */
    personalDataRetentionDays: env.PERSONAL_DATA_RETENTION_DAYS,
    /** Months the audit trail keeps its entries; only older ones may be removed. */
    auditRetentionMonths: env.AUDIT_RETENTION_MONTHS,
    /**
     * A MapLibre style drawn under the war room's map; null: no base map, and the map asks nothing of
     * any other server (docs/decisions/021-offline-map-style.md).
     */
    mapStyleUrl: env.MAP_STYLE_URL ?? null,
    /** Texting (docs/sms.md): local writes to the outbox page; twilio sends through Twilio. */
    sms: {
      provider: env.SMS_PROVIDER,
      /** Who every text says it is from (the CNIL requires it); default: the election's name. */
      senderName: env.SMS_SENDER_NAME ?? null,
      /** One limit for the whole deployment: the throughput provisioned at Twilio. */
      ratePerSecond: env.SMS_RATE_PER_SECOND,
      /** Minutes of the day in the election's timezone when nothing is sent; null: none. */
      quietHours: env.SMS_QUIET_HOURS,
      maxPerVoter: env.SMS_MAX_PER_VOTER,
      /** A text still in `sending` this long after a worker took it is looked up at the provider (a crash). */
      reconcileAfterSeconds: env.SMS_RECONCILE_AFTER_SECONDS,
      twilio: {
        accountSid: env.TWILIO_ACCOUNT_SID ?? null,
        authToken: env.TWILIO_AUTH_TOKEN ?? null,
        messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID ?? null,
        fromNumber: env.TWILIO_FROM_NUMBER ?? null,
        /** A Twilio-compatible API to send to instead of api.twilio.com (a rehearsal's stand-in). */
        apiUrl: env.TWILIO_API_URL ?? null,
      },
    },
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a bad value throws a ConfigError that names the variable and what to fix. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = CompleteEnvironmentSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      // URLs can hold passwords; tokens are secrets.
      const shown = value === undefined || /URL|TOKEN|SID/.test(name) ? '' : ` (got "${value}")`;
      return `  ${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`Invalid configuration, see .env.example:\n${lines.join('\n')}`);
  }
  return buildConfig(result.data);
}

/** The process's configuration, read once from the environment. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}

/** For a process entry: the configuration, or the message that says what to fix and exit code 1. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
