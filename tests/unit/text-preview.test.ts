import { describe, expect, it } from 'vitest';
import { measureText, previewText, unknownPlaceholdersIn } from '../../app/texts/text-preview.tsx';
import { composeText, stopLine, unknownPlaceholders } from '../../server/messaging/sms.text.ts';

/** The editor's live preview mirrors what is sent (composeText), and counts it with Twilio's calculator. */

const facts = { firstName: 'Amélie', stationName: 'École Jean-Jaurès', stationAddress: '12 rue de la Paix', closingTime: '20:00' };
const sample = { facts, stopLine: stopLine('Équipe Dupont') };

describe('the template editor preview', () => {
  it.each([
    'Bonjour {firstName}, votre bureau ({stationName}, {stationAddress}) ferme à {closingTime}.',
    '  {firstName}{firstName} {fistName} {} { firstName }\n\n',
    'Sans champ du tout',
    '{constructor} {toString} {__proto__}',
  ])('writes the text as it is sent: %j', (body) => {
    expect(previewText(body, sample)).toBe(composeText(body, facts, 'Équipe Dupont'));
    expect(unknownPlaceholdersIn(body, sample).map((name) => name.slice(1, -1))).toEqual(unknownPlaceholders(body));
  });

  it('counts 160 GSM-7 characters as one segment and 161 as two', () => {
    expect(measureText('a'.repeat(160))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1, nonGsm: [] });
    expect(measureText('a'.repeat(161))).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2, nonGsm: [] });
  });

  it('counts the GSM-7 escapes ({, €…) as two characters', () => {
    expect(measureText('{€}')).toEqual({ encoding: 'GSM-7', characters: 6, segments: 1, nonGsm: [] });
  });

  it('names each character that forces UCS-2 once, French accents outside GSM-7 and emoji alike', () => {
    expect(measureText('Élodie, vous êtes attendue à l’école ! ça compte 🗳️ ê Ç')).toMatchObject({
      encoding: 'UCS-2',
      segments: 1,
      nonGsm: ['ê', '’', 'ç', '🗳️'],
    });
    expect(measureText('é'.repeat(70) + 'ê').segments).toBe(2);
  });
});
