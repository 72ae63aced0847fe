// Random books: the flow metrics against customer-level brute force and against
// the snapshot tables, at bank scope and every branch scope.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Cell } from '../src/lib/cell.ts';
import { adjustedRates, allTiersMigration, grossRates, midHighMigration, migrationCounts, mobilityIndex, poolMigration, scopeFlows } from '../src/lib/flows.ts';
import { mixShares, newCustomerMix } from '../src/lib/mix.ts';
import { BANK, branchScope, type Scope } from '../src/lib/periods.ts';
import { share, snapshotStats } from '../src/lib/snapshotStats.ts';
import { BRANCHES, bookArb, config, endHoldings, flowCellsOf, snapshotCellsOf, startHoldings, tierOf, type Customer } from './metrics-book.ts';

const T = config.tiers.length;
const scopes: Scope[] = [BANK, ...BRANCHES.map(branchScope)];
const zeros = () => Array.from({ length: T }, () => 0);

/** Customer by customer, the flow counts a scope should show. */
function bruteForce(book: Customer[], scope: Scope) {
  const mine = (b: string | undefined) => b !== undefined && (scope.kind === 'bank' || b === scope.branch);
  const M = Array.from({ length: T }, zeros);
  const r = { M, new: zeros(), lost: zeros(), tIn: zeros(), tOut: zeros(), absDelta: 0, change: 0 };
  for (const c of book) {
    const s = c.start && mine(c.start.branch) ? tierOf(c.start.aum) : null;
    const e = c.end && mine(c.end.branch) ? tierOf(c.end.aum) : null;
    if (s !== null && e !== null) {
      M[s]![e]!++;
      r.absDelta += Math.abs(c.end!.aum - c.start!.aum);
      r.change += c.end!.aum - c.start!.aum;
    } else if (s !== null) (c.end ? r.tOut : r.lost)[s]!++;
    else if (e !== null) (c.start ? r.tIn : r.new)[e]!++;
  }
  return r;
}

const vals = (cs: Cell[]) => cs.map((c) => c.value);
const sumOrZero = (xs: (number | null)[]) => xs.reduce<number>((s, x) => s + (x ?? 0), 0);

