import { createHash } from 'node:crypto';
import { canActOnStation } from '../auth/auth.guards.ts';
import { principalOfUser } from '../auth/auth.service.ts';
import type { PrismaClient } from '../db/database.ts';
import type { User } from '../db/generated/client.ts';
import { electionTime } from '../elections/elections.clock.ts';
import type { Elections } from '../elections/elections.service.ts';
import type { Reports } from '../watchers/watchers.reports.ts';
import { readStationReport } from './sms.report-grammar.ts';
import { replyLocale, reportRefusedReply, reportStoredReply, type WatcherReportRefusal } from './sms.replies.ts';

/**
 * A watcher's turnout report sent by text (docs/sms-inbound.md): read with the grammar of
 * sms.report-grammar.ts, then stored by the same service as the watcher page's reports (source
 * `sms`), as that watcher, within their stations. The report's id is derived from the text's
 * message SID, so a webhook Twilio delivers twice stores one report. Every text gets an answer:
 * what was recorded, or why nothing was.
 */

export type WatcherWithStations = User & { assignments: { stationId: number }[] };

export interface WatcherReportAnswer {
  reply: string;
  /** The stored report's id, or null when nothing was stored. */
  reportId: string | null;
  refusal: WatcherReportRefusal | null;
}

/** Fixed namespace for the report ids derived from message SIDs (a UUID v5 namespace of Relance's own). */
const SMS_REPORT_NAMESPACE = 'b0c2c7e4-5f1d-4f6e-9a51-3b7c2d8e9f10';

/** The UUID v5 (RFC 9562, SHA-1) of a message SID: the same text always gives the same report id. */
export function reportIdOfMessage(messageSid: string): string {
  const namespace = Buffer.from(SMS_REPORT_NAMESPACE.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(messageSid, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function clockTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

export function createSmsWatcherReports({ prisma, elections, reports }: { prisma: PrismaClient; elections: Elections; reports: Reports }) {
  return {
    /**
     * Stores the report `body` carries, as `watcher` (null: the phone is no watcher's), observed when
     * the text was received. Deterministic for one message: the same SID, text and time give the same answer.
     */
    async receive(
      message: { messageSid: string; body: string; receivedAt: Date },
      watcher: WatcherWithStations | null,
    ): Promise<WatcherReportAnswer> {
      const locale = replyLocale(watcher?.locale);
      const refuse = (refusal: WatcherReportRefusal, code: string | null = null): WatcherReportAnswer => ({
        reply: reportRefusedReply(refusal, code, locale),
        reportId: null,
        refusal,
      });
      if (!watcher) return refuse('unregistered_phone');
      const text = readStationReport(message.body);
      if (!text) return refuse('unreadable');
      const election = await elections.current();
      if (!election) return refuse('unknown_station', text.stationCode);
      const codes = [text.stationCode, ...(text.shortCode ? [text.shortCode] : [])];
      const stations = await prisma.pollingStation.findMany({
        where: { electionId: election.id, code: { in: codes } },
        select: { id: true, code: true },
      });
      const station = codes.map((code) => stations.find((s) => s.code === code)).find((s) => s !== undefined);
      if (!station) return refuse('unknown_station', text.stationCode);
      const principal = principalOfUser(watcher);
      if (!canActOnStation(principal, station.id)) return refuse('station_out_of_scope', station.code);

      // The election's clock at the time the text arrived (a simulated day runs on its own).
      const { simulation } = await elections.clockOf(election.id);
      const observedAt = electionTime(message.receivedAt, simulation);
      const reportId = reportIdOfMessage(message.messageSid);
      const [outcome] = await reports.submit(
        principal,
        [{ id: reportId, stationCode: station.code, voters: text.voters, observedAt: observedAt.toISOString() }],
        'sms',
      );
      if (!outcome || !('report' in outcome)) {
        if (outcome?.error.code === 'station_out_of_scope') return refuse('station_out_of_scope', station.code);
        return refuse('count_refused', station.code);
      }
      return {
        reply: reportStoredReply(
          station.code,
          outcome.report.voters,
          clockTime(new Date(outcome.report.observedAt), election.timezone),
          locale,
        ),
        reportId,
        refusal: null,
      };
    },
  };
}

export type SmsWatcherReports = ReturnType<typeof createSmsWatcherReports>;
