import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EnvironmentSchema, PROJECT_ROOT } from '../../server/config.ts';

/**
 * No Docker engine runs the tests, so the deployment files are checked as text: the wiring between
 * services, the image's stages and user, and that the configuration they pass is what the app reads.
 */

interface Service {
  build?: string | { context?: string; dockerfile?: string };
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: string[];
  ports?: (string | number)[];
  restart?: string;
}

interface Compose {
  version?: unknown;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function read(file: string): string {
  return fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
}

// Compose honours YAML merge keys (`<<: *anchor`), so the test must too.
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

function commandLine(command: string | string[] | undefined): string {
  return Array.isArray(command) ? command.join(' ') : (command ?? '');
}

/** Compose's `${NAME}`, `${NAME:-default}` interpolation, with the values a `.env` would give. */
function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_match, name: string, fallback?: string) => variables[name] ?? fallback ?? '');
}

function healthTest(service: Service): string {
  return commandLine(service.healthcheck?.test);
}

/** Dockerfile instructions, continuation lines joined and comments dropped. */
function dockerfileInstructions(text: string): { instruction: string; args: string }[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return logical.map((line) => {
    const [instruction, ...rest] = line.split(/\s+/);
    return { instruction: instruction!.toUpperCase(), args: rest.join(' ') };
  });
}

