// Per-snapshot tier tables (docs/metrics.md "Per snapshot and scope"): additive Cells
// only. Shares, averages and the contribution index are separate functions so
// they can be computed from the cells that survive disclosure control.
import type { SnapshotCell } from '../engine/types.ts';
import { bandsOf, type Config } from './config.ts';
import { countCell, sumCells, type Cell } from './cell.ts';
import type { Scope } from './periods.ts';
import { midHighFromIndex } from './tiers.ts';

export interface Figures {
  n: Cell;
  aum: Cell;
  deposits: Cell;
}

export interface SnapshotStats {
  /** By tier index (config.tiers order). */
  tiers: Figures[];
  /** By band index (bandsOf order); a tier without sub-bands is one band. */
  bands: Figures[];
  /** Every tier from midHighFrom up. */
  midHigh: Figures;
  total: Figures;
}

export const inSnapshotScope = (cell: SnapshotCell, scope: Scope): boolean =>
  scope.kind === 'bank' || cell.branch === scope.branch;

export function snapshotStats(cells: readonly SnapshotCell[], config: Config, scope: Scope): SnapshotStats {
  const bands = bandsOf(config);
  const byBand: Figures[][] = bands.map(() => []);
  for (const c of cells) {
    if (!inSnapshotScope(c, scope)) continue;
    const list = byBand[c.band];
    if (list === undefined) throw new RangeError(`snapshot cell band ${c.band} is outside the ${bands.length} configured bands`);
    list.push({
      n: countCell(c.n),
      aum: { value: c.aum, n: c.n, top: c.aumTop, absTotal: c.aum, kind: 'amount' },
      deposits: { value: c.deposits, n: c.n, top: c.depositsTop, absTotal: c.deposits, kind: 'amount' },
    });
  }
  const bandFigures = byBand.map(sumFigures);
  const tiers = config.tiers.map((_, t) => sumFigures(bandFigures.filter((_, b) => bands[b]?.tierIndex === t)));
  const from = midHighFromIndex(config);
  return {
    tiers,
    bands: bandFigures,
    midHigh: sumFigures(tiers.slice(from)),
    total: sumFigures(tiers),
  };
}

/** Sum of figures of disjoint customer groups. */
export function sumFigures(parts: readonly Figures[]): Figures {
  return {
    n: sumCells('count', parts.map((p) => p.n)),
    aum: sumCells('amount', parts.map((p) => p.aum)),
    deposits: sumCells('amount', parts.map((p) => p.deposits)),
  };
}

/** part ÷ total; null when the total is 0 (an empty scope has no shares, not 0 %). */
export const share = (part: number, total: number): number | null => (total === 0 ? null : part / total);

/** Average per customer in fen; null for no customers. */
export const average = (sumFen: number, n: number): number | null => (n === 0 ? null : sumFen / n);

/** Tier average ÷ overall average (the seed's "private banking contributes ~1000× the average"). */
export const contributionIndex = (tierAverage: number | null, overallAverage: number | null): number | null =>
  tierAverage === null || overallAverage === null || overallAverage === 0 ? null : tierAverage / overallAverage;
