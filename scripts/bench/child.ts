/**
 * A benchmark's helper process (load, dashboards, a bare server), forked with tsx, asked one thing at a time
 * over IPC. Each helper exits when its parent goes, so an interrupted benchmark leaves nothing running.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface Helper<Command, Answer> {
  child: ChildProcess;
  ask(command: Command): Promise<Answer>;
  /** Kills the process if it is still running. */
  stop(): void;
}

export function startHelper<Command, Answer extends { type: string }>(script: string, name: string): Helper<Command, Answer> {
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve: (answer: Answer) => void; reject: (error: Error) => void } | null = null;
  child.on('message', (message: Answer | { type: 'failed'; message: string }) => {
    const current = waiting;
    waiting = null;
    if (message.type === 'failed') current?.reject(new Error(`${name} failed: ${(message as { message: string }).message}`));
    else current?.resolve(message as Answer);
  });
  child.on('exit', (code, signal) => {
    waiting?.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
    waiting = null;
  });
  return {
    child,
    ask(command) {
      if (waiting) throw new Error(`${name} is already busy`);
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        child.send(command as object);
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/**
 * The helper's side: answers each command with what `handle` returns, reports a failure as `failed` and
 * exits, and exits when the parent goes.
 */
export function serveHelper<Command, Answer>(scriptName: string, handle: (command: Command) => Promise<Answer>): void {
  if (!process.send) {
    process.stderr.write(`${scriptName} is run by a benchmark (npm run bench), not on its own.\n`);
    process.exit(2);
  }
  const reply = (message: unknown) =>
    new Promise<void>((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command: Command) => {
    handle(command)
      .then(reply)
      .catch(async (error: unknown) => {
        await reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => {});
        process.exit(1);
      });
  });
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();
