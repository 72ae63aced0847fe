import { describe, expect, it } from 'vitest';
import {
  adjustedRates,
  allTiersMigration,
  flowRole,
  grossRates,
  midHighMigration,
  migrationCounts,
  mobilityIndex,
  netChange,
  poolMigration,
  scopeFlows,
  shorrocks,
  type ScopeFlows,
} from '../src/lib/flows.ts';
import { BANK, branchScope } from '../src/lib/periods.ts';
import { config, flowCellsOf, yuan, type Customer } from './metrics-book.ts';

const at = (branch: string, aum: number) => ({ branch, aum: yuan(aum), deposits: 0 });
const moved = (b1: string, a1: number, b2: string, a2: number): Customer => ({ start: at(b1, a1), end: at(b2, a2) });
const lost = (b: string, a: number): Customer => ({ start: at(b, a), end: null });
const fresh = (b: string, a: number, openedInPeriod: boolean | null = null): Customer => ({ start: null, end: at(b, a), openedInPeriod });

// Tiers: 0 ordinary, 1 potential, 2 mid, 3 high, 4 private. Amounts in 元.
const book: Customer[] = [
  /* c1  */ moved('A', 1_000, 'A', 6_000), // o → p
  /* c2  */ moved('A', 5_000, 'A', 4_999.99), // p → o (5 000 is potential, 4 999.99 ordinary)
  /* c3  */ moved('A', 60_000, 'A', 70_000), // m → m, +10 000
  /* c4  */ moved('A', 300_000, 'A', 200_000), // m → m, −100 000
  /* c5  */ moved('A', 1_000_000, 'A', 49_999.99), // h → p, two tiers down
  /* c6  */ moved('A', 9_000_000, 'A', 9_500_000), // pr → pr
  /* c7  */ lost('A', 2_000), // o
  /* c8  */ lost('A', 8_000_000), // pr
  /* c9  */ fresh('A', 50_000, true), // m, opened in the period
  /* c10 */ fresh('A', 0, false), // o, zero assets, re-appearing
  /* c11 */ moved('B', 20_000, 'A', 1_000_000), // p → h, B → A
  /* c12 */ moved('A', 100, 'B', 100), // o → o, A → B
  /* c13 */ moved('B', 40_000, 'B', 45_000), // p → p
  /* c14 */ lost('B', 3_000_000), // h
  /* c15 */ fresh('B', 8_000_000), // pr, no open date
];
const cells = flowCellsOf(book);
const values = (cs: { value: number }[]) => cs.map((c) => c.value);
const matrixOf = (f: ScopeFlows) => f.matrix.map(values);

