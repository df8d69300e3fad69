import { describe, expect, it } from 'vitest';
import { inQuietHours, quietHoursEnd, smsExclusion, type SmsRecipient, type SmsRules } from '../../server/messaging/sms.guards.ts';
import { composeText, fillTemplate, unknownPlaceholders } from '../../server/messaging/sms.text.ts';

// 14:00 in Paris on polling day (UTC+1 in March).
const rules: SmsRules = {
  now: new Date('2026-03-15T13:00:00Z'),
  timezone: 'Europe/Paris',
  quietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 },
  maxPerVoter: 3,
};
const supporter: SmsRecipient = {
  phone: '+33612345678',
  phoneKind: 'mobile',
  smsConsent: true,
  smsOptedOutAt: null,
  doNotContact: false,
  votedAt: null,
  stationClosesAt: new Date('2026-03-15T19:00:00Z'),
  textsThisElection: 0,
};

describe('who may be texted', () => {
  it('lets a consenting supporter who has not voted be texted while polls are open', () => {
    expect(smsExclusion(supporter, rules)).toBeNull();
  });

  it.each([
    [{ phone: null }, 'no_phone'],
    [{ phoneKind: 'landline' as const }, 'no_phone'],
    [{ doNotContact: true }, 'do_not_contact'],
    [{ smsOptedOutAt: new Date('2026-03-15T10:00:00Z') }, 'opted_out'],
    [{ smsConsent: false }, 'no_consent'],
    [{ votedAt: new Date('2026-03-15T09:00:00Z') }, 'voted'],
    [{ textsThisElection: 3 }, 'too_many_texts'],
    [{ stationClosesAt: new Date('2026-03-15T13:00:00Z') }, 'polls_closed'],
  ] as const)('refuses %o: %s', (change, reason) => {
    expect(smsExclusion({ ...supporter, ...change }, rules)).toBe(reason);
  });

  it('gives the most lasting reason first', () => {
    expect(smsExclusion({ ...supporter, smsConsent: false, doNotContact: true, votedAt: new Date() }, rules)).toBe('do_not_contact');
  });

  it('holds texts in quiet hours, read on the election’s clock', () => {
    const lateEvening = { ...rules, now: new Date('2026-03-14T20:30:00Z') }; // 21:30 in Paris
    expect(smsExclusion({ ...supporter, stationClosesAt: new Date('2026-03-15T19:00:00Z') }, lateEvening)).toBe('quiet_hours');
    expect(inQuietHours(new Date('2026-03-15T06:59:00Z'), 'Europe/Paris', rules.quietHours)).toBe(true); // 07:59
    expect(inQuietHours(new Date('2026-03-15T07:00:00Z'), 'Europe/Paris', rules.quietHours)).toBe(false); // 08:00
    expect(inQuietHours(new Date('2026-03-15T13:00:00Z'), 'Europe/Paris', null)).toBe(false);
    expect(quietHoursEnd(new Date('2026-03-15T06:30:00Z'), 'Europe/Paris', rules.quietHours)).toEqual(new Date('2026-03-15T07:00:00Z'));
    expect(quietHoursEnd(new Date('2026-03-15T13:00:00Z'), 'Europe/Paris', rules.quietHours)).toBeNull();
  });
});

describe('the words of a text', () => {
  const facts = { firstName: 'Amélie', stationName: 'École Jean-Jaurès', stationAddress: '12 rue de la Paix', closingTime: '20:00' };

  it('fills each placeholder and ends with the sender and how to stop', () => {
    expect(composeText('Bonjour {firstName}, votre bureau ({stationName}) ferme à {closingTime}.', facts, 'Équipe Dupont')).toBe(
      'Bonjour Amélie, votre bureau (École Jean-Jaurès) ferme à 20:00.\nÉquipe Dupont. STOP pour ne plus recevoir de SMS',
    );
  });

  it('names the placeholders a template gets wrong, and leaves them as written', () => {
    expect(unknownPlaceholders('Bonjour {fistName}, {stationName} {fistName} {heure}')).toEqual(['fistName', 'heure']);
    expect(fillTemplate('Bonjour {fistName}', facts)).toBe('Bonjour {fistName}');
  });
});
