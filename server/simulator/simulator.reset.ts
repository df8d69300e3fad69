import type { Services } from '../services.ts';
import { simulatorTokenIds } from './simulator.watchers.ts';

export interface SimulatedRecords {
  reports: number;
  marks: number;
  flags: number;
}

/** What earlier simulated days left: everything sent with the simulator's tokens. */
export async function countSimulated(services: Services, electionId: number): Promise<SimulatedRecords> {
  const { prisma } = services.db;
  const apiTokenId = { in: await simulatorTokenIds(services, electionId) };
  const [reports, marks, flags] = await Promise.all([
    prisma.turnoutReport.count({ where: { apiTokenId } }),
    prisma.voteMark.count({ where: { apiTokenId } }),
    prisma.stationFlag.count({ where: { apiTokenId } }),
  ]);
  return { reports, marks, flags };
}

/**
 * Takes back earlier simulated days (`relance simulate --restart` and `--stop`), in one transaction:
 * - deletes the reports, marks and flags sent with the simulator's tokens (and nothing else);
 * - clears the voted time of the voters those marks set (voted_source 'api'; a voter a person or
 *   an import marked keeps theirs);
 * - sets each station's standing count back to the latest accepted report left, read at or before
 *   the others (the rule in docs/watchers.md), or to none;
 * - returns the election to the wall clock (the caller starts a new day, or not).
 * Pages and dashboards see the reset on their next snapshot.
 */
export async function resetSimulation(services: Services, electionId: number): Promise<SimulatedRecords> {
  const { prisma } = services.db;
  const tokenIds = await simulatorTokenIds(services, electionId);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`
      UPDATE voter v SET voted_at = NULL, voted_source = NULL
      FROM vote_mark m
      WHERE m.api_token_id = ANY(${tokenIds}::int[]) AND m.action = 'mark'
        AND v.station_id = m.station_id AND v.list_number = ANY(m.list_numbers) AND v.voted_source = 'api'`;
    const reports = await tx.turnoutReport.deleteMany({ where: { apiTokenId: { in: tokenIds } } });
    const marks = await tx.voteMark.deleteMany({ where: { apiTokenId: { in: tokenIds } } });
    const flags = await tx.stationFlag.deleteMany({ where: { apiTokenId: { in: tokenIds } } });
    await tx.$executeRaw`
      UPDATE polling_station s SET reported_voters = latest.voters, reported_at = latest.observed_at
      FROM polling_station p
      LEFT JOIN LATERAL (
        SELECT r.voters, r.observed_at FROM turnout_report r
        WHERE r.station_id = p.id AND r.status = 'accepted' AND NOT r.rehearsal
        ORDER BY r.observed_at DESC, r.received_at DESC LIMIT 1
      ) latest ON true
      WHERE s.id = p.id AND p.election_id = ${electionId}`;
    await tx.electionSimulation.deleteMany({ where: { electionId } });
    const deleted = { reports: reports.count, marks: marks.count, flags: flags.count };
    await services.audit.record(tx, {
      actor: null,
      action: 'simulation.reset',
      subjectType: 'election',
      subjectId: electionId,
      details: deleted,
    });
    return deleted;
  });
}