describe('bank scope', () => {
  const f = scopeFlows(cells, 5, BANK);

  it('puts retained customers in the matrix whatever their branch', () => {
    // c1 M[0][1], c12 M[0][0] | c2 M[1][0], c13 M[1][1], c11 M[1][3] | c3, c4 M[2][2] | c5 M[3][1] | c6 M[4][4]
    expect(matrixOf(f)).toEqual([
      [1, 1, 0, 0, 0],
      [1, 1, 0, 1, 0],
      [0, 0, 2, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(values(f.new)).toEqual([1, 0, 1, 0, 1]); // c10, c9, c15 by end tier
    expect(values(f.lost)).toEqual([1, 0, 0, 1, 1]); // c7, c14, c8 by start tier
    expect(values(f.transferIn)).toEqual([0, 0, 0, 0, 0]);
    expect(values(f.transferOut)).toEqual([0, 0, 0, 0, 0]);
  });

  it('counts start and end per tier like the snapshots', () => {
    // start o: c1 c7 c12 | p: c2 c11 c13 | m: c3 c4 | h: c5 c14 | pr: c6 c8
    expect(values(f.start)).toEqual([3, 3, 2, 2, 2]);
    // end o: c2 c10 c12 | p: c1 c5 c13 | m: c3 c4 c9 | h: c11 | pr: c6 c15
    expect(values(f.end)).toEqual([3, 3, 3, 1, 2]);
  });

  it('bridges every tier', () => {
    const rows = f.bridge.map((b) => [b.start, b.new, b.inUp, b.inDown, b.outUp, b.outDown, b.lost, b.transferIn, b.transferOut, b.end].map((c) => c.value));
    expect(rows).toEqual([
      [3, 1, 0, 1, 1, 0, 1, 0, 0, 3], // o: 3 + 1 + 1 (c2) − 1 (c1) − 1 (c7) = 3
      [3, 0, 1, 1, 1, 1, 0, 0, 0, 3], // p: 3 + 1 (c1) + 1 (c5) − 1 (c11) − 1 (c2) = 3
      [2, 1, 0, 0, 0, 0, 0, 0, 0, 3], // m: 2 + 1 (c9) = 3
      [2, 0, 1, 0, 0, 1, 1, 0, 0, 1], // h: 2 + 1 (c11) − 1 (c5) − 1 (c14) = 1
      [2, 1, 0, 0, 0, 0, 1, 0, 0, 2], // pr: 2 + 1 (c15) − 1 (c8) = 2
    ]);
    expect(f.bridge.map(netChange)).toEqual([0, 0, 1, -1, 0]);
  });

  it('gross rates divide by n_a and add to 1; impossible moves are null', () => {
    const g = migrationCounts(f).map(grossRates);
    expect(g[0]).toEqual({ up: 1 / 3, down: null, stay: 1 / 3, loss: 1 / 3, transferOut: null });
    expect(g[1]).toEqual({ up: 1 / 3, down: 1 / 3, stay: 1 / 3, loss: 0, transferOut: null });
    expect(g[3]).toEqual({ up: 0, down: 0.5, stay: 0, loss: 0.5, transferOut: null });
    expect(g[4]).toEqual({ up: null, down: 0, stay: 0.5, loss: 0.5, transferOut: null });
  });

  it('adjusted rates divide by the retained', () => {
    const a = migrationCounts(f).map(adjustedRates);
    expect(a[0]).toEqual({ up: 0.5, down: null, stay: 0.5 }); // c1 up, c12 stays
    expect(a[3]).toEqual({ up: 0, down: 1, stay: 0 }); // only c5, down
    expect(a[4]).toEqual({ up: null, down: 0, stay: 1 });
  });

  it('pools counts, not rates', () => {
    // Σ start 12; up c1 c11 = 2; down c2 c5 = 2; stay c12 c13 c3 c4 c6 = 5; lost 3
    const all = allTiersMigration(f);
    expect(grossRates(all)).toEqual({ up: 2 / 12, down: 2 / 12, stay: 5 / 12, loss: 3 / 12, transferOut: null });
    expect(adjustedRates(all)).toEqual({ up: 2 / 9, down: 2 / 9, stay: 5 / 9 });
    // The mean of the five tier loss rates would be (1/3 + 0 + 0 + 1/2 + 1/2)/5 = 4/15, not 1/4.
    // Mid-high (m, h, pr): start 6; down c5; stay c3 c4 c6; lost c14 c8.
    const mh = midHighMigration(f, config);
    expect(grossRates(mh)).toEqual({ up: 0, down: 1 / 6, stay: 3 / 6, loss: 2 / 6, transferOut: null });
    expect(adjustedRates(mh)).toEqual({ up: 0, down: 1 / 4, stay: 3 / 4 });
  });

  it('Shorrocks index over the adjusted matrix', () => {
    // trace P = 1/2 + 1/3 + 1 + 0 + 1 = 17/6; (5 − 17/6)/4 = 13/24
    expect(mobilityIndex(f)).toBeCloseTo(13 / 24, 15);
  });

  it('bridges assets exactly in fen', () => {
    const a = f.assets;
    // start: 1 000 + 5 000 + 60 000 + 300 000 + 1e6 + 9e6 + 2 000 + 8e6 + 20 000 + 100 + 40 000 + 3e6 = 21 428 100 元
    expect(a.start.value).toBe(yuan(21_428_100));
    expect(a.lost.value).toBe(yuan(11_002_000)); // c7 + c8 + c14 at start
    expect(a.new.value).toBe(yuan(8_050_000)); // c9 + c10 + c15 at end
    // +5 000 − 0.01 + 10 000 − 100 000 − 950 000.01 + 500 000 + 980 000 + 0 + 5 000
    expect(a.change.value).toBe(yuan(449_999.98));
    expect(a.end.value).toBe(yuan(18_926_099.98));
    expect(a.start.value - a.lost.value + a.new.value + a.change.value + a.transferIn.value - a.transferOut.value).toBe(a.end.value);
    // by start tier: o c1 c12 | p c2 c11 c13 | m c3 c4 | h c5 | pr c6
    expect(values(a.byTier.change)).toEqual([yuan(5_000), yuan(984_999.99), yuan(-90_000), yuan(-950_000.01), yuan(500_000)]);
  });

  it('gives change cells Σ|Δ| and the largest |Δ| for the p % rule', () => {
    // mid: +10 000 and −100 000 → value −90 000, absTotal 110 000
    expect(f.assets.byTier.change[2]).toEqual({ value: yuan(-90_000), n: 2, top: [yuan(100_000), yuan(10_000)], absTotal: yuan(110_000), kind: 'change' });
    expect(f.assets.lost).toMatchObject({ n: 3, top: [yuan(8_000_000), yuan(3_000_000)], kind: 'amount' });
  });
});

describe('branch scope with transfers', () => {
  const a = scopeFlows(cells, 5, branchScope('A'));
  const b = scopeFlows(cells, 5, branchScope('B'));

  it('classifies a customer in both snapshots under another branch as a transfer, never new or lost', () => {
    const c11 = cells.find((c) => c.startBranch === 'B' && c.endBranch === 'A')!;
    expect(flowRole(c11, branchScope('A'))).toBe('transferIn');
    expect(flowRole(c11, branchScope('B'))).toBe('transferOut');
    expect(flowRole(c11, branchScope('C'))).toBeNull();
    expect(flowRole(c11, BANK)).toBe('retained');
    expect(values(a.transferIn)).toEqual([0, 0, 0, 1, 0]); // c11 by end tier (high)
    expect(values(a.transferOut)).toEqual([1, 0, 0, 0, 0]); // c12 by start tier (ordinary)
    expect(values(b.transferIn)).toEqual([1, 0, 0, 0, 0]); // c12 at B, ordinary
    expect(values(b.transferOut)).toEqual([0, 1, 0, 0, 0]); // c11 from B, potential
    expect(values(a.new)).toEqual([1, 0, 1, 0, 0]);
    expect(values(a.lost)).toEqual([1, 0, 0, 0, 1]);
  });

  it('bridges branch A with both transfer terms', () => {
    const rows = a.bridge.map((t) => [t.start, t.new, t.inUp, t.inDown, t.outUp, t.outDown, t.lost, t.transferIn, t.transferOut, t.end].map((c) => c.value));
    expect(rows).toEqual([
      [3, 1, 0, 1, 1, 0, 1, 0, 1, 2], // o: 3 + c10 + c2 − c1 − c7 − c12 = 2
      [1, 0, 1, 1, 0, 1, 0, 0, 0, 2], // p: 1 + c1 + c5 − c2 = 2
      [2, 1, 0, 0, 0, 0, 0, 0, 0, 3],
      [1, 0, 0, 0, 0, 1, 0, 1, 0, 1], // h: 1 − c5 + c11 = 1
      [2, 0, 0, 0, 0, 0, 1, 0, 0, 1],
    ]);
  });

  it('gross rates include a transfer-out rate so they still add to 1', () => {
    // A, ordinary: c1 up, c7 lost, c12 transferred out, nobody stays
    expect(grossRates(migrationCounts(a)[0]!)).toEqual({ up: 1 / 3, down: null, stay: 0, loss: 1 / 3, transferOut: 1 / 3 });
    expect(adjustedRates(migrationCounts(a)[0]!)).toEqual({ up: 1, down: null, stay: 0 });
    // B, potential: c13 stays, c11 transferred out
    expect(grossRates(migrationCounts(b)[1]!)).toEqual({ up: 0, down: 0, stay: 0.5, loss: 0, transferOut: 0.5 });
  });

  it('bridges branch A assets with transfers in at end and out at start', () => {
    const x = a.assets;
    expect(x.start.value).toBe(yuan(18_368_100)); // c1–c8 + c12
    expect(x.lost.value).toBe(yuan(8_002_000)); // c7 + c8
    expect(x.new.value).toBe(yuan(50_000)); // c9 + c10
    expect(x.change.value).toBe(yuan(-535_000.02)); // c1–c6
    expect(x.transferIn.value).toBe(yuan(1_000_000)); // c11 at end
    expect(x.transferOut.value).toBe(yuan(100)); // c12 at start
    expect(x.end.value).toBe(yuan(10_880_999.98));
    expect(x.start.value - x.lost.value + x.new.value + x.change.value + x.transferIn.value - x.transferOut.value).toBe(x.end.value);
  });

  it('leaves Shorrocks undefined with fewer than two tiers of retained customers', () => {
    expect(matrixOf(b)[1]).toEqual([0, 1, 0, 0, 0]); // only c13
    expect(mobilityIndex(b)).toBeNull();
  });
});

describe('Shorrocks with empty rows', () => {
  it('leaves out tiers with no retained customers rather than treating them as staying', () => {
    // Rows 0 and 2 have data: P00 = 1/2, P22 = 1, m = 2 → (2 − 3/2)/1 = 1/2 (identity rows would give 1/4).
    expect(shorrocks([[1, 1, 0], [0, 0, 0], [0, 0, 2]])).toBe(0.5);
    expect(shorrocks([[3, 0], [0, 4]])).toBe(0); // nobody moves
    expect(shorrocks([[0, 2], [5, 0]])).toBe(2); // everyone moves: m/(m − 1)
    expect(shorrocks([[0, 0], [0, 0]])).toBeNull();
  });
});

describe('one-sided periods', () => {
  it('only new customers: nothing to divide by', () => {
    const f = scopeFlows(flowCellsOf([fresh('A', 10), fresh('A', 6_000), fresh('B', 6_000)]), 5, BANK);
    expect(values(f.start)).toEqual([0, 0, 0, 0, 0]);
    expect(values(f.end)).toEqual([1, 2, 0, 0, 0]);
    expect(f.bridge.every((b) => b.end.value === b.new.value)).toBe(true);
    expect(grossRates(allTiersMigration(f))).toEqual({ up: null, down: null, stay: null, loss: null, transferOut: null });
    expect(adjustedRates(migrationCounts(f)[1]!)).toEqual({ up: null, down: null, stay: null });
    expect(mobilityIndex(f)).toBeNull();
    expect(f.assets.end.value).toBe(f.assets.new.value);
    expect(f.assets.start).toEqual({ value: 0, n: 0, top: [], absTotal: 0, kind: 'amount' });
  });

  it('only lost customers: everyone leaves', () => {
    const f = scopeFlows(flowCellsOf([lost('A', 10), lost('A', 6_000), lost('B', 8_000_000)]), 5, branchScope('A'));
    expect(values(f.start)).toEqual([1, 1, 0, 0, 0]);
    expect(values(f.end)).toEqual([0, 0, 0, 0, 0]);
    expect(grossRates(migrationCounts(f)[0]!)).toEqual({ up: 0, down: null, stay: 0, loss: 1, transferOut: 0 });
    expect(grossRates(migrationCounts(f)[2]!)).toEqual({ up: null, down: null, stay: null, loss: null, transferOut: null });
    expect(adjustedRates(migrationCounts(f)[0]!)).toEqual({ up: null, down: null, stay: null });
    expect(f.assets.start.value - f.assets.lost.value).toBe(f.assets.end.value);
  });

  it('a scope with one customer', () => {
    const f = scopeFlows(flowCellsOf([moved('A', 8_000_000, 'A', 7_999_999.99)]), 5, branchScope('A'));
    expect(grossRates(migrationCounts(f)[4]!)).toEqual({ up: null, down: 1, stay: 0, loss: 0, transferOut: 0 });
    expect(f.assets.change).toEqual({ value: -1, n: 1, top: [1], absTotal: 1, kind: 'change' });
  });
});

describe('pooling over periods', () => {
  it('adds counts across periods before dividing', () => {
    // Period 1: 1 of 1 ordinary moves up. Period 2: 0 of 3 move up, 3 lost.
    const p1 = migrationCounts(scopeFlows(flowCellsOf([moved('A', 0, 'A', 5_000)]), 5, BANK))[0]!;
    const p2 = migrationCounts(scopeFlows(flowCellsOf([lost('A', 1), lost('A', 2), lost('A', 3)]), 5, BANK))[0]!;
    expect(grossRates(poolMigration([p1, p2]))).toEqual({ up: 1 / 4, down: null, stay: 0, loss: 3 / 4, transferOut: null });
    // Not the mean of 100 % and 0 %.
  });
});

describe('input checks', () => {
  it('rejects tiers outside the config and inconsistent branches', () => {
    const [c] = flowCellsOf([moved('A', 1, 'A', 2)]);
    expect(() => scopeFlows([{ ...c!, endTier: 7 }], 5, BANK)).toThrow(RangeError);
    expect(() => scopeFlows([{ ...c!, startBranch: null }], 5, BANK)).toThrow(RangeError);
    expect(() => scopeFlows([{ ...c!, startTier: null, endTier: null }], 5, BANK)).toThrow(RangeError);
  });
});
