/**
 * Setting an election's turnout curve: from the official figures of a comparable past election (turnout at
 * 12h and 17h and at the close, in percent), or from its hourly history. Stored as shares of the final by
 * local hour in `election.turnout_curve`, which `curveFromHourly` reads back.
 */
import type { AuditLog } from '../audit/audit.service.ts';
import type { Principal } from '../auth/auth.roles.ts';
import type { PrismaClient } from '../db/database.ts';
import { Prisma } from '../db/generated/client.ts';
import { localTimeOf } from '../elections/elections.time.ts';
import { InvalidInput, NotFound } from '../errors.ts';
import {
  curveAt,
  curveFromHourly,
  CurveError,
  dayFractionOf,
  minutesOfDay,
  sharesFromHistory,
  sharesFromOfficialFigures,
  type HourlyShares,
} from './turnout.curve.ts';

export type CurveSource =
  /** Percentages of registered voters who had voted at 12h, at 17h and at the close. */
  | { noon: number; fivePm: number; final: number }
  /** Cumulative counts (or percentages) by local hour, the last hour being the close. */
  | { history: Record<string, number> };

interface Dependencies {
  prisma: PrismaClient;
  audit: AuditLog;
}

export function createTurnoutCurves({ prisma, audit }: Dependencies) {
  return {
    /** The curve's shares as they will be stored; an impossible curve is an InvalidInput naming the field. */
    sharesOf(source: CurveSource, hours: { opens: string; closes: string }): HourlyShares {
      if ('history' in source) {
        try {
          const shares = sharesFromHistory(source.history);
          curveFromHourly(shares, hours);
          return shares;
        } catch (error) {
          if (error instanceof CurveError) throw new InvalidInput(error.message, 'history');
          throw error;
        }
      }
      const { noon, fivePm, final } = source;
      if (!(final > 0 && final <= 100)) throw new InvalidInput('The final turnout must be a percentage above 0 and at most 100.', 'final');
      if (!(noon >= 0 && noon <= final)) throw new InvalidInput('The turnout at 12h must be between 0 and the final turnout.', 'noon');
      if (!(fivePm >= noon && fivePm <= final))
        throw new InvalidInput('The turnout at 17h must be between the one at 12h and the final turnout.', 'fivePm');
      const shares = sharesFromOfficialFigures({ '12': noon, '17': fivePm }, final);
      try {
        curveFromHourly(shares, hours);
      } catch (error) {
        if (error instanceof CurveError)
          throw new InvalidInput(`${error.message} Give a history of this election's own hours instead.`, 'noon');
        throw error;
      }
      return shares;
    },

    /**
     * The curve of an election as an admin reviews it: the stored shares (null: the default curve) and the
     * share of the final expected at each full hour of polling day.
     */
    async describe(electionId: number) {
      const election = await prisma.election.findUnique({ where: { id: electionId } });
      if (!election) throw new NotFound(`No election ${electionId}.`);
      const hours = {
        opens: localTimeOf(election.pollsOpenAt, election.timezone),
        closes: localTimeOf(election.pollsCloseAt, election.timezone),
      };
      const shares = (election.turnoutCurve as HourlyShares | null) ?? null;
      const curve = curveFromHourly(shares, hours);
      const byHour: { hour: string; share: number }[] = [];
      for (let minute = Math.ceil(minutesOfDay(hours.opens) / 60) * 60 + 60; minute <= minutesOfDay(hours.closes); minute += 60) {
        const hour = `${String(minute / 60).padStart(2, '0')}:00`;
        byHour.push({ hour, share: curveAt(curve, dayFractionOf(hour, hours)) });
      }
      return { electionId, election: election.name, hours, shares, byHour };
    },

    /** Sets the curve of election `electionId`; `null` goes back to the default curve. */
    async set(electionId: number, source: CurveSource | null, actor: Principal | null) {
      const election = await prisma.election.findUnique({ where: { id: electionId } });
      if (!election) throw new NotFound(`No election ${electionId}.`);
      const hours = {
        opens: localTimeOf(election.pollsOpenAt, election.timezone),
        closes: localTimeOf(election.pollsCloseAt, election.timezone),
      };
      const shares = source === null ? null : this.sharesOf(source, hours);
      await prisma.$transaction(async (tx) => {
        await tx.election.update({ where: { id: electionId }, data: { turnoutCurve: shares ?? Prisma.DbNull } });
        await audit.record(tx, {
          actor,
          action: 'election.curve',
          subjectType: 'election',
          subjectId: electionId,
          details: { hours: shares ? Object.keys(shares).length : 0 },
        });
      });
      return { election: election.name, hours, shares };
    },
  };
}

export type TurnoutCurves = ReturnType<typeof createTurnoutCurves>;
