import type { AuditLog } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/database.ts';
import { createElectionPurge } from './people.purge.ts';
import type { LiveFeed } from '../realtime/realtime.feed.ts';
import { createPersonRights } from './people.rights.ts';

/** The people in the campaign's files, and the law about them: retention purge and a person's rights. */
export function createPeople(dependencies: { prisma: PrismaClient; clock: Clock; config: Config; audit: AuditLog; feed: LiveFeed }) {
  return {
    elections: createElectionPurge(dependencies),
    rights: createPersonRights(dependencies),
  };
}

export type People = ReturnType<typeof createPeople>;
