// Test support for the metric tests: a customer-level "book" and a plain,
// row-by-row stand-in for the DuckDB stage that turns it into SnapshotCell and
// FlowCell lists. Deliberately naive (linear scans, no shared code with
// src/lib/tiers.ts) so that it is an independent check on the metric code.
import fc from 'fast-check';
import type { FlowCell, SnapshotCell, Top2 } from '../src/engine/types.ts';
import { bandsOf, parseConfig, type Config } from '../src/lib/config.ts';

export const config: Config = parseConfig({});

/** 元 → fen for hand-written fixtures. */
export const yuan = (y: number): number => Math.round(y * 100);

export interface Holding {
  branch: string;
  /** fen */
  aum: number;
  deposits: number;
}

export interface Customer {
  start: Holding | null;
  end: Holding | null;
  /** New customers: opened after the start snapshot (true), before it (false), unknown (null). */
  openedInPeriod?: boolean | null;
}

/** Count of bounds at or below the amount, minus one: the range holding it. */
const rangeOf = (aumFen: number, lowersYuan: number[]): number => lowersYuan.filter((l) => l * 100 <= aumFen).length - 1;
export const tierOf = (aumFen: number, cfg: Config = config): number => rangeOf(aumFen, cfg.tiers.map((t) => t.lower));
export const bandOf = (aumFen: number, cfg: Config = config): number => rangeOf(aumFen, bandsOf(cfg).map((b) => b.lower));

function top2(values: number[]): Top2 {
  const s = [...values].sort((a, b) => b - a);
  return s.length === 0 ? [] : s.length === 1 ? [s[0] as number] : [s[0] as number, s[1] as number];
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);

export function snapshotCellsOf(holdings: Holding[], cfg: Config = config): SnapshotCell[] {
  return [...groupBy(holdings, (h) => `${h.branch}|${bandOf(h.aum, cfg)}`).values()].map((hs) => {
    const h0 = hs[0] as Holding;
    return {
      branch: h0.branch,
      band: bandOf(h0.aum, cfg),
      n: hs.length,
      aum: sum(hs.map((h) => h.aum)),
      deposits: sum(hs.map((h) => h.deposits)),
      aumTop: top2(hs.map((h) => h.aum)),
      depositsTop: top2(hs.map((h) => h.deposits)),
    };
  });
}

export const startHoldings = (book: Customer[]): Holding[] => book.flatMap((c) => (c.start ? [c.start] : []));
export const endHoldings = (book: Customer[]): Holding[] => book.flatMap((c) => (c.end ? [c.end] : []));

export function flowCellsOf(book: Customer[], cfg: Config = config): FlowCell[] {
  const key = (c: Customer) =>
    [c.start?.branch ?? '-', c.end?.branch ?? '-', c.start ? tierOf(c.start.aum, cfg) : '-', c.end ? tierOf(c.end.aum, cfg) : '-'].join('|');
  return [...groupBy(book, key).values()].map((cs) => {
    const c0 = cs[0] as Customer;
    const retained = c0.start !== null && c0.end !== null;
    const deltas = retained ? cs.map((c) => Math.abs((c.end as Holding).aum - (c.start as Holding).aum)) : [];
    const isNew = c0.start === null;
    return {
      startBranch: c0.start?.branch ?? null,
      endBranch: c0.end?.branch ?? null,
      startTier: c0.start ? tierOf(c0.start.aum, cfg) : null,
      endTier: c0.end ? tierOf(c0.end.aum, cfg) : null,
      n: cs.length,
      aumStart: sum(cs.map((c) => c.start?.aum ?? 0)),
      aumEnd: sum(cs.map((c) => c.end?.aum ?? 0)),
      aumStartTop: top2(cs.flatMap((c) => (c.start ? [c.start.aum] : []))),
      aumEndTop: top2(cs.flatMap((c) => (c.end ? [c.end.aum] : []))),
      deltaAbsTop: top2(deltas),
      deltaAbsSum: sum(deltas),
      openedInPeriod: isNew ? cs.filter((c) => c.openedInPeriod === true).length : 0,
      withOpenDate: isNew ? cs.filter((c) => c.openedInPeriod === true || c.openedInPeriod === false).length : 0,
    };
  });
}

// ——— Random books ———————————————————————————————————————————————————————————

export const BRANCHES = ['A', 'B', 'C'] as const;

/** Amounts clustered at and around every tier bound, plus zero and anything up to 2 亿元. */
const amount = fc.oneof(
  fc.constantFrom(...config.tiers.flatMap((t) => [yuan(t.lower), Math.max(0, yuan(t.lower) - 1)])),
  fc.integer({ min: 0, max: yuan(60_000) }),
  fc.integer({ min: 0, max: yuan(200_000_000) }),
);

const holding = fc.record({ branch: fc.constantFrom(...BRANCHES), aum: amount, deposits: fc.integer({ min: 0, max: yuan(100_000) }) });

export const customerArb: fc.Arbitrary<Customer> = fc
  .record({
    start: fc.option(holding, { freq: 4 }),
    end: fc.option(holding, { freq: 4 }),
    openedInPeriod: fc.option(fc.boolean()),
  })
  .filter((c) => c.start !== null || c.end !== null);

export const bookArb = fc.array(customerArb, { minLength: 0, maxLength: 80 });
