import { describe, expect, it } from 'vitest';
import { allocate, demoVoterCsv, seededRandom } from '../../server/demo/demo.voters.ts';
import { FICTION_NUMBERS, isFictionNumber } from '../../server/fields.ts';

const stations = [
  { code: '0101', registeredVoters: 1000 },
  { code: '0102', registeredVoters: 3000 },
  { code: '0103', registeredVoters: 50 },
];

function rows(total: number, seed?: number) {
  const [header, ...lines] = [...demoVoterCsv(stations, total, seed)];
  const columns = header!.trim().split(',');
  return lines.map((line) =>
    Object.fromEntries(
      line
        .trim()
        .split(',')
        .map((value, i) => [columns[i]!, value]),
    ),
  );
}

describe('allocate', () => {
  it('splits a total in proportion to registered voters, exactly', () => {
    expect(allocate(400, [1000, 3000])).toEqual([100, 300]);
    expect(allocate(10, [10, 10, 10])).toEqual([4, 3, 3]);
    expect(allocate(10, [1, 1, 1])).toEqual([1, 1, 1]); // never more people than registered voters
    expect(allocate(7, [0, 0])).toEqual([0, 0]);
  });
});

describe('the synthetic voter file', () => {
  it('is the same file for the same seed, and another for another seed', () => {
    expect([...demoVoterCsv(stations, 500)].join('')).toBe([...demoVoterCsv(stations, 500)].join(''));
    expect([...demoVoterCsv(stations, 500, 1)].join('')).not.toBe([...demoVoterCsv(stations, 500, 2)].join(''));
  });

  it('has the requested number of people, spread by registered voters, with distinct list numbers', () => {
    const voters = rows(1000);
    expect(voters).toHaveLength(1000);
    expect(voters.filter((v) => v.station_code === '0102')).toHaveLength(741);
    expect(voters.filter((v) => v.station_code === '0101')).toHaveLength(247);
    for (const code of ['0101', '0102', '0103']) {
      const numbers = voters.filter((v) => v.station_code === code).map((v) => Number(v.list_number));
      expect(new Set(numbers).size).toBe(numbers.length);
    }
  });

  it('only uses phone numbers that ARCEP reserves for fiction, each once', () => {
    const phones = rows(4000)
      .map((v) => v.phone)
      .filter((phone): phone is string => Boolean(phone));
    expect(phones.length).toBeGreaterThan(1000);
    expect(phones.every(isFictionNumber)).toBe(true);
    expect(new Set(phones).size).toBe(phones.length);
  });

  it('never gives more people a phone than there are fiction numbers', () => {
    const manyStations = [{ code: 'X', registeredVoters: 200_000 }];
    let withPhone = 0;
    for (const line of demoVoterCsv(manyStations, 100_000)) if (/,\+33\d{9},/.test(line)) withPhone++;
    expect(withPhone).toBeLessThanOrEqual(FICTION_NUMBERS);
  });

  it('only lets mobiles consent to texts', () => {
    const voters = rows(3000);
    const texting = voters.filter((v) => v.sms_consent === 'yes');
    expect(texting.length).toBeGreaterThan(0);
    expect(texting.every((v) => v.phone!.startsWith('+3363998'))).toBe(true);
  });

  it('draws reproducible numbers', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
