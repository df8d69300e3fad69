import type { AuditLog } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type pg from 'pg';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';
import type { Logger } from '../logger.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import type { TurnoutStream } from '../turnout/turnout.stream.ts';
import { createVolunteerLists } from './chase.access.ts';
import { createChaseBuilder } from './chase.builder.ts';
import { createChaseCalls } from './chase.claims.ts';
import { createChaseExports } from './chase.exports.ts';
import { createChaseLists } from './chase.lists.ts';

interface Dependencies {
  prisma: PrismaClient;
  pool: pg.Pool;
  clock: Clock;
  elections: Elections;
  liveTurnout: TurnoutStream;
  feed: LiveFeed;
  audit: AuditLog;
  log: Logger;
}

/** Chase lists (docs/chase-lists.md): built from the live turnout, worked by volunteers, arranged by coordinators. */
export function createChase(dependencies: Dependencies) {
  const volunteerLists = createVolunteerLists(dependencies);
  return {
    builder: createChaseBuilder(dependencies),
    lists: createChaseLists(dependencies),
    calls: createChaseCalls({ ...dependencies, volunteerLists }),
    volunteerLists,
    exports: createChaseExports(dependencies),
  };
}

export type Chase = ReturnType<typeof createChase>;
