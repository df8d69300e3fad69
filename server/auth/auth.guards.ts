import { Forbidden, StationOutOfScope, Unauthenticated } from '../errors.ts';
import type { Principal, Role } from './auth.roles.ts';

/** Every loader, action, API handler and socket handler starts with this. */
export function requireRole(principal: Principal | null, roles: readonly Role[]): Principal {
  if (!principal) throw new Unauthenticated();
  if (!roles.includes(principal.role)) {
    throw new Forbidden(`This needs one of the roles ${roles.join(', ')}; you are signed in as ${principal.role}.`);
  }
  return principal;
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
