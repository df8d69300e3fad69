/**
 * Whether a text may go to a person now: checked when it is queued, and again just before it is
 * sent (docs/sms.md). Pure: the callers read the facts; this decides.
 */

/** Why a text is not sent, most lasting reason first. */
export const SMS_EXCLUSIONS = [
  'no_phone',
  'do_not_contact',
  'opted_out',
  'no_consent',
  'voted',
  'too_many_texts',
  'polls_closed',
  'quiet_hours',
] as const;
export type SmsExclusion = (typeof SMS_EXCLUSIONS)[number];

/** What is known of the person at the time of the check. */
export interface SmsRecipient {
  phone: string | null;
  /** A landline cannot receive texts; null when the file does not say. */
  phoneKind: 'mobile' | 'landline' | 'other' | null;
  smsConsent: boolean;
  smsOptedOutAt: Date | null;
  doNotContact: boolean;
  votedAt: Date | null;
  /** When their own polling station closes. */
  stationClosesAt: Date;
  /** Texts already sent or on their way to them in this election, this one not counted. */
  textsThisElection: number;
}

export interface QuietHours {
  /** Minutes after local midnight when quiet starts and ends; may wrap past midnight. */
  fromMinute: number;
  toMinute: number;
}

export interface SmsRules {
  now: Date;
  /** The election's IANA timezone: quiet hours are local. */
  timezone: string;
  quietHours: QuietHours | null;
  maxPerVoter: number;
}

/** The first reason this person may not be texted now, or null when they may. */
export function smsExclusion(recipient: SmsRecipient, rules: SmsRules): SmsExclusion | null {
  if (!recipient.phone || recipient.phoneKind === 'landline') return 'no_phone';
  if (recipient.doNotContact) return 'do_not_contact';
  if (recipient.smsOptedOutAt) return 'opted_out';
  if (!recipient.smsConsent) return 'no_consent';
  if (recipient.votedAt) return 'voted';
  if (recipient.textsThisElection >= rules.maxPerVoter) return 'too_many_texts';
  if (rules.now >= recipient.stationClosesAt) return 'polls_closed';
  if (inQuietHours(rules.now, rules.timezone, rules.quietHours)) return 'quiet_hours';
  return null;
}

/** Reasons that will not change by waiting: the text is canceled rather than held. */
export function isLasting(exclusion: SmsExclusion): boolean {
  return exclusion !== 'quiet_hours';
}

/** Whether `now` falls in the quiet hours, read on the election's local clock. */
export function inQuietHours(now: Date, timezone: string, quietHours: QuietHours | null): boolean {
  if (!quietHours) return false;
  const minute = localMinuteOfDay(now, timezone);
  const { fromMinute, toMinute } = quietHours;
  if (fromMinute === toMinute) return false;
  return fromMinute < toMinute ? minute >= fromMinute && minute < toMinute : minute >= fromMinute || minute < toMinute;
}

/** When the quiet hours that hold `now` end, or null outside them (the queue waits until then). */
export function quietHoursEnd(now: Date, timezone: string, quietHours: QuietHours | null): Date | null {
  if (!quietHours || !inQuietHours(now, timezone, quietHours)) return null;
  const minute = localMinuteOfDay(now, timezone);
  const wait = (quietHours.toMinute - minute + 24 * 60) % (24 * 60);
  const end = new Date(now.getTime() + wait * 60_000);
  end.setUTCSeconds(0, 0);
  return end;
}

function localMinuteOfDay(now: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const value = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}
