import { describe, expect, it } from 'vitest';
import { readKeyword } from '../../server/messaging/sms.keywords.ts';
import { readStationReport } from '../../server/messaging/sms.report-grammar.ts';
import { movesForward, outboxStatusOf } from '../../server/messaging/sms.status.ts';
import { reportIdOfMessage } from '../../server/messaging/sms.watcher-reports.ts';

describe('readKeyword', () => {
  it.each([
    ['STOP', 'opt_out'],
    ['stop', 'opt_out'],
    ['  Stop  ', 'opt_out'],
    ['Stop.', 'opt_out'],
    ['ARRET', 'opt_out'],
    ['ARRÊT', 'opt_out'],
    ['arrêt', 'opt_out'],
    ['Arret!', 'opt_out'],
    ['ARRETE', 'opt_out'],
    ['Arrête', 'opt_out'],
    ['STOPALL', 'opt_out'],
    ['stopall', 'opt_out'],
    ['UNSUBSCRIBE', 'opt_out'],
    ['Unsubscribe', 'opt_out'],
    ['END', 'opt_out'],
    ['end', 'opt_out'],
    ['QUIT', 'opt_out'],
    ['quit', 'opt_out'],
    ['CANCEL', 'opt_out'],
    ['cancel', 'opt_out'],
    ['START', 'opt_in'],
    ['start', 'opt_in'],
    ['UNSTOP', 'opt_in'],
    ['Unstop', 'opt_in'],
    ['HELP', 'help'],
    ['help', 'help'],
    [' Help ', 'help'],
    ['INFO', 'help'],
    ['info', 'help'],
  ])('reads %j as %s', (text, kind) => {
    expect(readKeyword(text)).toBe(kind);
  });

  it.each(['stop texting me', 'STOP STOP', 'please stop', 'arrêtez', 'stopp', 'YES', 'oui', 'Oui je vais voter', '', 'STARTS'])(
    'reads %j as no keyword (a reply for the inbox)',
    (text) => {
      expect(readKeyword(text)).toBeNull();
    },
  );
});

describe('readStationReport', () => {
  it.each([
    ['0101 412', '0101', null, 412],
    ['0101: 412', '0101', null, 412],
    ['0101:412', '0101', null, 412],
    ['0101 = 412', '0101', null, 412],
    ['0101, 412', '0101', null, 412],
    ['  0101   412  ', '0101', null, 412],
    ['bureau 0101 412 votants', '0101', null, 412],
    ['Bureau 0101 : 412 votants.', '0101', null, 412],
    ['BV 0101 412', '0101', null, 412],
    ['bureau n° 0101 412', '0101', null, 412],
    ['Bureau numéro 0101 412', '0101', null, 412],
    ['station no 0101, 412 voters', '0101', null, 412],
    ['0101 412 votants', '0101', null, 412],
    ['412 votants bureau 0101', '0101', null, 412],
    ['412 Électeurs bureau 0101', '0101', null, 412],
    ['412 0101', '0101', null, 412],
    ['0101 0', '0101', null, 0],
    ['75056_0101 412', '75056_0101', '0101', 412],
    ['a12 30', 'A12', null, 30],
  ])('reads %j as station %s (short %s), %d voters', (text, stationCode, shortCode, voters) => {
    expect(readStationReport(text)).toEqual({ stationCode, shortCode, voters });
  });

  it.each([
    '',
    'hello',
    '0101',
    '412',
    'bonjour 0101 412',
    '0101 412 500',
    '0101 four hundred',
    '0101 41.2',
    '0101 -5',
    'bureau',
    'bureau 0101',
    'bureau 0101 bureau 0102 412',
    '0101 412 votants 413 votants',
    '0101 1234567',
    'STOP',
  ])('does not read %j as a report', (text) => {
    expect(readStationReport(text)).toBeNull();
  });
});

describe('status callbacks', () => {
  it('maps Twilio statuses to the outbox', () => {
    expect(
      ['queued', 'accepted', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'receiving'].map(outboxStatusOf),
    ).toEqual(['sending', 'sending', 'sending', 'sent', 'delivered', 'delivered', 'failed', 'undelivered', null]);
  });

  it('never moves a text backwards, nor from one final status to another', () => {
    expect(movesForward('sending', 'sent')).toBe(true);
    expect(movesForward('sent', 'delivered')).toBe(true);
    expect(movesForward('sent', 'failed')).toBe(true);
    expect(movesForward('delivered', 'sent')).toBe(false);
    expect(movesForward('delivered', 'undelivered')).toBe(false);
    expect(movesForward('failed', 'delivered')).toBe(false);
    expect(movesForward('sent', 'sending')).toBe(false);
    expect(movesForward('sent', 'sent')).toBe(false);
  });
});

describe('reportIdOfMessage', () => {
  it('gives one UUID v5 per message SID', () => {
    const sid = 'SM0123456789abcdef0123456789abcdef';
    const id = reportIdOfMessage(sid);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reportIdOfMessage(sid)).toBe(id);
    expect(reportIdOfMessage('SM0123456789abcdef0123456789abcdee')).not.toBe(id);
  });
});
