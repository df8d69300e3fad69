export const ROLES = ['admin', 'coordinator', 'watcher', 'volunteer', 'viewer'] as const;

export type Role = (typeof ROLES)[number];

/** Admins and coordinators sign in with email and password; the others by invite link and PIN. */
export const PASSWORD_ROLES: readonly Role[] = ['admin', 'coordinator'];

/** The war room: who sees the live turnout of every station. */
export const WAR_ROOM_ROLES: readonly Role[] = ['admin', 'coordinator', 'viewer'];

/** Who may use each part of Relance; pages, API handlers and sockets all guard with these. */
export const ACCESS = {
  warRoom: WAR_ROOM_ROLES,
  manageUsers: ['admin'],
  /** The retention purge and people's rights (access, erasure, objection). */
  dataProtection: ['admin'],
  auditTrail: ['admin'],
  /** The election's settings, such as its turnout curve. */
  manageElection: ['admin'],
  importData: ['admin'],
  watchStations: ['watcher'],
  /** Turnout reports, strike-list marks and flags: watchers for their stations; coordinators and admins (a hotline) for any. */
  reportTurnout: ['watcher', 'coordinator', 'admin'],
  /** The readiness board and the rehearsal switch. */
  prepareWatchers: ['admin', 'coordinator'],
  /** Wall screens' links: create, list, revoke. */
  manageWallScreens: ['admin', 'coordinator'],
  /** Text templates: write, edit and archive the election's texts. */
  manageTexts: ['admin', 'coordinator'],
  callVoters: ['volunteer'],
  /** Chase lists: build, assign, split and export them; teams of volunteers; the rides queue. */
  manageChase: ['admin', 'coordinator'],
  /** Texts people send back: the inbox, and the local mode's simulator of an incoming text. */
  smsInbox: ['admin', 'coordinator'],
} as const satisfies Record<string, readonly Role[]>;

/** A watcher acts only on the stations assigned to them. */
export const STATION_SCOPED_ROLES: readonly Role[] = ['watcher'];

/**
 * Who is making a request: a signed-in person, or an API token. Both carry a role and a station
 * scope, so every guard treats them alike.
 */
export interface Principal {
  kind: 'user' | 'token';
  id: number;
  name: string;
  role: Role;
  /** Station ids this principal may act on, or 'all'. */
  stations: 'all' | ReadonlySet<number>;
  locale: string | null;
}
