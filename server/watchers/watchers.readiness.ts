import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';
import type { Elections } from '../elections/elections.service.ts';

export interface WatcherReadiness {
  id: number;
  name: string;
  stations: { code: string; name: string }[];
  /** Whether they have opened their invite and set up their phone. */
  signedIn: boolean;
  /** The last time their phone was heard from: a page, a report. */
  lastSeenAt: string | null;
  /** Whether a report of theirs arrived during a rehearsal. */
  sentTestReport: boolean;
  disabled: boolean;
}

export interface ReadinessBoard {
  election: { id: number; name: string; rehearsal: boolean };
  watchers: WatcherReadiness[];
  /** Stations with no watcher assigned. */
  uncoveredStations: number;
}

function latest(...dates: (Date | null | undefined)[]): Date | null {
  const times = dates.filter((date): date is Date => date instanceof Date).map((date) => date.getTime());
  return times.length > 0 ? new Date(Math.max(...times)) : null;
}

/**
 * The readiness board: before polling day, who of the watchers has signed in and sent a test
 * report during a rehearsal. A rehearsal the day before is how Orca's sign-in failures would have
 * been found in time.
 */
export function createReadiness({ prisma, elections, audit }: { prisma: PrismaClient; elections: Elections; audit: AuditLog }) {
  return {
    async board(): Promise<ReadinessBoard | null> {
      const election = await elections.current();
      if (!election) return null;
      const [watchers, uncoveredStations] = await Promise.all([
        prisma.user.findMany({
          where: { role: 'watcher' },
          orderBy: { name: 'asc' },
          select: {
            id: true,
            name: true,
            lastLoginAt: true,
            disabledAt: true,
            assignments: { where: { station: { electionId: election.id } }, select: { station: { select: { code: true, name: true } } } },
            sessions: { orderBy: { lastSeenAt: 'desc' }, take: 1, select: { lastSeenAt: true } },
            reports: { orderBy: { receivedAt: 'desc' }, take: 1, select: { receivedAt: true } },
            _count: { select: { reports: { where: { rehearsal: true } } } },
          },
        }),
        prisma.pollingStation.count({ where: { electionId: election.id, assignments: { none: {} } } }),
      ]);
      return {
        election: { id: election.id, name: election.name, rehearsal: election.rehearsal },
        uncoveredStations,
        watchers: watchers
          .filter((watcher) => watcher.assignments.length > 0)
          .map((watcher) => ({
            id: watcher.id,
            name: watcher.name,
            stations: watcher.assignments.map((assignment) => assignment.station).sort((a, b) => a.code.localeCompare(b.code)),
            signedIn: watcher.lastLoginAt !== null,
            lastSeenAt: latest(watcher.lastLoginAt, watcher.sessions[0]?.lastSeenAt, watcher.reports[0]?.receivedAt)?.toISOString() ?? null,
            sentTestReport: watcher._count.reports > 0,
            disabled: watcher.disabledAt !== null,
          })),
      };
    },

    /** Turns the rehearsal on or off: while on, reports and marks are stored as tests, never counted. */
    async setRehearsal(actor: Principal, electionId: number, rehearsal: boolean): Promise<void> {
      await prisma.$transaction(async (tx) => {
        await tx.election.update({ where: { id: electionId }, data: { rehearsal } });
        await audit.record(tx, {
          actor,
          action: rehearsal ? 'rehearsal.start' : 'rehearsal.end',
          subjectType: 'election',
          subjectId: electionId,
        });
      });
    },
  };
}

export type Readiness = ReturnType<typeof createReadiness>;
