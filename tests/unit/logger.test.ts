import { describe, expect, it } from 'vitest';
import { loggablePath } from '../../server/logger.ts';

describe('loggablePath', () => {
  it('never writes a sign-in token or a query string into the logs', () => {
    expect(loggablePath('/invite/BsiTPuCtK77s2Gc5_G_xe4m6QXPVjsLIftF0zubHiL4')).toBe('/invite/:token');
    expect(loggablePath('/invite/abc.data?_routes=routes%2Finvite')).toBe('/invite/:token');
    expect(loggablePath('/login?next=%2Fdashboard')).toBe('/login');
    expect(loggablePath('/api/v1/turnout')).toBe('/api/v1/turnout');
  });
});
