// Secondary cell suppression by Gaussian elimination: the Gauss method of
// Statistics Norway's GaussSuppression (Langsrud 2024, "Secondary Cell
// Suppression by Gaussian Elimination", PSD 2024), written for linked tables
// given as linear relations between cells rather than as a model matrix.
//
// The method: go through the candidate cells in priority order (the figures
// readers rely on most first) and publish each one unless, together with
// everything published before it, it would determine a protected cell; such
// a candidate is withheld instead (secondary) and protected from then on.
// Protected cells are the primary ones and every secondary one, so at the end
// no withheld cell is a linear function of the published cells and the
// relations — the guarantee a reader who solves all published figures at once
// cannot break.
//
// How "determined" is decided. Let H be the cells not (yet) published and A_H
// the relations restricted to H. A cell s ∈ H is determined by what is
// published exactly when the unit vector e_s lies in the row space of A_H. We
// keep A_H in reduced row echelon form (every pivot column appears in its own
// row only); then s is determined iff s is a pivot and its row has no other
// entry. Publishing a cell deletes its column: a free column is simply dropped
// from the rows that hold it; a pivot column makes its row choose a new pivot,
// which is eliminated from the other rows. Both are checked before they are
// committed, so an unsafe publication changes nothing.
//
// Arithmetic is exact (sparseRow.ts). Which cells are determined depends only
// on the row space, never on the pivots, so pivots are chosen for speed: the
// column held by the fewest rows (each of them must have it eliminated, and
// long sums such as bank = Σ 2,000 branches would otherwise fill every row
// they touch), then a column that will never be deleted (intermediates,
// protected cells), then the candidate to be decided last, so that most
// publications delete free columns.
import { eliminate, normalise, removeColumn, rowOf, without, type Row } from './sparseRow.ts';

export interface GaussProblem {
  /** Number of cells; cells are 0 … n−1. */
  n: number;
  /** Linear relations Σ coefficient · cell = 0, as (cell, coefficient) pairs. */
  relations: readonly (readonly (readonly [number, number])[])[];
  /** Cells that must not be determinable (the primary ones). */
  primary: readonly number[];
  /**
   * Cells a reader never sees and that need no protection (e.g. the
   * transfers between two tiers behind a bank's matrix). They are never
   * published, but a value the others determine counts as known.
   */
  intermediate?: readonly number[];
  /** Cells published whatever happens (known to every reader by construction), decided first. */
  forced?: readonly number[];
  /** Every other cell, in the order to decide them: the one readers need most first. */
  order: readonly number[];
  /** Called now and then with the cells decided so far and in all, for a progress line on large books. */
  progress?: (decided: number, total: number) => void;
}

export interface GaussResult {
  /** Cells withheld to protect others, in the order they were decided. */
  secondary: number[];
  /** Protected cells that forced cells determine, so no suppression can protect them. */
  unsafe: number[];
}

const CANDIDATE = 0;
const PROTECTED = 1;
const INTERMEDIATE = 2;
const PUBLISHED = 3;

