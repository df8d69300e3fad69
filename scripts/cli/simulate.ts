import readline from 'node:readline/promises';
import { createLogger } from '../../server/logger.ts';
import type { Services } from '../../server/services.ts';
import { startSimulator } from '../../server/simulator/simulator.driver.ts';
import { countSimulated, resetSimulation } from '../../server/simulator/simulator.reset.ts';
import { parseOptions, UsageError } from './args.ts';
import { withServices } from './open.ts';

async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError('No terminal to confirm on: add --yes to delete what earlier simulated days sent.');
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    prompt.close();
  }
}

/** Asks before deleting what earlier simulated days sent (unless --yes); false when the person says no. */
async function takeBack(services: Services, electionId: number, yes: boolean): Promise<boolean> {
  const earlier = await countSimulated(services, electionId);
  const total = earlier.reports + earlier.marks + earlier.flags;
  if (total > 0 && !yes) {
    const what = `${earlier.reports} reports, ${earlier.marks} strike-list marks and ${earlier.flags} flags`;
    if (!(await confirmed(`This deletes the ${what} sent by simulated watchers. Type yes to go on: `))) return false;
  }
  const deleted = await resetSimulation(services, electionId);
  console.log(
    `Deleted ${deleted.reports} simulated reports, ${deleted.marks} marks and ${deleted.flags} flags; the election is back on the wall clock.`,
  );
  return true;
}

/**
 * relance simulate [--speed <x>] [--restart] [--stop] [--yes] [--url <base>]
 * Plays a polling day over the current election through the running Relance's API (docs/watchers.md).
 */
export async function simulate(args: string[]): Promise<void> {
  const { values } = parseOptions(args, {
    speed: { type: 'string' },
    restart: { type: 'boolean' },
    stop: { type: 'boolean' },
    yes: { type: 'boolean' },
    url: { type: 'string' },
  });
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  if (speed !== undefined && !(Number.isFinite(speed) && speed >= 1 && speed <= 100_000)) {
    throw new UsageError(`--speed must be a number from 1 to 100000, simulated seconds per real second (got ${String(values.speed)}).`);
  }
  await withServices(async (services) => {
    const election = await services.elections.requireCurrent();
    if (values.stop) {
      await takeBack(services, election.id, Boolean(values.yes));
      return;
    }
    if (values.restart && !(await takeBack(services, election.id, Boolean(values.yes)))) {
      console.log('Nothing deleted; the simulated day goes on where it is.');
      return;
    }
    // In local mode, services.config.publicUrl is the running server's address (scripts/cli/open.ts).
    const baseUrl = (values.url ?? services.config.publicUrl).replace(/\/+$/, '');
    const health = await fetch(`${baseUrl}/healthz`).catch(() => null);
    if (!health?.ok) {
      throw new UsageError(`No Relance answers at ${baseUrl}: start it (npm start), or give its address with --url.`);
    }
    const run = await startSimulator(services, {
      baseUrl,
      speed: speed ?? services.config.demoSimulationSpeed,
      log: createLogger(services.config.logLevel),
    });
    console.log(`Simulating polling day of ${election.name} through ${baseUrl}. Stop with Ctrl-C; run again to resume.`);
    const stop = () => void run.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const summary = await run.finished;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (summary.outcome === 'ended') {
      console.log('The simulated polling day is over. Replay it with: npx relance simulate --restart');
      return;
    }
    console.log(
      `${summary.outcome === 'completed' ? 'Polls closed' : 'Stopped'}: ${summary.reports} reports stored, ${summary.repeated} sent again, ` +
        `${summary.refused} refused as implausible, ${summary.marks} supporters marked, ${summary.flags} flags, ${summary.failed} failed.`,
    );
  });
}
