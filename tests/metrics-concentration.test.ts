import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concentrationOf, publishableConcentration, topCount, type Concentration } from '../src/lib/concentration.ts';

const sorted = (xs: number[]) => Float64Array.from([...xs].sort((a, b) => a - b));
const lorenzAt = (c: Concentration, p: number) => c.lorenz[Math.round(p * 100)]!.share;
const top = (c: Concentration, percent: number) => c.topShares.find((t) => t.percent === percent)!;

describe('reference values (R package ineq)', () => {
  it('Gini and Herfindahl of ineq’s example', () => {
    const c = concentrationOf(sorted([541, 1463, 2445, 3438, 4437, 5401, 6392, 8304, 11904, 22261]));
    expect(c.gini).toBeCloseTo(0.4620911, 7);
    expect(c.herfindahl).toBeCloseTo(0.1840812, 7);
  });

  it('nine customers with 10 and one with 100', () => {
    // S = 190, Σ i·x_i = 10·45 + 100·10 = 1450, G = 2900/1900 − 11/10 = 0.4263158
    const c = concentrationOf(sorted([...Array(9).fill(10), 100]));
    expect(c.gini).toBeCloseTo(0.4263158, 7);
  });
});

describe('hand-worked: x = (1, 2, 3, 4, 10)', () => {
  // N = 5, S = 20, cumulative C = 0, 1, 3, 6, 10, 20
  const c = concentrationOf(sorted([1, 2, 3, 4, 10]));

  it('Gini', () => {
    // Σ i·x_i = 1 + 4 + 9 + 16 + 50 = 80; G = 160/100 − 6/5 = 0.4
    expect(c.gini).toBeCloseTo(0.4, 15);
  });

  it('top shares: ceil(p·5) is 1 customer for every p', () => {
    expect(c.topShares).toEqual([
      { percent: 1, count: 1, share: 0.5 },
      { percent: 5, count: 1, share: 0.5 },
      { percent: 10, count: 1, share: 0.5 },
      { percent: 20, count: 1, share: 0.5 },
    ]);
  });

  it('80 % point: 10 + 4 = 14 < 16, 10 + 4 + 3 = 17 ≥ 16, so 3 customers', () => {
    expect(c.point80).toEqual({ count: 3, customerShare: 0.6 });
  });

  it('Lorenz points interpolate between customers', () => {
    expect(lorenzAt(c, 0)).toBe(0);
    expect(lorenzAt(c, 0.3)).toBeCloseTo(0.1, 15); // k = 1.5: (1 + 0.5·2)/20
    expect(lorenzAt(c, 0.5)).toBeCloseTo(0.225, 15); // k = 2.5: (3 + 0.5·3)/20
    expect(lorenzAt(c, 0.8)).toBe(0.5); // k = 4: 10/20
    expect(lorenzAt(c, 0.9)).toBeCloseTo(0.75, 15); // k = 4.5: (10 + 0.5·10)/20
    expect(lorenzAt(c, 1)).toBe(1);
    expect(c.lorenz).toHaveLength(101);
  });

  it('exact top-1 % point at k = N − ceil(0.01·N) = 4', () => {
    expect(c.top1Point).toEqual({ p: 0.8, k: 4, share: 0.5 });
  });

  it('Herfindahl = (1 + 4 + 9 + 16 + 100)/400', () => {
    expect(c.herfindahl).toBeCloseTo(0.325, 15);
  });
});

describe('hand-worked: x = 1, 2, …, 200', () => {
  // S = 20 100; Gini of 1..N is (N − 1)/(3N) = 199/600
  const c = concentrationOf(Float64Array.from({ length: 200 }, (_, i) => i + 1));

  it('Gini', () => expect(c.gini).toBeCloseTo(199 / 600, 13));

  it('top shares', () => {
    expect(top(c, 1)).toEqual({ percent: 1, count: 2, share: 399 / 20_100 }); // 200 + 199
    expect(top(c, 5).share).toBeCloseTo(1_955 / 20_100, 15); // 191 + … + 200
    expect(top(c, 10).share).toBeCloseTo(3_810 / 20_100, 15); // 181 + … + 200 = 20·381/2
    expect(top(c, 20).share).toBeCloseTo(7_220 / 20_100, 15); // 161 + … + 200 = 40·361/2
  });

  it('80 % point: top m hold m(401 − m)/2; 110 → 16 005 < 16 080, 111 → 16 095', () => {
    expect(c.point80).toEqual({ count: 111, customerShare: 0.555 });
  });

  it('Lorenz at the median and the top-1 % point', () => {
    expect(lorenzAt(c, 0.5)).toBeCloseTo(5_050 / 20_100, 15);
    expect(c.top1Point).toEqual({ p: 0.99, k: 198, share: (20_100 - 399) / 20_100 });
  });
});

