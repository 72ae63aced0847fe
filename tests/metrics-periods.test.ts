import { describe, expect, it } from 'vitest';
import { BANK, branchScope, periodsOf, scopesOf, yearStartOf } from '../src/lib/periods.ts';

const pair = (start: string, end: string, consecutive: boolean, headline: boolean) => ({ id: `${start}_${end}`, start, end, consecutive, headline });

describe('periodsOf', () => {
  it('has no periods for zero or one snapshot', () => {
    expect(periodsOf([])).toEqual([]);
    expect(periodsOf(['2024-06-30'])).toEqual([]);
    expect(yearStartOf(['2024-06-30'])).toBeNull();
  });

  it('starts the headline at the previous year-end snapshot (年初)', () => {
    // Latest 2024-06-30; the latest snapshot on or before 2023-12-31 is 2023-12-31.
    const dates = ['2023-06-30', '2023-12-31', '2024-03-31', '2024-06-30'];
    expect(periodsOf(dates)).toEqual([
      pair('2023-06-30', '2023-12-31', true, false),
      pair('2023-12-31', '2024-03-31', true, false),
      pair('2024-03-31', '2024-06-30', true, false),
      pair('2023-12-31', '2024-06-30', false, true),
    ]);
  });

  it('takes the latest snapshot before the year end when the year end itself is missing', () => {
    // Nothing on 2023-12-31: the latest on or before it is 2023-11-30, even though 2024-01-31 is closer to 年初.
    expect(yearStartOf(['2023-09-30', '2023-11-30', '2024-01-31', '2024-05-31'])).toBe('2023-11-30');
  });

  it('uses the earliest snapshot of the latest year when there is no earlier year', () => {
    const dates = ['2024-01-31', '2024-02-29', '2024-03-31'];
    expect(yearStartOf(dates)).toBe('2024-01-31');
    expect(periodsOf(dates).at(-1)).toEqual(pair('2024-01-31', '2024-03-31', false, true));
  });

  it('flags a consecutive pair as the headline instead of repeating it', () => {
    // Two snapshots of the same year: the earliest of the year is the one before the latest.
    expect(periodsOf(['2024-03-31', '2024-06-30'])).toEqual([pair('2024-03-31', '2024-06-30', true, true)]);
    // Year end then one snapshot in the new year.
    expect(periodsOf(['2023-06-30', '2023-12-31', '2024-01-31'])).toEqual([
      pair('2023-06-30', '2023-12-31', true, false),
      pair('2023-12-31', '2024-01-31', true, true),
    ]);
  });

  it('gives a latest snapshot dated 31 December the previous year end as its 年初', () => {
    // Latest 2024-12-31 (year 2024): year start is the latest on or before 2023-12-31.
    expect(yearStartOf(['2023-12-31', '2024-06-30', '2024-12-31'])).toBe('2023-12-31');
  });

  it('rejects unsorted, repeated or malformed dates', () => {
    expect(() => periodsOf(['2024-06-30', '2024-03-31'])).toThrow(RangeError);
    expect(() => periodsOf(['2024-03-31', '2024-03-31'])).toThrow(RangeError);
    expect(() => periodsOf(['2024/03/31'])).toThrow(RangeError);
  });
});

describe('scopesOf', () => {
  it('lists the bank first, then each branch once in code order', () => {
    expect(scopesOf(['B', 'A', 'B', '10', '9'])).toEqual([BANK, branchScope('10'), branchScope('9'), branchScope('A'), branchScope('B')]);
  });
});