describe('docker-compose.yml', () => {
  it('has exactly the four services, all restarted unless stopped, and no obsolete version key', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'postgres', 'redis', 'worker']);
    expect(compose.version).toBeUndefined();
    for (const service of Object.values(services)) expect(service.restart).toBe('unless-stopped');
  });

  it('builds the app and the worker from the Dockerfile into the same image', () => {
    for (const name of ['app', 'worker']) {
      const build = services[name]!.build;
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = typeof build === 'string' ? undefined : build?.dockerfile;
      expect(context).toBe('.');
      expect(dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    }
    expect(services.app!.image).toBe('relance:local');
    expect(services.worker!.image).toBe(services.app!.image);
  });

  it('points the app and the worker at the postgres and redis services', () => {
    for (const name of ['app', 'worker']) {
      const env = environment(services[name]!);
      expect(env.DATABASE_URL).toBe('postgresql://relance:${POSTGRES_PASSWORD}@postgres:5432/relance');
      const database = new URL(interpolate(env.DATABASE_URL!, { POSTGRES_PASSWORD: 'secret' }));
      expect([database.protocol, database.username, database.password, database.hostname, database.port, database.pathname]).toEqual([
        'postgresql:',
        'relance',
        'secret',
        'postgres',
        '5432',
        '/relance',
      ]);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(new URL(env.REDIS_URL!).hostname).toBe('redis');
      expect(env.PUBLIC_URL).toBe('${PUBLIC_URL:-http://localhost:3000}');
    }
  });

  it('passes the app and the worker only variables the configuration knows, with valid values', () => {
    const known = Object.keys(EnvironmentSchema.shape);
    for (const name of ['app', 'worker']) {
      const env = environment(services[name]!);
      expect(Object.keys(env).length).toBeGreaterThan(0);
      for (const key of Object.keys(env)) expect(known).toContain(key);
      // What the container sees with only POSTGRES_PASSWORD in .env: the defaults must parse.
      const resolved = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [key, interpolate(value, { POSTGRES_PASSWORD: 'secret' })]),
      );
      const parsed = EnvironmentSchema.safeParse(resolved);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(parsed.data?.PUBLIC_URL).toBe('http://localhost:3000');
    }
  });

  it('runs the web node with the image command on a published port 3000, and the worker with server/worker.ts', () => {
    expect(services.app!.command).toBeUndefined();
    expect(services.app!.ports?.map(String)).toEqual(['3000:3000']);
    expect(commandLine(services.worker!.command)).toBe('node --import tsx server/worker.ts');
    expect(services.worker!.ports).toBeUndefined();
    // The image's HEALTHCHECK probes the web port; a worker would always be reported unhealthy.
    expect(services.worker!.healthcheck).toEqual({ disable: true });
  });

  it('starts the app and the worker only once postgres and redis are healthy', () => {
    for (const name of ['app', 'worker']) {
      expect(services[name]!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
  });

  it('runs PostgreSQL 16 with a required password, a pg_isready healthcheck and a named volume', () => {
    const postgres = services.postgres!;
    expect(postgres.image).toMatch(/^postgres:16(\b|$)/);
    expect(environment(postgres)).toEqual({
      POSTGRES_DB: 'relance',
      POSTGRES_USER: 'relance',
      POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}',
    });
    expect(environment(postgres).POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(healthTest(postgres)).toContain('pg_isready -U relance -d relance');
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(postgres.ports).toBeUndefined();
  });

  it('runs Redis 7 with an append-only file, no eviction, a ping healthcheck and a named volume', () => {
    const redis = services.redis!;
    expect(redis.image).toMatch(/^redis:7(\b|$)/);
    const command = commandLine(redis.command);
    expect(command).toMatch(/^redis-server /);
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(healthTest(redis)).toContain('redis-cli ping');
    expect(redis.volumes).toEqual(['redis-data:/data']);
    expect(redis.ports).toBeUndefined();
  });

  it('declares every named volume at the top level', () => {
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['postgres-data', 'redis-data']);
    const used = Object.values(services).flatMap((service) => (service.volumes ?? []).map((volume) => volume.split(':')[0]!));
    expect(used.sort()).toEqual(['postgres-data', 'redis-data']);
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfileInstructions(read('Dockerfile'));
  const lastFrom = instructions.map((i) => i.instruction).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const args = (instruction: string, within = instructions) => within.filter((i) => i.instruction === instruction).map((i) => i.args);

  it('builds in stages from a Node image: deps, build, prod-deps, runtime', () => {
    const stages = args('FROM').map((from) => from.match(/\bAS\s+(\S+)$/i)?.[1]);
    expect(stages).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    const nodeImage = args('ARG').find((arg) => arg.startsWith('NODE_IMAGE='));
    expect(nodeImage).toMatch(/^NODE_IMAGE=node:\d+-bookworm-slim$/);
  });

  it('installs only production dependencies, without install scripts, for the runtime', () => {
    const runs = args('RUN');
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true);
    const prodInstall = runs.filter((run) => /\bnpm ci\b/.test(run) && run.includes('--omit=dev'));
    expect(prodInstall).toHaveLength(1);
    expect(prodInstall[0]).toContain('--ignore-scripts');
    expect(args('COPY', runtime)).toContain('--from=prod-deps /app/node_modules ./node_modules');
    expect(args('COPY', runtime)).toContain('--from=build /app/server/db/generated ./server/db/generated');
    expect(args('COPY', runtime)).toContain('--from=build /app/build ./build');
  });

  it('runs as the unprivileged node user, in production mode, listening on all interfaces on 3000', () => {
    const users = args('USER', runtime);
    expect(users).toEqual(['node']);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const env = args('ENV', runtime).join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(args('EXPOSE', runtime)).toEqual(['3000']);
  });

  it('checks its health on /healthz with node itself and starts the web node', () => {
    const [healthcheck] = args('HEALTHCHECK', runtime);
    expect(healthcheck).toMatch(/\bCMD \["node", "-e", /);
    expect(healthcheck).toContain("fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz')");
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
    const cmd = args('CMD', runtime).at(-1)!;
    expect(JSON.parse(cmd)).toEqual(['node', '--import', 'tsx', 'server/web.ts']);
  });
});

describe('.dockerignore', () => {
  it('keeps host-installed, generated and local-state files out of the build context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const pattern of [
      'node_modules',
      '.data',
      'build',
      '.react-router',
      'server/db/generated',
      '.git',
      '.env',
      'tests/.artifacts',
      'coverage',
      '*.log',
    ]) {
      expect(patterns).toContain(pattern);
    }
  });
});
