import { describe, expect, it } from 'vitest';
import { forms, parseForm } from '../../server/http/forms.ts';
import { InvalidInput } from '../../server/errors.ts';

/** A form as a browser posts it: one entry per field, one per box ticked. */
function posted(entries: [string, string][]): FormData {
  const form = new FormData();
  for (const [name, value] of entries) form.append(name, value);
  return form;
}

describe('page forms', () => {
  it('reads boxes ticked under one name as a list of ids', () => {
    const input = parseForm(
      forms.chaseAssign,
      posted([
        ['teamIds', '4'],
        ['userIds', '12'],
        ['userIds', '7'],
        ['mode', 'add'],
      ]),
    );
    expect(input).toEqual({ teamIds: [4], userIds: [12, 7], mode: 'add' });
  });

  it('reads no box ticked as an empty list', () => {
    expect(parseForm(forms.chaseAssign, posted([['mode', 'replace']]))).toEqual({ teamIds: [], userIds: [], mode: 'replace' });
    expect(parseForm(forms.team, posted([['name', ' Phoning ']]))).toEqual({ name: 'Phoning', memberIds: [] });
  });

  it('names the list field whose value is not an id', () => {
    const parse = () =>
      parseForm(
        forms.teamMembers,
        posted([
          ['teamId', '3'],
          ['memberIds', '5'],
          ['memberIds', 'x'],
        ]),
      );
    expect(parse).toThrow(InvalidInput);
    expect(parse).toThrow('Fix these fields: memberIds.');
  });

  it('keeps one value per field for the others', () => {
    expect(parseForm(forms.rideDone, posted([['rideId', '9']]))).toEqual({ rideId: 9 });
  });
});
