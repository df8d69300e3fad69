import { describe, expect, it } from 'vitest';
import { localSid, sendErrorOf } from '../../server/messaging/sms.providers.ts';

describe('what a failed send means for the outbox row', () => {
  const outcome = (error: unknown) => {
    const failure = sendErrorOf(error);
    return [failure.outcome, failure.code];
  };

  it('retries what Twilio certainly did not take: 429, its 20429, and a connection never made', () => {
    expect(outcome({ status: 429, code: 20429 })).toEqual(['retry', '20429']);
    expect(outcome({ status: 429 })).toEqual(['retry', '429']);
    expect(outcome(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual(['retry', 'ECONNREFUSED']);
    expect(outcome(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))).toEqual(['retry', 'ENOTFOUND']);
  });

  it('fails for good on any other 4xx, with Twilio’s code', () => {
    for (const code of [21211, 21408, 21606, 21610, 21612, 21614, 30003]) {
      expect(outcome({ status: 400, code })).toEqual(['permanent', String(code)]);
    }
    expect(outcome({ status: 401, code: 20003 })).toEqual(['permanent', '20003']);
  });

  it('cannot tell when the request may have been taken: a dropped connection, a timeout, a 5xx', () => {
    expect(outcome(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual(['unknown', 'ECONNRESET']);
    expect(outcome(Object.assign(new Error('timeout of 15000ms exceeded'), { code: 'ECONNABORTED' }))).toEqual(['unknown', 'ECONNABORTED']);
    expect(outcome({ status: 503, code: 20503 })).toEqual(['unknown', '20503']);
    expect(outcome(new Error('no code'))).toEqual(['unknown', 'network']);
  });
});

it('gives local texts a SID shaped like Twilio’s', () => {
  expect(localSid()).toMatch(/^SM[0-9a-f]{32}$/);
  expect(localSid()).not.toBe(localSid());
});
