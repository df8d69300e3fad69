/**
 * The default turnout curve: share of the final turnout reached at each local hour, polls 07:00–21:00.
 * The mean, hour by hour, of the shares of Romania's presidential first rounds of 24 November 2024 and
 * 4 May 2025 (19 counties, 7.7 million registered voters), each share being that hour's cumulative count over
 * the closing count of all municipalities together. Fitted from `romania-presidential-hourly.csv` by
 * `fitCurveShares` in turnout.fit.ts; a unit test checks these figures against that file. Sources: SOURCES.md.
 */
export const ROMANIA_PRESIDENTIAL_SHARES: Record<string, number> = {
  '08:00': 0.0322,
  '09:00': 0.0766,
  '10:00': 0.1463,
  '11:00': 0.2334,
  '12:00': 0.3338,
  '13:00': 0.4355,
  '14:00': 0.5234,
  '15:00': 0.6049,
  '16:00': 0.6834,
  '17:00': 0.7647,
  '18:00': 0.8451,
  '19:00': 0.9118,
  '20:00': 0.9652,
  '21:00': 1,
};

/**
 * France, presidential election 2022, first round, national figures of the Ministry of the Interior:
 * 25.48 % of registered voters had voted at 12h, 65.00 % at 17h, 73.69 % at the close (20h in large cities).
 * As shares of the final: {"12": 0.3458, "17": 0.8821}, for polls 08:00–20:00.
 */
export const FRANCE_PRESIDENTIAL_2022_R1 = {
  turnoutByHour: { '12': 25.48, '17': 65.0 },
  finalTurnout: 73.69,
  opens: '08:00',
  closes: '20:00',
};
