import { DEMO_ELECTION } from '../demo/demo.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { startSimulator, type SimulatorRun } from './simulator.driver.ts';

/**
 * Local mode's demo (`npm start`): the web process plays the demo's polling day over its own API,
 * taking it up where the election's simulated clock is after a restart. Only over the demo
 * election: an election someone imported is never filled with simulated reports unasked. A failure
 * is logged and leaves the server running.
 */
export async function startDemoSimulation(
  services: Services,
  options: { baseUrl: string; speed: number; log: Logger },
): Promise<SimulatorRun | undefined> {
  try {
    const election = await services.elections.current();
    if (election?.name !== DEMO_ELECTION.name) {
      options.log.info('demo simulation: the current election is not the demo, nothing to simulate');
      return undefined;
    }
    const run = await startSimulator(services, options);
    run.finished.catch((error: unknown) => options.log.error({ err: { message: (error as Error).message } }, 'demo simulation failed'));
    return run;
  } catch (error) {
    options.log.error({ err: { message: (error as Error).message } }, 'demo simulation could not start');
    return undefined;
  }
}