describe('edge cases', () => {
  it('the 80 % point counts a group holding exactly 80 %', () => {
    // Five equal customers: four hold exactly 4/5.
    expect(concentrationOf(sorted([7, 7, 7, 7, 7])).point80).toEqual({ count: 4, customerShare: 0.8 });
  });

  it('Gini is 0 when all are equal and (N − 1)/N when one holds all', () => {
    expect(concentrationOf(sorted([3, 3, 3, 3])).gini).toBe(0);
    expect(concentrationOf(sorted([0, 0, 0, 0, 100])).gini).toBeCloseTo(0.8, 15);
  });

  it('one customer', () => {
    const c = concentrationOf(sorted([500]));
    expect(c.gini).toBe(0);
    expect(c.topShares.map((t) => t.share)).toEqual([1, 1, 1, 1]);
    expect(c.point80).toEqual({ count: 1, customerShare: 1 });
    expect(lorenzAt(c, 0.5)).toBe(0.5); // half way through the only customer
    expect(c.top1Point).toEqual({ p: 0, k: 0, share: 0 });
    expect(c.herfindahl).toBe(1);
  });

  it('zero-asset customers only: shares and Gini are undefined', () => {
    const c = concentrationOf(sorted([0, 0, 0]));
    expect(c.total).toBe(0);
    expect(c.gini).toBeNull();
    expect(c.herfindahl).toBeNull();
    expect(c.point80).toBeNull();
    expect(c.topShares.every((t) => t.share === null)).toBe(true);
    expect(c.lorenz.every((p) => p.share === null)).toBe(true);
  });

  it('no customers', () => {
    const c = concentrationOf(new Float64Array());
    expect(c.n).toBe(0);
    expect(c.top1Point).toBeNull();
    expect(c.gini).toBeNull();
  });

  it('rejects unsorted, negative, fractional or too large amounts', () => {
    expect(() => concentrationOf(Float64Array.from([2, 1]))).toThrow(RangeError);
    expect(() => concentrationOf(Float64Array.from([-1, 1]))).toThrow(RangeError);
    expect(() => concentrationOf(Float64Array.from([0.5]))).toThrow(RangeError);
    expect(() => concentrationOf(Float64Array.from([2 ** 52, 2 ** 52]))).toThrow(RangeError);
  });

  it('computes ceil(p·N) without float error', () => {
    expect(topCount(7, 100)).toBe(7); // 0.07 · 100 = 7.000000000000001 in floats
    expect(topCount(1, 101)).toBe(2);
    expect(topCount(20, 5)).toBe(1);
  });

  it('stays exact when Σ i·x_i passes 2^53', () => {
    // 10^6 customers at 0 and 10^6 at 4·10^9 fen: Σ i·x_i ≈ 6·10^21. Closed form: G = m/(2m) = 0.5 exactly.
    // (2·10^6 customers also cross the 2^20-customer carry of the split sum.)
    const m = 1_000_000;
    const x = new Float64Array(2 * m);
    x.fill(4e9, m);
    expect(concentrationOf(x).gini).toBe(0.5);
    // Equal amounts: exactly 0, where a float Σ i·x_i would leave a residue.
    expect(concentrationOf(new Float64Array(2 * m).fill(4e9)).gini).toBe(0);
    // x_i = i for N = 3·10^6: Σ i·x_i = Σ i² ≈ 9·10^18; G = (N − 1)/(3N).
    const N = 3_000_000;
    expect(concentrationOf(Float64Array.from({ length: N }, (_, i) => i + 1)).gini).toBeCloseTo((N - 1) / (3 * N), 14);
  });
});

describe('properties', () => {
  const amounts = fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 60 }).map(sorted);
  const positive = amounts.filter((x) => x.some((v) => v > 0));

  it('Gini ∈ [0, 1) and equals the mean-absolute-difference form', () => {
    fc.assert(
      fc.property(positive, (x) => {
        const c = concentrationOf(x);
        const N = x.length;
        let mad = 0;
        for (const a of x) for (const b of x) mad += Math.abs(a - b);
        const g = mad / (2 * N * c.total); // Σ Σ |x_i − x_j| / (2 N² μ)
        expect(c.gini).toBeGreaterThanOrEqual(0);
        expect(c.gini).toBeLessThan(1);
        expect(Math.abs((c.gini as number) - g)).toBeLessThan(1e-9);
      }),
    );
  });

  it('Lorenz curve runs from 0 to 1, rises, and is convex', () => {
    fc.assert(
      fc.property(positive, (x) => {
        const L = concentrationOf(x).lorenz.map((p) => p.share as number);
        expect(L[0]).toBe(0);
        expect(L[100]).toBe(1);
        for (let i = 1; i <= 100; i++) expect(L[i]! - L[i - 1]!).toBeGreaterThanOrEqual(-1e-12);
        for (let i = 1; i < 100; i++) expect(L[i + 1]! - 2 * L[i]! + L[i - 1]!).toBeGreaterThanOrEqual(-1e-12);
        // and never above the line of equality
        L.forEach((l, i) => expect(l).toBeLessThanOrEqual(i / 100 + 1e-12));
      }),
    );
  });

  it('top shares, 80 % point and Herfindahl match brute force from the largest down', () => {
    fc.assert(
      fc.property(positive, (x) => {
        const c = concentrationOf(x);
        const desc = [...x].sort((a, b) => b - a);
        const S = desc.reduce((s, v) => s + v, 0);
        for (const t of c.topShares) {
          const m = Math.ceil((t.percent / 100) * x.length - 1e-9);
          expect(t.count).toBe(m);
          expect(t.share).toBeCloseTo(desc.slice(0, m).reduce((s, v) => s + v, 0) / S, 12);
        }
        let m80 = 0;
        for (let acc = 0; acc < 0.8 * S; m80++) acc += desc[m80]!;
        expect(c.point80?.count).toBe(m80);
        expect(c.herfindahl).toBeCloseTo(desc.reduce((s, v) => s + (v / S) ** 2, 0), 12);
      }),
    );
  });
});

