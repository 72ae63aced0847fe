// What the row-level stage (DuckDB) hands to the pure metric code in src/lib.
// Amounts are integer fen (分, 0.01 元) throughout, so sums and bridge
// identities are exact; doubles hold integers exactly up to 2^53 fen ≈ 90 万亿元.

/** Top contributions of a cell, largest first (at most 2), for the p % rule. */
export type Top2 = [number, number] | [number] | [];

/** One (branch, band) cell of one snapshot. Bands are the finest tier partition (see bandsOf). */
export interface SnapshotCell {
  branch: string;
  band: number;
  n: number;
  aum: number;
  deposits: number;
  aumTop: Top2;
  depositsTop: Top2;
}

/**
 * One cell of a period's flows: customers grouped by where they were and are.
 * `startTier` null = new (not in start); `endTier` null = lost (not in end).
 * Branch is null on the side where the customer is absent.
 */
export interface FlowCell {
  startBranch: string | null;
  endBranch: string | null;
  startTier: number | null;
  endTier: number | null;
  n: number;
  /** Σ aum at start (0 for new customers). */
  aumStart: number;
  /** Σ aum at end (0 for lost customers). */
  aumEnd: number;
  aumStartTop: Top2;
  aumEndTop: Top2;
  /** Largest |aum_end − aum_start| of retained customers, for the p % rule on changes. */
  deltaAbsTop: Top2;
  /** Σ |aum_end − aum_start| of retained customers: the X of the p % rule for change cells. */
  deltaAbsSum: number;
  /** New customers only: how many have an open_date after the start snapshot's date. */
  openedInPeriod: number;
  /** New customers only: how many have any open_date at all. */
  withOpenDate: number;
}

/** Amounts of one snapshot sorted ascending, per scope, for exact concentration. */
export interface SortedAmounts {
  /** Whole bank. */
  bank: Float64Array;
  /** Per branch code. */
  branches: Map<string, Float64Array>;
}
