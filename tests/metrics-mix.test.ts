import { describe, expect, it } from 'vitest';
import { mixShares, newCustomerMix } from '../src/lib/mix.ts';
import { BANK, branchScope } from '../src/lib/periods.ts';
import { snapshotStats } from '../src/lib/snapshotStats.ts';
import { config, endHoldings, flowCellsOf, snapshotCellsOf, yuan, type Customer } from './metrics-book.ts';

const at = (branch: string, aum: number) => ({ branch, aum: yuan(aum), deposits: 0 });
const book: Customer[] = [
  { start: at('A', 1_000), end: at('A', 6_000) }, // p at end
  { start: at('A', 60_000), end: at('A', 70_000) }, // m
  { start: at('A', 9_000_000), end: at('A', 9_500_000) }, // pr
  { start: at('A', 100), end: at('B', 100) }, // o, transferred: not new at B
  { start: at('A', 2_000), end: null },
  { start: null, end: at('A', 50_000), openedInPeriod: true }, // new m, opened in the period
  { start: null, end: at('A', 0), openedInPeriod: false }, // new o, re-appearing
  { start: null, end: at('B', 8_000_000), openedInPeriod: null }, // new pr, no open date
];
const cells = flowCellsOf(book);
const endStock = (scope: Parameters<typeof snapshotStats>[2]) => snapshotStats(snapshotCellsOf(endHoldings(book)), config, scope);

describe('newCustomerMix', () => {
  it('sets the new customers by end tier beside the end snapshot', () => {
    const m = newCustomerMix(cells, BANK, endStock(BANK), config);
    expect(m.newByTier.map((c) => c.value)).toEqual([1, 0, 1, 0, 1]);
    expect(m.newTotal.value).toBe(3);
    expect(m.newMidHigh.value).toBe(2); // m + pr
    // End snapshot: o 2 (transfer, new 0) | p 1 | m 2 | h 0 | pr 2
    expect(m.stockByTier.map((c) => c.value)).toEqual([2, 1, 2, 0, 2]);
    expect(m.stockMidHigh.value).toBe(4);
    const s = mixShares(m);
    expect(s.newMidHigh).toBe(2 / 3);
    expect(s.stockMidHigh).toBe(4 / 7);
    expect(s.newByTier).toEqual([1 / 3, 0, 1 / 3, 0, 1 / 3]);
  });

  it('splits new customers by open date: opened in the period, re-appearing, unknown', () => {
    const m = newCustomerMix(cells, BANK, endStock(BANK), config);
    expect(m.openDates && [m.openDates.openedInPeriod.value, m.openDates.reappearing.value, m.openDates.unknown.value]).toEqual([1, 1, 1]);
    const s = mixShares(m);
    expect([s.openedInPeriod, s.reappearing]).toEqual([0.5, 0.5]);
  });

  it('has no open-date split where no new customer has an open date', () => {
    const b = newCustomerMix(cells, branchScope('B'), endStock(branchScope('B')), config);
    expect(b.newByTier.map((c) => c.value)).toEqual([0, 0, 0, 0, 1]); // the transfer is not new
    expect(b.openDates).toBeNull();
    expect(mixShares(b).openedInPeriod).toBeNull();
  });

  it('has null shares, not zeros, without new customers', () => {
    const m = newCustomerMix(cells, branchScope('Z'), endStock(branchScope('Z')), config);
    const s = mixShares(m);
    expect(s.newMidHigh).toBeNull();
    expect(s.stockMidHigh).toBeNull();
    expect(s.newByTier.every((x) => x === null)).toBe(true);
  });
});
