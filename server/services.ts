import { createAuditLog } from './audit/audit.service.ts';
import { createAuditTrail } from './audit/audit.trail.ts';
import { createAccounts } from './auth/auth.accounts.ts';
import { createAuthService } from './auth/auth.service.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { createElections } from './elections/elections.service.ts';
import { createGeo } from './geo/geo.service.ts';
import { createImports } from './imports/imports.service.ts';
import type { JobBroker } from './jobs/jobs.broker.ts';
import type { Logger } from './logger.ts';
import { createPeople } from './people/people.service.ts';
import { createTurnout } from './turnout/turnout.service.ts';

export interface ServiceDependencies {
  db: Database;
  broker: JobBroker;
  clock: Clock;
  config: Config;
  log: Logger;
}

/** Every domain service, built once per process and handed to routes, API handlers and sockets. */
export function createServices({ db, broker, clock, config, log }: ServiceDependencies) {
  const { prisma, pool } = db;
  const audit = createAuditLog();
  const elections = createElections(prisma);
  return {
    config,
    log,
    clock,
    broker,
    db,
    audit,
    elections,
    auth: createAuthService({ prisma, clock, config, audit }),
    accounts: createAccounts({ prisma, clock, config, audit, elections }),
    geo: createGeo({ prisma, elections }),
    imports: createImports({ prisma, pool, audit }),
    turnout: createTurnout({ prisma, clock, elections }),
    people: createPeople({ prisma, clock, config, audit }),
    auditTrail: createAuditTrail({ prisma, clock, config, audit }),
  };
}

export type Services = ReturnType<typeof createServices>;
