import { Forbidden, StationOutOfScope, Unauthenticated } from '../errors.ts';
import { ACCESS, type Principal, type Role } from './auth.roles.ts';

/** Every loader, action, API handler and socket handler starts with this. */
export function requireRole(principal: Principal | null, roles: readonly Role[]): Principal {
  if (!principal) throw new Unauthenticated();
  if (!roles.includes(principal.role)) {
    throw new Forbidden(`This needs one of the roles ${roles.join(', ')}; you are signed in as ${principal.role}.`);
  }
  return principal;
}

/**
 * The war room (the live turnout, its map and history) shows every station: besides the role, a principal
 * limited to some stations (a token made for a few) is refused.
 */
export function requireWarRoom(principal: Principal | null): Principal {
  requireRole(principal, ACCESS.warRoom);
  if (principal!.stations !== 'all') {
    throw new Forbidden('The war room shows every polling station; this token is limited to some of them. Use a token for all stations.');
  }
  return principal!;
}

export function canActOnStation(principal: Principal, stationId: number): boolean {
  return principal.stations === 'all' || principal.stations.has(stationId);
}

/** For anything that reads or writes one station's data. */
export function requireStationScope(principal: Principal, stationId: number, stationCode?: string): void {
  if (!canActOnStation(principal, stationId)) {
    throw new StationOutOfScope(`Station ${stationCode ?? stationId} is not one of your assigned stations.`, 'stationCode');
  }
}