describe('flows on random books', () => {
  it('match customer-level classification, snapshot counts and both bridges exactly, at every scope', () => {
    fc.assert(
      fc.property(bookArb, (book) => {
        const cells = flowCellsOf(book);
        const startCells = snapshotCellsOf(startHoldings(book));
        const endCells = snapshotCellsOf(endHoldings(book));
        for (const scope of scopes) {
          const f = scopeFlows(cells, T, scope);
          const bf = bruteForce(book, scope);
          expect(f.matrix.map(vals)).toEqual(bf.M);
          expect(vals(f.new)).toEqual(bf.new);
          expect(vals(f.lost)).toEqual(bf.lost);
          expect(vals(f.transferIn)).toEqual(bf.tIn);
          expect(vals(f.transferOut)).toEqual(bf.tOut);

          const s0 = snapshotStats(startCells, config, scope);
          const s1 = snapshotStats(endCells, config, scope);
          expect(vals(f.start)).toEqual(s0.tiers.map((t) => t.n.value));
          expect(vals(f.end)).toEqual(s1.tiers.map((t) => t.n.value));

          for (const b of f.bridge) {
            const lhs = b.start.value + b.new.value + b.inUp.value + b.inDown.value - b.outUp.value - b.outDown.value - b.lost.value + b.transferIn.value - b.transferOut.value;
            expect(lhs).toBe(b.end.value);
          }

          const a = f.assets;
          expect(a.start.value).toBe(s0.total.aum.value);
          expect(a.end.value).toBe(s1.total.aum.value);
          expect(a.start.value - a.lost.value + a.new.value + a.change.value + a.transferIn.value - a.transferOut.value).toBe(a.end.value);
          expect(a.change.value).toBe(bf.change);
          expect(a.change.absTotal).toBe(bf.absDelta);
          expect(vals(a.byTier.change).reduce((x, y) => x + y, 0)).toBe(a.change.value);
          if (scope.kind === 'bank') expect([a.transferIn.value, a.transferOut.value]).toEqual([0, 0]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('branch scopes add up to the bank, and transfers cancel', () => {
    fc.assert(
      fc.property(bookArb, (book) => {
        const cells = flowCellsOf(book);
        const bank = scopeFlows(cells, T, BANK);
        const branches = BRANCHES.map((b) => scopeFlows(cells, T, branchScope(b)));
        for (let t = 0; t < T; t++) {
          expect(branches.reduce((s, f) => s + f.start[t]!.value, 0)).toBe(bank.start[t]!.value);
          expect(branches.reduce((s, f) => s + f.end[t]!.value, 0)).toBe(bank.end[t]!.value);
          expect(branches.reduce((s, f) => s + f.new[t]!.value, 0)).toBe(bank.new[t]!.value);
        }
        const tIn = branches.reduce((s, f) => s + f.transferIn.reduce((x, c) => x + c.value, 0), 0);
        const tOut = branches.reduce((s, f) => s + f.transferOut.reduce((x, c) => x + c.value, 0), 0);
        expect(tIn).toBe(tOut);
      }),
      { numRuns: 100 },
    );
  });

  it('gross rates add to 1, adjusted rates add to 1, and the impossible moves are null', () => {
    fc.assert(
      fc.property(bookArb, (book) => {
        const cells = flowCellsOf(book);
        for (const scope of scopes) {
          const f = scopeFlows(cells, T, scope);
          const counts = migrationCounts(f);
          const pooled = [allTiersMigration(f), midHighMigration(f, config)];
          for (const [i, c] of [...counts, ...pooled].entries()) {
            const g = grossRates(c);
            const a = adjustedRates(c);
            if (i === 0) expect([g.down, a.down]).toEqual([null, null]);
            if (i === T - 1) expect([g.up, a.up]).toEqual([null, null]);
            if (scope.kind === 'bank') expect(g.transferOut).toBeNull();
            if (c.start === 0) expect(g.stay).toBeNull();
            else expect(Math.abs(sumOrZero([g.up, g.down, g.stay, g.loss, g.transferOut]) - 1)).toBeLessThan(1e-12);
            if (c.up + c.down + c.stay === 0) expect(a.stay).toBeNull();
            else expect(Math.abs(sumOrZero([a.up, a.down, a.stay]) - 1)).toBeLessThan(1e-12);
          }
          const mobility = mobilityIndex(f);
          if (mobility !== null) {
            expect(mobility).toBeGreaterThanOrEqual(-1e-12);
            // Index of m rows with data is at most m/(m − 1) (trace 0).
            const m = f.matrix.filter((row) => row.some((c) => c.value > 0)).length;
            expect(mobility).toBeLessThanOrEqual(m / (m - 1) + 1e-12);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('pooled rates over periods are Σ numerators ÷ Σ denominators', () => {
    fc.assert(
      fc.property(fc.array(bookArb, { minLength: 1, maxLength: 4 }), (books) => {
        const perPeriod = books.map((b) => allTiersMigration(scopeFlows(flowCellsOf(b), T, BANK)));
        const pooled = grossRates(poolMigration(perPeriod));
        // Independent: count customers retained/lost over all periods directly.
        let start = 0;
        let lost = 0;
        for (const b of books)
          for (const c of b)
            if (c.start) {
              start++;
              if (!c.end) lost++;
            }
        expect(pooled.loss).toBe(start === 0 ? null : lost / start);
      }),
      { numRuns: 100 },
    );
  });

  it('new-customer and stock shares add to 1 before rounding', () => {
    fc.assert(
      fc.property(bookArb, (book) => {
        const cells = flowCellsOf(book);
        const endCells = snapshotCellsOf(endHoldings(book));
        for (const scope of scopes) {
          const stock = snapshotStats(endCells, config, scope);
          const m = newCustomerMix(cells, scope, stock, config);
          expect(vals(m.newByTier)).toEqual(vals(scopeFlows(cells, T, scope).new));
          const s = mixShares(m);
          if (m.newTotal.value > 0) expect(Math.abs(sumOrZero(s.newByTier) - 1)).toBeLessThan(1e-12);
          if (stock.total.n.value > 0) {
            expect(Math.abs(sumOrZero(s.stockByTier) - 1)).toBeLessThan(1e-12);
            const aumShares = stock.tiers.map((t) => share(t.aum.value, stock.total.aum.value));
            if (stock.total.aum.value > 0) expect(Math.abs(sumOrZero(aumShares) - 1)).toBeLessThan(1e-12);
          }
          if (s.openedInPeriod !== null) expect(s.openedInPeriod + (s.reappearing as number)).toBeCloseTo(1, 12);
        }
      }),
      { numRuns: 100 },
    );
  });
});
