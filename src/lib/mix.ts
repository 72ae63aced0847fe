// New-customer mix of one period and scope (docs/metrics.md "New-customer mix"): which
// tiers new customers land in, beside the tier mix of the whole end snapshot.
import type { FlowCell } from '../engine/types.ts';
import { countCell, sumCells, type Cell } from './cell.ts';
import type { Config } from './config.ts';
import { flowRole } from './flows.ts';
import type { Scope } from './periods.ts';
import { share, type SnapshotStats } from './snapshotStats.ts';
import { midHighFromIndex } from './tiers.ts';

export interface OpenDateSplit {
  /** open_date after the start snapshot: truly new relationships. */
  openedInPeriod: Cell;
  /** open_date on or before the start snapshot, yet absent from it. */
  reappearing: Cell;
  /** New customers without an open_date. */
  unknown: Cell;
}

export interface NewCustomerMix {
  /** By end tier. */
  newByTier: Cell[];
  newTotal: Cell;
  newMidHigh: Cell;
  /** Customers per tier in the end snapshot, same scope. */
  stockByTier: Cell[];
  stockTotal: Cell;
  stockMidHigh: Cell;
  /** Null when no new customer of the scope has an open_date (the column is absent or empty). */
  openDates: OpenDateSplit | null;
}

export function newCustomerMix(cells: readonly FlowCell[], scope: Scope, endStock: SnapshotStats, config: Config): NewCustomerMix {
  const byTier: Cell[][] = config.tiers.map(() => []);
  let opened = 0;
  let dated = 0;
  let all = 0;
  for (const c of cells) {
    if (flowRole(c, scope) !== 'new') continue;
    const list = byTier[c.endTier as number];
    if (list === undefined) throw new RangeError(`flow cell end tier ${c.endTier} is outside the ${config.tiers.length} configured tiers`);
    list.push(countCell(c.n));
    opened += c.openedInPeriod;
    dated += c.withOpenDate;
    all += c.n;
  }
  const from = midHighFromIndex(config);
  const newByTier = byTier.map((list) => sumCells('count', list));
  const stockByTier = endStock.tiers.map((t) => t.n);
  return {
    newByTier,
    newTotal: sumCells('count', newByTier),
    newMidHigh: sumCells('count', newByTier.slice(from)),
    stockByTier,
    stockTotal: endStock.total.n,
    stockMidHigh: endStock.midHigh.n,
    openDates: dated === 0 ? null : { openedInPeriod: countCell(opened), reappearing: countCell(dated - opened), unknown: countCell(all - dated) },
  };
}

export interface MixShares {
  /** Share of all new customers, by end tier. */
  newByTier: (number | null)[];
  /** Share of the end snapshot, by tier. */
  stockByTier: (number | null)[];
  /** The headline pair: mid-high share of new customers vs of the stock (seed: 4.58 % vs 4.15 %). */
  newMidHigh: number | null;
  stockMidHigh: number | null;
  /** Shares of new customers with an open_date, so the two add to 1. */
  openedInPeriod: number | null;
  reappearing: number | null;
}

/** Shares from (published) cells; null where a denominator is 0. */
export function mixShares(m: NewCustomerMix): MixShares {
  const dated = m.openDates === null ? 0 : m.openDates.openedInPeriod.value + m.openDates.reappearing.value;
  return {
    newByTier: m.newByTier.map((c) => share(c.value, m.newTotal.value)),
    stockByTier: m.stockByTier.map((c) => share(c.value, m.stockTotal.value)),
    newMidHigh: share(m.newMidHigh.value, m.newTotal.value),
    stockMidHigh: share(m.stockMidHigh.value, m.stockTotal.value),
    openedInPeriod: m.openDates && share(m.openDates.openedInPeriod.value, dated),
    reappearing: m.openDates && share(m.openDates.reappearing.value, dated),
  };
}
