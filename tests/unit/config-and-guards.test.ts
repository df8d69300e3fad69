import { describe, expect, it } from 'vitest';
import { requireRole, requireStationScope } from '../../server/auth/auth.guards.ts';
import type { Principal } from '../../server/auth/auth.roles.ts';
import { hashSecret, verifySecret } from '../../server/auth/auth.secrets.ts';
import { ConfigError, parseConfig } from '../../server/config.ts';
import type { Request, Response } from 'express';
import { Forbidden, StationOutOfScope, Unauthenticated } from '../../server/errors.ts';
import { securityHeaders } from '../../server/http/security.ts';

describe('configuration', () => {
  it('runs in local mode without DATABASE_URL, with its defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      localMode: true,
      port: 3000,
      host: '127.0.0.1',
      runWorkers: true,
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
    });
  });

  it('is production mode with DATABASE_URL, with secure cookies behind https', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://db/relance',
      PUBLIC_URL: 'https://gotv.example.org/',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(config).toMatchObject({ localMode: false, runWorkers: false, secureCookies: true, publicUrl: 'https://gotv.example.org' });
  });

  it('stops on a bad value with a message naming the variable, without echoing secrets', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT: .*\(got "eighty"\)/);
    const error = (() => {
      try {
        parseConfig({ DATABASE_URL: 'mysql://user:secret@db/x' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/DATABASE_URL: must be a postgres:\/\//);
    expect(error?.message).not.toContain('secret');
  });

  it('reads who may see monitoring as networks, loopback and private ones by default, and never echoes the token', () => {
    expect(parseConfig({}).monitoringAllow.map((n) => `${n.address}/${n.prefix}`)).toEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      'fc00::/7',
    ]);
    expect(parseConfig({ MONITORING_ALLOW: '10.1.2.3, 2001:db8::/32' }).monitoringAllow).toEqual([
      { address: '10.1.2.3', prefix: 32, type: 'ipv4' },
      { address: '2001:db8::', prefix: 32, type: 'ipv6' },
    ]);
    for (const wrong of ['10.0.0.0/33', 'prometheus.internal', '10.0.0.0/8,', '::1/129']) {
      expect(() => parseConfig({ MONITORING_ALLOW: wrong })).toThrow(/MONITORING_ALLOW: must be networks such as 10\.0\.0\.0\/8/);
    }
    expect(() => parseConfig({ MONITORING_TOKEN: 'short-secret' })).toThrow(
      /^Invalid configuration, see \.env\.example:\n {2}MONITORING_TOKEN: must have at least 16 characters, e\.g\. from openssl rand -hex 24$/,
    );
  });

  it('draws no base map under the war room’s map unless MAP_STYLE_URL names an http(s) style', () => {
    expect(parseConfig({}).mapStyleUrl).toBeNull();
    const url = 'https://tiles.example.org/styles/streets/style.json?key=abc';
    expect(parseConfig({ MAP_STYLE_URL: url }).mapStyleUrl).toBe(url);
    // The pages' policy lets the browser reach that server, and no other.
    const policy = (mapOrigin: string | null) => {
      const headers = new Map<string, string>();
      const res = { locals: {}, setHeader: (name: string, value: string) => headers.set(name, value) };
      securityHeaders({ development: false, https: true, mapOrigin, apiPath: '/api/v1' })(
        { path: '/' } as Request,
        res as unknown as Response,
        () => {},
      );
      return headers.get('Content-Security-Policy');
    };
    expect(policy(null)).toContain("connect-src 'self';");
    expect(policy('https://tiles.example.org')).toContain("connect-src 'self' https://tiles.example.org;");
    expect(() => parseConfig({ MAP_STYLE_URL: 'file:///etc/style.json' })).toThrow(/MAP_STYLE_URL: must be the http\(s\):\/\/ address/);
  });
});

const watcher: Principal = { kind: 'user', id: 3, name: 'W', role: 'watcher', stations: new Set([10, 11]), locale: null };
const coordinator: Principal = { kind: 'user', id: 2, name: 'C', role: 'coordinator', stations: 'all', locale: null };

describe('guards', () => {
  it('requireRole: no one is unauthenticated, a wrong role is forbidden', () => {
    expect(() => requireRole(null, ['admin'])).toThrow(Unauthenticated);
    expect(() => requireRole(watcher, ['admin', 'coordinator'])).toThrow(Forbidden);
    expect(requireRole(coordinator, ['admin', 'coordinator'])).toBe(coordinator);
  });

  it('requireStationScope: a watcher acts on assigned stations only', () => {
    expect(() => requireStationScope(watcher, 12, '0327')).toThrow(StationOutOfScope);
    expect(() => requireStationScope(watcher, 12, '0327')).toThrow('Station 0327 is not one of your assigned stations.');
    expect(() => requireStationScope(watcher, 11)).not.toThrow();
    expect(() => requireStationScope(coordinator, 12)).not.toThrow();
  });
});

describe('secrets', () => {
  it('verifies the password it hashed, and nothing else', async () => {
    const hash = await hashSecret('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifySecret('correct horse battery staple', hash)).toBe(true);
    expect(await verifySecret('correct horse battery stapler', hash)).toBe(false);
    expect(await verifySecret('anything', 'not-a-hash')).toBe(false);
  });
});
