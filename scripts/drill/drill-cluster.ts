/**
 * What a fault drill runs Relance on, every part a real process of its own on a free port, so that
 * any of them can be stopped, killed and started again: PostgreSQL (the embedded binaries, in a
 * temporary folder), Redis (with or without its append-only file), two web nodes sharing the live
 * feed through Redis, a worker node, and a small TCP load balancer in front of the web nodes that
 * sends each new connection to the next node that accepts it (as a proxy with health checks fails
 * over). Everything started here is stopped by `stop()`, also after a failure or an interrupt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/config.ts';
import { startLocalPostgres, type LocalPostgres } from '../../server/db/local-postgres.ts';
import { freePort } from '../../server/free-port.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A process of the cluster: how to start it, and the running child. */
interface Supervised {
  name: string;
  start(): Promise<void>;
  child: ChildProcess | null;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Resolves once `url` answers 200, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Round robin over the web nodes; a node that refuses the connection is skipped for the next. */
function startBalancer(backends: number[], port: number): Promise<net.Server> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    client.pause();
    const tryNode = (attempt: number) => {
      if (attempt >= backends.length) return client.destroy();
      const port = backends[next++ % backends.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      // Refused (the node is down): the next node. Once connected, an error closes the client's connection.
      upstream.once('error', () => {
        if (!connected) tryNode(attempt + 1);
      });
    };
    tryNode(0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      // close() must not wait for kept-alive connections.
      const close = server.close.bind(server);
      server.close = (callback) => {
        for (const socket of sockets) socket.destroy();
        return close(callback);
      };
      resolve(server);
    });
  });
}

/** The Twilio stand-in's account: made up, and only ever sent to that stand-in. */
const TWILIO = {
  accountSid: `AC${'d'.repeat(32)}`,
  authToken: 'drill-stand-in-auth-token',
  // In the range ARCEP keeps for fiction (06 39 98): it can reach nobody.
  fromNumber: '+33639989999',
};

export interface ClusterOptions {
  /** Redis's append-only file: a Redis killed and started again keeps its data, or starts empty. */
  redisAppendOnly: boolean;
  /** Texts go to a Twilio stand-in (scripts/fake-twilio), a process of its own, at this rate. */
  sms?: { ratePerSecond: number };
  /** Where the processes' logs go (a temporary folder by default). */
  logDir?: string;
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

export async function startCluster(options: ClusterOptions) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relance-drill-'));
  // As root, PostgreSQL runs as the unprivileged postgres user, which must be able to enter the folder.
  fs.chmodSync(dir, 0o755);
  const logDir = options.logDir ?? path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const [postgresPort, redisPort, balancerPort, twilioPort] = ports as [number, number, number, number];
  const webPortList = ports.slice(4) as [number, number];
  const pgDataDir = path.join(dir, 'postgres-data');
  let postgres: LocalPostgres | null = null;
  let databaseUrl = '';
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redisDir = path.join(dir, 'redis');
  fs.mkdirSync(redisDir);
  const processes: Supervised[] = [];
  let balancer: net.Server | null = null;
  let stopped = false;
  let keepLogs = false;

  async function startPostgres() {
    // Durable settings: a stop and start must keep what was committed, as a production server does.
    postgres = await startLocalPostgres({ dataDir: pgDataDir, exclusive: true, port: postgresPort });
    databaseUrl = postgres.url;
  }

  function logStream(name: string) {
    return fs.openSync(path.join(logDir, `${name}.log`), 'a');
  }

  function supervise(
    name: string,
    command: string,
    args: () => string[],
    ready: (child: ChildProcess) => Promise<void>,
    env: () => Record<string, string> = () => ({}),
  ): Supervised {
    const entry: Supervised = {
      name,
      child: null,
      async start() {
        const log = logStream(name);
        const child = spawn(command, args(), {
          cwd: PROJECT_ROOT,
          stdio: ['ignore', log, log],
          env: { ...process.env, ...env() },
        });
        fs.closeSync(log);
        entry.child = child;
        const failed = new Promise<never>((_, reject) =>
          child.once('exit', (code, signal) =>
            reject(new Error(`${name} exited (${signal ?? code}) while starting; see ${logDir}/${name}.log`)),
          ),
        );
        failed.catch(() => {});
        await Promise.race([ready(child), failed]);
      },
    };
    processes.push(entry);
    return entry;
  }