describe('publishableConcentration', () => {
  it('N = 100, minCell 10: top 10 % and 20 % pass, top 1 % and 5 % are too small', () => {
    // x = 1..100. Accepted positions 0, 80 (top 20 %), 90 (top 10 %), 100; grid points every 10 % fit between.
    const c = concentrationOf(Float64Array.from({ length: 100 }, (_, i) => i + 1));
    const p = publishableConcentration(c, 10);
    expect(p.topShares.map((t) => t.share.withheld)).toEqual(['small-group', 'small-group', null, null]);
    expect(p.top1Point?.share).toEqual({ value: null, withheld: 'small-group' });
    expect(p.gini.withheld).toBeNull();
    expect(p.herfindahl).toEqual({ value: null, withheld: 'small-group' }); // ceil(0.01·100) = 1 < 10
    expect(p.point80).toEqual({ value: { count: 56, customerShare: 0.56 }, withheld: null }); // 56·145/2 = 4060 ≥ 4040
    const published = p.lorenz.filter((l) => l.share.withheld === null).map((l) => l.p);
    expect(published).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(p.lorenz[95]!.share).toEqual({ value: null, withheld: 'small-segment' });
  });

  it('N = 1 050: an interpolated point half a customer from a top-p boundary is withheld', () => {
    // top 20/10/5/1 % = 210/105/53/11 customers → boundaries 840, 945, 997, 1039, all ≥ 10 apart.
    const c = concentrationOf(new Float64Array(1_050).fill(100));
    const p = publishableConcentration(c, 10);
    expect(p.topShares.every((t) => t.share.withheld === null)).toBe(true);
    expect(p.top1Point?.share.withheld).toBeNull();
    // 95 % → k = 997.5 and 99 % → k = 1039.5: half a customer from a top boundary.
    expect(p.lorenz[95]!.share.withheld).toBe('small-segment');
    expect(p.lorenz[99]!.share.withheld).toBe('small-segment');
    // 94 % → 987 (10 below 997), 96 % → 1008 (11 above 997), 98 % → 1029 (10 below 1039)
    for (const i of [94, 96, 97, 98]) expect(p.lorenz[i]!.share.withheld).toBeNull();
  });

  it('a Gini needs minCell customers; a scope with fewer publishes only the trivial end points', () => {
    const c = concentrationOf(sorted([1, 2, 3, 4, 10]));
    const p = publishableConcentration(c, 10);
    expect(p.gini).toEqual({ value: null, withheld: 'small-group' });
    expect(p.point80.withheld).toBe('small-group');
    expect(p.lorenz.filter((l) => l.share.withheld === null).map((l) => l.p)).toEqual([0, 1]);
    expect(publishableConcentration(c, 5).gini).toEqual({ value: 0.4, withheld: null });
  });

  it('withholds everything, with the reason, for a zero total or an empty scope', () => {
    const zero = publishableConcentration(concentrationOf(new Float64Array(50)), 10);
    expect(zero.gini.withheld).toBe('zero-total');
    expect(zero.lorenz.every((l) => l.share.withheld === 'zero-total')).toBe(true);
    const empty = publishableConcentration(concentrationOf(new Float64Array()), 10);
    expect(empty.topShares.every((t) => t.share.withheld === 'no-customers')).toBe(true);
    expect(empty.top1Point).toBeNull();
  });

  it('never publishes two cumulative points fewer than minCell customers apart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 40 }), (N, minCell) => {
        const c = concentrationOf(new Float64Array(N).fill(1));
        const p = publishableConcentration(c, minCell);
        const positions = new Set<number>([0, N]);
        p.lorenz.forEach((l, i) => l.share.withheld === null && positions.add(c.lorenz[i]!.k));
        p.topShares.forEach((t, i) => {
          if (t.share.withheld !== null) return;
          const count = c.topShares[i]!.count;
          expect(count).toBeGreaterThanOrEqual(minCell);
          positions.add(N - count);
        });
        if (p.top1Point?.share.withheld === null) positions.add(c.top1Point!.k);
        const ks = [...positions].sort((a, b) => a - b);
        if (ks.length > 2) for (let i = 1; i < ks.length; i++) expect(ks[i]! - ks[i - 1]!).toBeGreaterThanOrEqual(minCell);
        if (p.gini.withheld === null) expect(N).toBeGreaterThanOrEqual(minCell);
        if (p.herfindahl.withheld === null) expect(topCount(1, N)).toBeGreaterThanOrEqual(minCell);
      }),
      { numRuns: 300 },
    );
  });
});
