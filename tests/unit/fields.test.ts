import { describe, expect, it } from 'vitest';
import { CreateApiTokenSchema, CreateUserSchema } from '../../server/auth/auth.accounts.ts';
import { InvalidInput } from '../../server/errors.ts';
import { parseInput, PLAIN_TEXT_MESSAGE, PlainTextSchema } from '../../server/fields.ts';
import { ElectionSpecSchema } from '../../server/imports/imports.service.ts';

const issues = (value: string) => PlainTextSchema.safeParse(value).error?.issues.map((issue) => issue.message);

describe('plain text (names)', () => {
  it('keeps letters of every language, punctuation and spaces, trimmed', () => {
    expect(PlainTextSchema.parse('  Léa Ngô-Müller (18e), équipe « Nord » 🗳️ ')).toBe('Léa Ngô-Müller (18e), équipe « Nord » 🗳️');
    expect(PlainTextSchema.parse('Zoë\u00a0Exemple')).toBe('Zoë\u00a0Exemple'); // a no-break space is text
    expect(PlainTextSchema.parse('Ada\n')).toBe('Ada'); // like spaces, line breaks at either end are trimmed
  });

  it('refuses NUL, tabs, line breaks and every other C0 or C1 control character, saying what to fix', () => {
    for (const value of [
      'Ada\u0000',
      'Ada\tLovelace',
      'Ada\nLovelace',
      'Ada\r\nLovelace',
      'A\u001bda',
      'Ada\u007f',
      'Ada\u0085',
      'A\u009bda',
    ]) {
      expect(issues(value)).toEqual([PLAIN_TEXT_MESSAGE]);
    }
    expect(PLAIN_TEXT_MESSAGE).toBe('must be on one line, without tabs, line breaks or invisible control characters: retype it');
  });
});

describe('names given to services', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error;
    }
  };

  it("refuses control characters in a person's name, a token's name and an election's name", () => {
    const person = refusal(() => parseInput(CreateUserSchema, { name: 'Ada\u0000', role: 'volunteer' }));
    expect(person).toBeInstanceOf(InvalidInput);
    expect(person).toMatchObject({ field: 'name', message: `name: ${PLAIN_TEXT_MESSAGE}` });
    expect(refusal(() => parseInput(CreateApiTokenSchema, { name: 'wall\nscreen', role: 'viewer' }))).toMatchObject({
      field: 'name',
      message: `name: ${PLAIN_TEXT_MESSAGE}`,
    });
    const election = { name: 'Municipales\u0000', pollingDay: '2026-03-15', timezone: 'Europe/Paris', opensAt: '08:00', closesAt: '20:00' };
    expect(refusal(() => parseInput(ElectionSpecSchema, election))).toMatchObject({
      field: 'name',
      message: `name: ${PLAIN_TEXT_MESSAGE}`,
    });
  });
});
