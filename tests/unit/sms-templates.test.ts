import { describe, expect, it } from 'vitest';
import { SmsTemplateSchema } from '../../server/messaging/sms.templates.ts';

/** The one schema a template's form and the templates service check with. */

const issues = (input: unknown) => {
  const parsed = SmsTemplateSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('SmsTemplateSchema', () => {
  it('keeps a sound template, trimmed', () => {
    expect(
      SmsTemplateSchema.parse({
        name: ' Rappel ',
        body: ' Bonjour {firstName}, {stationName} ({stationAddress}) ferme à {closingTime}. \n',
      }),
    ).toEqual({
      name: 'Rappel',
      body: 'Bonjour {firstName}, {stationName} ({stationAddress}) ferme à {closingTime}.',
    });
  });

  it('needs words and a name', () => {
    expect(issues({ name: 'x', body: ' \n ' })).toEqual(['body: is required']);
    expect(issues({ name: ' ', body: 'Votez !' })).toEqual(['name: is required']);
  });

  it('allows 612 characters (four GSM-7 segments) and no more, counted after trimming', () => {
    expect(issues({ name: 'x', body: 'a'.repeat(612) })).toEqual([]);
    expect(issues({ name: 'x', body: ` ${'a'.repeat(612)} ` })).toEqual([]);
    expect(issues({ name: 'x', body: 'a'.repeat(613) })).toEqual(['body: Too big: expected string to have <=612 characters']);
  });

  it('refuses a placeholder that is not a template field', () => {
    expect(issues({ name: 'x', body: 'Bonjour {fistName}' })).toEqual([
      'body: may use only the placeholders {firstName}, {stationName}, {stationAddress}, {closingTime}',
    ]);
    expect(issues({ name: 'x', body: 'Accolades seules { } et {} : rien à remplir' })).toEqual([]);
  });

  it('limits a name to 80 characters', () => {
    expect(issues({ name: 'n'.repeat(80), body: 'x' })).toEqual([]);
    expect(issues({ name: 'n'.repeat(81), body: 'x' })).toEqual(['name: Too big: expected string to have <=80 characters']);
  });
});
