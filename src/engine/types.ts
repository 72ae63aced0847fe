// What the row-level stage (DuckDB) hands to the pure metric code in src/lib.
// Amounts are integer fen (分, 0.01 元) throughout, so sums and bridge
// identities are exact; doubles hold integers exactly up to 2^53 fen ≈ 90 万亿元.
// Schemas, not bare interfaces: the pipeline cache reads these back from disk
// and must not trust what it reads.
import { z } from 'zod';

const Fen = z.number().int().min(0);
const Count = z.number().int().min(0);

/** Top contributions of a cell, largest first (at most 2), for the p % rule. */
export const Top2 = z.union([z.tuple([z.number(), z.number()]), z.tuple([z.number()]), z.tuple([])]);
export type Top2 = z.infer<typeof Top2>;

/** One (branch, band) cell of one snapshot. Bands are the finest tier partition (see bandsOf). */
export const SnapshotCell = z
  .object({
    branch: z.string(),
    band: Count,
    n: Count,
    aum: Fen,
    deposits: Fen,
    aumTop: Top2,
    depositsTop: Top2,
  })
  .strict();
export type SnapshotCell = z.infer<typeof SnapshotCell>;

/**
 * One cell of a period's flows: customers grouped by where they were and are.
 * `startTier` null = new (not in start); `endTier` null = lost (not in end).
 * Branch is null on the side where the customer is absent.
 */
export const FlowCell = z
  .object({
    startBranch: z.string().nullable(),
    endBranch: z.string().nullable(),
    startTier: Count.nullable(),
    endTier: Count.nullable(),
    n: Count,
    /** Σ aum at start (0 for new customers). */
    aumStart: Fen,
    /** Σ aum at end (0 for lost customers). */
    aumEnd: Fen,
    aumStartTop: Top2,
    aumEndTop: Top2,
    /** Largest |aum_end − aum_start| of retained customers, for the p % rule on changes. */
    deltaAbsTop: Top2,
    /** Σ |aum_end − aum_start| of retained customers: the X of the p % rule for change cells. */
    deltaAbsSum: Fen,
    /** New customers only: how many have an open_date after the start snapshot's date. */
    openedInPeriod: Count,
    /** New customers only: how many have any open_date at all. */
    withOpenDate: Count,
  })
  .strict();
export type FlowCell = z.infer<typeof FlowCell>;

/** Amounts of one snapshot sorted ascending, per scope, for exact concentration. */
export interface SortedAmounts {
  /** Whole bank. */
  bank: Float64Array;
  /** Per branch code. */
  branches: Map<string, Float64Array>;
}
