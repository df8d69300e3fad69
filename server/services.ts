import { createAuditLog } from './audit/audit.service.ts';
import { createAuditTrail } from './audit/audit.trail.ts';
import { createAccounts } from './auth/auth.accounts.ts';
import { createAuthService } from './auth/auth.service.ts';
import { createChase } from './chase/chase.service.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { createElections } from './elections/elections.service.ts';
import { createGeo } from './geo/geo.service.ts';
import { createExports } from './imports/imports.exports.ts';
import { createImports } from './imports/imports.service.ts';
import type { JobBroker } from './jobs/jobs.broker.ts';
import type { Logger } from './logger.ts';
import { createMessaging } from './messaging/sms.outbox.ts';
import { createSmsTemplates } from './messaging/sms.templates.ts';
import { createSmsInbound } from './messaging/sms.inbound.ts';
import { createSmsInbox } from './messaging/sms.inbox.ts';
import { createStatusCallbacks } from './messaging/sms.status.ts';
import { createSmsWatcherReports } from './messaging/sms.watcher-reports.ts';
import { createPeople } from './people/people.service.ts';
import { createLiveFeed } from './realtime/realtime.feed.ts';
import { createTurnoutCurves } from './turnout/turnout.curves.ts';
import { createTurnoutHistory } from './turnout/turnout.history.ts';
import { createTurnoutStream } from './turnout/turnout.stream.ts';
import { createTurnout } from './turnout/turnout.service.ts';
import { createStationFlags } from './watchers/watchers.flags.ts';
import { createVoteMarks } from './watchers/watchers.marks.ts';
import { createReadiness } from './watchers/watchers.readiness.ts';
import { createReports } from './watchers/watchers.reports.ts';
import { createStationDirectory } from './watchers/watchers.stations.ts';

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
  const elections = createElections(prisma, clock);
  const feed = createLiveFeed();
  const stations = createStationDirectory({ prisma, elections, feed });
  const turnout = createTurnout({ prisma, clock, elections, feed });
  const auth = createAuthService({ prisma, clock, config, audit });
  const liveTurnout = createTurnoutStream({ turnout, feed, log });
  const reports = createReports({ prisma, clock, config, stations, feed });
  const smsWatcherReports = createSmsWatcherReports({ prisma, elections, reports });
  return {
    config,
    log,
    clock,
    broker,
    db,
    audit,
    elections,
    auth,
    accounts: createAccounts({ prisma, clock, config, audit, elections, auth }),
    geo: createGeo({ prisma, elections }),
    imports: createImports({ prisma, pool, audit, feed }),
    exports: createExports({ prisma, audit }),
    turnout,
    /** The war room's turnout: one shared snapshot and its numbered deltas (docs/api.md, /live). */
    liveTurnout,
    /** An area's or station's counts through the day, for the war room's chart. */
    turnoutHistory: createTurnoutHistory({ prisma, elections }),
    /** Chase lists: the builder, coordinators' lists, teams and rides, volunteers' calls, exports. */
    chase: createChase({ prisma, pool, clock, elections, liveTurnout, feed, audit, log }),
    /** Texting: lists and peer texts through the outbox, the Outbox page, and the worker that sends (docs/sms.md). */
    sms: createMessaging({ prisma, clock, config, elections, audit, broker, log }),
    people: createPeople({ prisma, clock, config, audit, feed }),
    auditTrail: createAuditTrail({ prisma, clock, config, audit }),
    /** Committed polling-day changes, for the live war room. */
    feed,
    reports,
    voteMarks: createVoteMarks({ prisma, clock, stations, feed }),
    stationFlags: createStationFlags({ prisma, clock, stations, feed }),
    readiness: createReadiness({ prisma, elections, audit }),
    turnoutCurves: createTurnoutCurves({ prisma, audit }),
    /** The election's text templates, written by coordinators (server/messaging). */
    smsTemplates: createSmsTemplates({ prisma, elections, audit, config }),
    /** Twilio's status callbacks for sent texts (server/messaging/sms.webhooks.ts). */
    smsStatus: createStatusCallbacks({ prisma, log }),
    /** Texts people send: keywords, watchers' reports, replies for the inbox. */
    smsInbound: createSmsInbound({ prisma, clock, config, elections, audit, log, watcherReports: smsWatcherReports }),
    /** The inbox of texts received, for coordinators and for the volunteers they answer. */
    smsInbox: createSmsInbox({ prisma, clock, elections }),
  };
}

export type Services = ReturnType<typeof createServices>;
