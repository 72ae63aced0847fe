import { describe, expect, it } from 'vitest';
import { average, contributionIndex, share, snapshotStats } from '../src/lib/snapshotStats.ts';
import { BANK, branchScope } from '../src/lib/periods.ts';
import { config, snapshotCellsOf, yuan, type Holding } from './metrics-book.ts';

const h = (branch: string, aum: number, deposits: number): Holding => ({ branch, aum: yuan(aum), deposits: yuan(deposits) });

// Ten customers, three on tier bounds (5 000, 50 000, 8 000 000 元) and one with nothing.
const book: Holding[] = [
  h('A', 0, 0),
  h('A', 4_999.99, 4_000),
  h('A', 5_000, 5_000),
  h('A', 60_000, 10_000),
  h('A', 250_000, 50_000),
  h('A', 1_000_000, 0),
  h('A', 9_000_000, 1_000_000),
  h('B', 100, 100),
  h('B', 50_000, 20_000),
  h('B', 8_000_000, 3_000_000),
];
const cells = snapshotCellsOf(book);

describe('snapshotStats, bank scope', () => {
  const s = snapshotStats(cells, config, BANK);

  it('counts customers per tier with bounds in the upper tier', () => {
    // ordinary: 0, 4 999.99, 100 | potential: 5 000 | mid: 60 000, 250 000, 50 000 | high: 1 000 000 | private: 9e6, 8e6
    expect(s.tiers.map((t) => t.n.value)).toEqual([3, 1, 3, 1, 2]);
    expect(s.total.n.value).toBe(10);
    expect(s.midHigh.n.value).toBe(6);
  });

  it('sums aum and deposits in fen', () => {
    // ordinary aum 0 + 4 999.99 + 100 = 5 099.99 元; mid 60 000 + 250 000 + 50 000 = 360 000; private 17 000 000.
    expect(s.tiers.map((t) => t.aum.value)).toEqual([509_999, 500_000, 36_000_000, 100_000_000, 1_700_000_000]);
    // deposits: 4 000 + 100 | 5 000 | 10 000 + 50 000 + 20 000 | 0 | 1 000 000 + 3 000 000
    expect(s.tiers.map((t) => t.deposits.value)).toEqual([410_000, 500_000, 8_000_000, 0, 400_000_000]);
    // 5 099.99 + 5 000 + 360 000 + 1 000 000 + 17 000 000 = 18 370 099.99 元
    expect(s.total.aum.value).toBe(1_837_009_999);
    expect(s.total.deposits.value).toBe(408_910_000);
    // 360 000 + 1 000 000 + 17 000 000 = 18 360 000 元
    expect(s.midHigh.aum.value).toBe(1_836_000_000);
    expect(s.midHigh.deposits.value).toBe(408_000_000);
  });

  it('carries contributor counts and the two largest contributions for disclosure control', () => {
    const priv = s.tiers[4]!.aum;
    expect(priv).toEqual({ value: 1_700_000_000, n: 2, top: [900_000_000, 800_000_000], absTotal: 1_700_000_000, kind: 'amount' });
    expect(s.tiers[0]!.aum.top).toEqual([499_999, 10_000]);
    expect(s.tiers[0]!.n).toEqual({ value: 3, n: 3, top: [], absTotal: 3, kind: 'count' });
    expect(s.total.aum.top).toEqual([900_000_000, 800_000_000]);
    expect(s.midHigh.deposits.top).toEqual([300_000_000, 100_000_000]);
  });

  it('splits mid into sub-bands that add up to the tier', () => {
    // bands: ordinary, potential, mid 5万–20万 (60 000, 50 000), mid 20万–100万 (250 000), high, private
    expect(s.bands.map((b) => b.n.value)).toEqual([3, 1, 2, 1, 1, 2]);
    expect(s.bands[2]!.aum.value).toBe(yuan(110_000));
    expect(s.bands[3]!.aum.value).toBe(yuan(250_000));
  });

  it('gives shares, averages and the contribution index from the cells', () => {
    expect(share(s.tiers[4]!.n.value, s.total.n.value)).toBe(0.2);
    // private average 8 500 000 元; overall 18 370 099.99 / 10 = 1 837 009.999 元; ratio ≈ 4.627084
    const priv = average(s.tiers[4]!.aum.value, s.tiers[4]!.n.value);
    const all = average(s.total.aum.value, s.total.n.value);
    expect(priv).toBe(yuan(8_500_000));
    expect(all).toBeCloseTo(183_700_999.9, 6);
    expect(contributionIndex(priv, all)).toBeCloseTo(4.627084, 6);
  });

  it('has tier shares that add to 1 before rounding', () => {
    const shares = s.tiers.map((t) => share(t.aum.value, s.total.aum.value) as number);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('snapshotStats, branch scope', () => {
  it('keeps only the branch', () => {
    const a = snapshotStats(cells, config, branchScope('A'));
    expect(a.tiers.map((t) => t.n.value)).toEqual([2, 1, 2, 1, 1]);
    // 4 999.99 + 5 000 + 310 000 + 1 000 000 + 9 000 000 = 10 319 999.99 元
    expect(a.total.aum.value).toBe(1_031_999_999);
  });

  it('describes a one-customer scope', () => {
    const one = snapshotStats(snapshotCellsOf([h('C', 8_000_000, 1)]), config, branchScope('C'));
    expect(one.tiers.map((t) => t.n.value)).toEqual([0, 0, 0, 0, 1]);
    expect(one.total.aum).toEqual({ value: yuan(8_000_000), n: 1, top: [yuan(8_000_000)], absTotal: yuan(8_000_000), kind: 'amount' });
    expect(contributionIndex(average(one.tiers[4]!.aum.value, 1), average(one.total.aum.value, 1))).toBe(1);
  });

  it('has null ratios, not zeros, for an empty scope or a zero total', () => {
    const none = snapshotStats(cells, config, branchScope('Z'));
    expect(none.total.n.value).toBe(0);
    expect(none.tiers[0]!.aum).toEqual({ value: 0, n: 0, top: [], absTotal: 0, kind: 'amount' });
    expect(share(0, none.total.n.value)).toBeNull();
    expect(average(none.total.aum.value, 0)).toBeNull();
    // Zero-asset customers only: an average of 0 exists, the contribution index does not.
    const zero = snapshotStats(snapshotCellsOf([h('D', 0, 0), h('D', 0, 0)]), config, branchScope('D'));
    expect(average(zero.total.aum.value, zero.total.n.value)).toBe(0);
    expect(contributionIndex(0, 0)).toBeNull();
    expect(contributionIndex(null, 5)).toBeNull();
  });

  it('rejects a band index outside the config', () => {
    expect(() => snapshotStats([{ ...cells[0]!, band: 9 }], config, BANK)).toThrow(RangeError);
  });
});
