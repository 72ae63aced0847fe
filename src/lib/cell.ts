// An additive published figure together with what disclosure control needs to
// judge it: how many customers it describes and its largest contributions.
import type { Top2 } from '../engine/types.ts';

export type CellKind = 'count' | 'amount' | 'change';

export interface Cell {
  /** The figure: a count, or an amount in fen (may be negative for a change). */
  value: number;
  /** Customers the figure describes. */
  n: number;
  /** Largest contributions (absolute values for a change), largest first. */
  top: Top2;
  /** Σ |contribution|: the X of the p % rule (equals value for counts and amounts). */
  absTotal: number;
  kind: CellKind;
}

export const countCell = (n: number): Cell => ({ value: n, n, top: [], absTotal: n, kind: 'count' });

/** Merge the top-2 lists of disjoint groups into the top-2 of their union. */
export function mergeTop(...tops: Top2[]): Top2 {
  let a = -Infinity;
  let b = -Infinity;
  for (const t of tops)
    for (const x of t) {
      if (x > a) [a, b] = [x, a];
      else if (x > b) b = x;
    }
  return a === -Infinity ? [] : b === -Infinity ? [a] : [a, b];
}

/** Sum of disjoint cells of one kind. */
export function sumCells(kind: CellKind, cells: Cell[]): Cell {
  let value = 0;
  let n = 0;
  let absTotal = 0;
  for (const c of cells) {
    value += c.value;
    n += c.n;
    absTotal += c.absTotal;
  }
  return { value, n, top: mergeTop(...cells.map((c) => c.top)), absTotal, kind };
}