export function gaussSuppress(p: GaussProblem): GaussResult {
  const { n } = p;
  const state = new Uint8Array(n); // CANDIDATE by default
  const position = new Int32Array(n).fill(-1);
  for (const c of p.primary) state[c] = PROTECTED;
  for (const c of p.intermediate ?? []) {
    if (state[c] === PROTECTED) throw new Error(`gauss: cell ${c} is both primary and intermediate`);
    state[c] = INTERMEDIATE;
  }
  const sequence = [...(p.forced ?? []), ...p.order];
  sequence.forEach((c, i) => {
    if (state[c] !== CANDIDATE) throw new Error(`gauss: cell ${c} is ordered but primary or intermediate`);
    if (position[c]! >= 0) throw new Error(`gauss: cell ${c} is ordered twice`);
    position[c] = i;
  });
  for (let c = 0; c < n; c++)
    if (state[c] === CANDIDATE && position[c]! < 0) throw new Error(`gauss: cell ${c} is neither ordered, primary nor intermediate`);

  const rows: (Row | null)[] = [];
  const pivotOf: number[] = []; // row → pivot column
  const pivotRow = new Int32Array(n).fill(-1);
  const colRows: Set<number>[] = Array.from({ length: n }, () => new Set<number>());

  /** Among columns held by as many rows, lower is better: never-deleted columns first, then the candidate decided last. */
  const pivotRank = (c: number): number => (state[c] === INTERMEDIATE ? -2 * n - 2 : state[c] === PROTECTED ? -n - 1 : -position[c]!);
  const choosePivot = (r: Row): number => {
    let best = -1;
    let bestRows = Infinity;
    let bestRank = Infinity;
    for (const c of r.cols) {
      const k = colRows[c]!.size;
      const rank = pivotRank(c);
      if (k < bestRows || (k === bestRows && rank < bestRank)) [best, bestRows, bestRank] = [c, k, rank];
    }
    return best;
  };

  /** Replaces a row, touching the column index only where the columns differ (both lists are sorted). */
  const setRow = (id: number, next: Row) => {
    const a = rows[id]!.cols;
    const b = next.cols;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i]! < b[j]!)) colRows[a[i++]!]!.delete(id);
      else if (i >= a.length || b[j]! < a[i]!) colRows[b[j++]!]!.add(id);
      else (i++, j++);
    }
    rows[id] = next;
  };
  const dropRow = (id: number) => {
    for (const c of rows[id]!.cols) colRows[c]!.delete(id);
    pivotRow[pivotOf[id]!] = -1;
    rows[id] = null;
  };

  const unsafe: number[] = [];
  const secondary: number[] = [];
  /** Rows whose only entry is their pivot: that cell is determined. */
  const settle = (ids: Iterable<number>) => {
    const queue = [...ids];
    while (queue.length) {
      const id = queue.pop()!;
      const r = rows[id];
      if (!r || r.cols.length !== 1) continue;
      const c = pivotOf[id]!;
      if (state[c] === PROTECTED) {
        // Only forced publications get here (others are refused before they are made).
        if (!unsafe.includes(c)) unsafe.push(c);
        continue;
      }
      // A determined candidate or intermediate is as good as published.
      dropRow(id);
      state[c] = PUBLISHED;
    }
  };

  const dropKnown = (r: Row): Row => {
    const keep = r.cols.flatMap((c, i) => (state[c] === PUBLISHED ? [] : [i]));
    return { cols: keep.map((i) => r.cols[i]!), vals: keep.map((i) => r.vals[i]!) as number[] | bigint[] };
  };

  // ── the relations in reduced row echelon form ──────────────────────────────
  // Short relations first (a branch's own sums before bank = Σ branches): the
  // long ones then meet rows already reduced, with less fill-in. The rows'
  // span, hence every decision, does not depend on the order.
  const byLength = p.relations.map((rel, k) => [rel.length, k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [, k] of byLength) {
    const rel = p.relations[k]!;
    let r = rowOf(rel);
    for (const c of r.cols) if (c < 0 || c >= n) throw new Error(`gauss: relation names cell ${c} of ${n}`);
    // A cell the relations before this one already determine is known: it moves
    // to the right-hand side, or this row would count it as one more unknown.
    if (r.cols.some((c) => state[c] === PUBLISHED)) r = dropKnown(r);
    for (const c of [...r.cols]) {
      const pr = pivotRow[c]!;
      if (pr >= 0) r = eliminate(r, rows[pr]!, c);
    }
    if (r.cols.length === 0) continue; // implied by the relations before it
    const q = choosePivot(r);
    r = normalise(r, q);
    const touched = [...colRows[q]!];
    const id = rows.length;
    rows.push({ cols: [], vals: [] });
    pivotOf.push(q);
    setRow(id, r);
    pivotRow[q] = id;
    for (const other of touched) setRow(other, eliminate(rows[other]!, r, q));
    settle([id, ...touched]);
  }

  // ── decide each candidate in order ─────────────────────────────────────────
  /** Publishes c if that determines no protected cell (or unconditionally when forced); returns whether it did. */
  const publish = (c: number, force: boolean): boolean => {
    const pr = pivotRow[c]!;
    if (pr < 0) {
      // A free column: drop it from its rows; a row left with its pivot alone determines that pivot.
      const affected = [...colRows[c]!];
      // A row holding just c and its pivot would be left with the pivot alone.
      if (!force && affected.some((id) => rows[id]!.cols.length === 2 && state[pivotOf[id]!] === PROTECTED)) return false;
      // In place: every row object is owned by its slot, and long rows are common.
      for (const id of affected) removeColumn(rows[id]!, c);
      colRows[c]!.clear();
      state[c] = PUBLISHED;
      settle(affected);
      return true;
    }
    // A pivot: its row needs another pivot, eliminated from the rows that hold it.
    const rest = without(rows[pr]!, c);
    if (rest.cols.length === 0) {
      // c was already determined by what is published: publishing it changes nothing.
      dropRow(pr);
      state[c] = PUBLISHED;
      return true;
    }
    const q = choosePivot(rest);
    const row = normalise(rest, q);
    const affected = [...colRows[q]!].filter((id) => id !== pr);
    const next = affected.map((id) => eliminate(rows[id]!, row, q));
    if (!force) {
      if (row.cols.length === 1 && state[q] === PROTECTED) return false;
      if (next.some((r, k) => r.cols.length === 1 && state[pivotOf[affected[k]!]!] === PROTECTED)) return false;
    }
    pivotRow[c] = -1;
    setRow(pr, row);
    pivotOf[pr] = q;
    pivotRow[q] = pr;
    affected.forEach((id, k) => setRow(id, next[k]!));
    state[c] = PUBLISHED;
    settle([pr, ...affected]);
    return true;
  };

  const forced = new Set(p.forced ?? []);
  let decided = 0;
  for (const c of sequence) {
    if (p.progress && ++decided % 5000 === 0) p.progress(decided, sequence.length);
    if (state[c] !== CANDIDATE) continue; // already determined, hence published
    if (publish(c, forced.has(c))) continue;
    state[c] = PROTECTED;
    secondary.push(c);
  }
  return { secondary, unsafe };
}