  let redisAppendOnly = options.redisAppendOnly;
  const redis = supervise(
    'redis',
    'redis-server',
    () => [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      redisDir,
      '--save',
      '',
      '--appendonly',
      redisAppendOnly ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      // As docs/operations.md asks of a production Redis: BullMQ's jobs must never be evicted.
      '--maxmemory-policy',
      'noeviction',
    ],
    async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
          const socket = net.connect(redisPort, '127.0.0.1', () => {
            socket.end('PING\r\n');
          });
          socket.once('data', (chunk) => resolve(chunk.toString().startsWith('+PONG')));
          socket.once('error', () => resolve(false));
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
        await sleep(50);
      }
    },
  );

  const twilioUrl = `http://127.0.0.1:${twilioPort}`;
  const twilio = options.sms
    ? supervise(
        'twilio',
        process.execPath,
        () => [
          '--import',
          'tsx',
          'scripts/fake-twilio/fake-twilio.ts',
          '--port',
          String(twilioPort),
          '--account-sid',
          TWILIO.accountSid,
          '--auth-token',
          TWILIO.authToken,
        ],
        () => waitForHttp(`${twilioUrl}/fake/accepted`, 60_000),
      )
    : null;
  const smsEnv = (): Record<string, string> =>
    options.sms
      ? {
          SMS_PROVIDER: 'twilio',
          SMS_RATE_PER_SECOND: String(options.sms.ratePerSecond),
          SMS_QUIET_HOURS: 'none',
          SMS_RECONCILE_AFTER_SECONDS: '2',
          TWILIO_ACCOUNT_SID: TWILIO.accountSid,
          TWILIO_AUTH_TOKEN: TWILIO.authToken,
          TWILIO_FROM_NUMBER: TWILIO.fromNumber,
          TWILIO_API_URL: twilioUrl,
          // Where Twilio would call back; the stand-in does not.
          PUBLIC_URL: `http://127.0.0.1:${balancerPort}`,
        }
      : {};
  const relanceEnv = () => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '10',
    ...smsEnv(),
  });
  const webs = webPortList.map((port, index) =>
    supervise(
      `web-${index + 1}`,
      process.execPath,
      () => ['--import', 'tsx', 'server/web.ts'],
      () => waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000),
      () => ({ ...relanceEnv(), PORT: String(port) }),
    ),
  );
  const worker = supervise(
    'worker',
    process.execPath,
    () => ['--import', 'tsx', 'server/worker.ts'],
    async (child) => {
      // The worker has no port: it is ready when it says so in its log.
      const file = path.join(logDir, 'worker.log');
      const from = fs.existsSync(file) ? fs.statSync(file).size : 0;
      const deadline = Date.now() + 60_000;
      while (!fs.readFileSync(file, 'utf8').slice(from).includes('worker ready')) {
        if (child.exitCode !== null) throw new Error('worker exited');
        if (Date.now() > deadline) throw new Error('the worker did not start within 60 s');
        await sleep(100);
      }
    },
    () => ({ ...relanceEnv(), LOG_LEVEL: 'info' }),
  );

  async function kill(entry: Supervised, signal: NodeJS.Signals = 'SIGKILL') {
    const child = entry.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited(child);
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    await new Promise<void>((resolve) => (balancer ? balancer.close(() => resolve()) : resolve()));
    // Web nodes and the worker first, as SIGTERM stops them in production; killed if they hang.
    await Promise.all(
      [...webs, worker].map(async (entry) => {
        const child = entry.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited(child);
        clearTimeout(timer);
      }),
    );
    await kill(redis);
    if (twilio) await kill(twilio, 'SIGTERM');
    await postgres?.stop();
    // The logs stay when asked (a scenario failed: they tell why); the data never does.
    for (const entry of fs.readdirSync(dir)) {
      if (!(keepLogs && path.join(dir, entry) === logDir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
    if (!keepLogs) fs.rmSync(dir, { recursive: true, force: true });
  }

  try {
    await startPostgres();
    await redis.start();
    await twilio?.start();
    return {
      dir,
      logDir,
      get databaseUrl() {
        return databaseUrl;
      },
      redisUrl,
      /** What a process opening Relance beside the nodes needs besides DATABASE_URL and REDIS_URL (the SMS settings). */
      smsEnv,
      /** The Twilio stand-in's append-only log: every text it accepted. */
      async textsAccepted(): Promise<{ sid: string; to: string }[]> {
        if (!twilio) return [];
        const response = await fetch(`${twilioUrl}/fake/accepted`);
        return (await response.json()) as { sid: string; to: string }[];
      },
      balancerUrl: `http://127.0.0.1:${balancerPort}`,
      webUrls: webPortList.map((port) => `http://127.0.0.1:${port}`),
      /** The web nodes, the worker and the load balancer, once the database is set up. */
      async startRelance() {
        // Together: the database is migrated already (the drill set it up), so none has anything to apply.
        await Promise.all([...webs, worker].map((entry) => entry.start()));
        balancer = await startBalancer(webPortList, balancerPort);
      },
      async killWeb(index: number) {
        await kill(webs[index]!);
      },
      async startWeb(index: number) {
        await webs[index]!.start();
      },
      async killWorker() {
        await kill(worker);
      },
      async startWorker() {
        await worker.start();
      },
      /** PostgreSQL's fast shutdown: open transactions rolled back, every connection closed. */
      async stopPostgres() {
        await postgres?.stop();
        postgres = null;
      },
      startPostgres,
      async killRedis() {
        await kill(redis);
      },
      async startRedis() {
        await redis.start();
      },
      /** Redis started again with its append-only file on or off, and no data. */
      async setRedisAppendOnly(appendOnly: boolean) {
        if (appendOnly === redisAppendOnly) return;
        await kill(redis);
        fs.rmSync(redisDir, { recursive: true, force: true });
        fs.mkdirSync(redisDir);
        redisAppendOnly = appendOnly;
        await redis.start();
      },
      /** Leaves the processes' logs in logDir after stop(). */
      keepLogs() {
        keepLogs = true;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
