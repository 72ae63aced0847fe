// Cell suppression (METRICS.md, "Disclosure control"): primary rules judge each
// cell on its own, secondary suppression hides further cells so that no
// suppressed value can be recovered by subtraction within one published line.
import type { Cell } from './cell.ts';

export type SuppressionReason = 'frequency' | 'dominance' | 'secondary';

/**
 * A linear relation between published cells: value(total) = Σ ± value(members).
 * Signs are not recorded because they do not change which values one line can
 * reveal: with every other term known, the one unknown term follows whatever
 * its sign.
 */
export interface Line {
  total: string;
  members: string[];
}

export interface DisclosureParams {
  minCell: number;
  pPercent: number;
}

/** How a suppressed figure is published; the site shows "< 10" or "—" with a note. */
export interface Suppressed {
  readonly suppressed: SuppressionReason;
}

export const isSuppressed = (x: unknown): x is Suppressed =>
  typeof x === 'object' && x !== null && 'suppressed' in x;

/**
 * The primary rules, judged on the cell alone.
 *
 * n = 0 is safe: such a cell describes nobody (a branch without private-banking
 * customers), so it reveals nothing about anyone, and hiding it would only hide
 * the fact that the group is empty, which its published count of 0 states anyway.
 */
export function primaryReason(cell: Cell, p: DisclosureParams): SuppressionReason | null {
  if (!(cell.n >= 0)) throw new RangeError(`cell has invalid customer count n = ${cell.n}`);
  if (cell.n === 0) return null;
  if (cell.n < p.minCell) return 'frequency';
  if (cell.kind === 'count') return null;
  // A missing top entry means no such contributor, i.e. a contribution of 0.
  const x1 = cell.top[0] ?? 0;
  const x2 = cell.top[1] ?? 0;
  // Scaled by 100 so integer-fen inputs compare exactly; X − x1 − x2 < p/100·x1
  // would turn the boundary case (remainder exactly p % of x1) on rounding error.
  return 100 * (cell.absTotal - x1 - x2) < p.pPercent * x1 ? 'dominance' : null;
}

/**
 * Primary plus secondary suppression. Returns only the suppressed ids, in id
 * order. Throws on a line that names an unknown cell, names a cell twice, or has
 * no members: all are bugs in the code that builds the registry.
 *
 * Secondary rule: while some line (total and members together) holds exactly one
 * suppressed cell, suppress one more cell of that line, chosen by
 *  0. the lowest cost class (options.cost), never a cell known by construction;
 *  1. non-zero cells before zero cells, and among zeros cells that describe
 *     customers (n > 0) before structural zeros (n = 0). A complement that is
 *     known or guessed to be 0 leaves the primary value equal to the line's
 *     remainder, so it protects nothing; a structural zero is the worst, as its
 *     published count of 0 tells the attacker its value outright;
 *  2. members before the line's total, as the spec asks (the total is usually a
 *     margin that many readers rely on, and it sits in more lines);
 *  3. smallest |value| (least information lost);
 *  4. cell id, so the result does not depend on input order.
 * Each line holds exactly one suppressed cell at most once (counts only grow),
 * so the worklist visits each line at most once: O(cells + Σ line lengths),
 * plus sorting ids and lines for determinism.
 */
export interface SuppressOptions {
  /**
   * Information-loss class per cell id (default 0): a complement is sought among
   * the cheapest cells first, so detail is hidden before the key figures readers
   * rely on (a bank-wide total should not vanish to protect one flow cell).
   */
  cost?: ReadonlyMap<string, number>;
  /** Cells whose value is known by construction (a top tier's up-moves): never a complement. */
  known?: ReadonlySet<string>;
}

export function suppress(
  cells: ReadonlyMap<string, Cell>,
  lines: readonly Line[],
  p: DisclosureParams,
  options: SuppressOptions = {},
): Map<string, SuppressionReason> {
  const ids = [...cells.keys()].sort();
  const nCells = ids.length;
  const index = new Map<string, number>();
  for (let i = 0; i < nCells; i++) index.set(ids[i]!, i);

  const reason: (SuppressionReason | null)[] = new Array<SuppressionReason | null>(nCells);
  const zeroClass = new Uint8Array(nCells);
  const absValue = new Float64Array(nCells);
  const cost = new Float64Array(nCells);
  const known = new Uint8Array(nCells);
  for (let i = 0; i < nCells; i++) {
    const cell = cells.get(ids[i]!)!;
    reason[i] = primaryReason(cell, p);
    cost[i] = options.cost?.get(ids[i]!) ?? 0;
    known[i] = options.known?.has(ids[i]!) ? 1 : 0;
    absValue[i] = Math.abs(cell.value);
    zeroClass[i] = cell.value !== 0 ? 0 : cell.n > 0 ? 1 : 2;
  }

  // Resolve lines to cell indices: total first, members sorted, so identical
  // lines given in any order become identical arrays.
  const mark = new Int32Array(nCells).fill(-1);
  const resolved: Int32Array[] = lines.map((line, k) => {
    const m = line.members.length;
    if (m === 0) throw new Error(`${where(line, k)} has no members`);
    const arr = new Int32Array(m + 1);
    for (let j = 0; j <= m; j++) {
      const id = j === 0 ? line.total : line.members[j - 1]!;
      const i = index.get(id);
      if (i === undefined) throw new Error(`${where(line, k)} references unknown cell "${id}"`);
      if (mark[i] === k) throw new Error(`${where(line, k)} names cell "${id}" twice`);
      mark[i] = k;
      arr[j] = i;
    }
    arr.subarray(1).sort();
    return arr;
  });

  // Which line is fixed first decides which complement is chosen, so process
  // lines in an order that depends only on their content.
  const nLines = resolved.length;
  const order = Array.from({ length: nLines }, (_, k) => k).sort((a, b) => compareLines(resolved[a]!, resolved[b]!));
  const lineStart = new Int32Array(nLines + 1);
  for (let k = 0; k < nLines; k++) lineStart[k + 1] = lineStart[k]! + resolved[order[k]!]!.length;
  const lineCells = new Int32Array(lineStart[nLines]!);
  for (let k = 0; k < nLines; k++) lineCells.set(resolved[order[k]!]!, lineStart[k]!);

  // Cell → lines it appears in (CSR).
  const cellStart = new Int32Array(nCells + 1);
  for (let t = 0; t < lineCells.length; t++) cellStart[lineCells[t]! + 1]!++;
  for (let i = 0; i < nCells; i++) cellStart[i + 1]! += cellStart[i]!;
  const cellLines = new Int32Array(lineCells.length);
  const fill = cellStart.slice(0, nCells);
  for (let k = 0; k < nLines; k++)
    for (let t = lineStart[k]!; t < lineStart[k + 1]!; t++) cellLines[fill[lineCells[t]!]!++] = k;

  const suppressedIn = new Int32Array(nLines);
  const queue = new Int32Array(nLines);
  let tail = 0;
  for (let k = 0; k < nLines; k++) {
    let c = 0;
    for (let t = lineStart[k]!; t < lineStart[k + 1]!; t++) if (reason[lineCells[t]!] !== null) c++;
    suppressedIn[k] = c;
    if (c === 1) queue[tail++] = k;
  }

  for (let head = 0; head < tail; head++) {
    const k = queue[head]!;
    if (suppressedIn[k] !== 1) continue;
    // Members come after the total in the line, hence the position test for rule 2.
    let best = -1;
    let bestIsTotal = true;
    for (let t = lineStart[k]!; t < lineStart[k + 1]!; t++) {
      const i = lineCells[t]!;
      if (reason[i] !== null || known[i] === 1) continue;
      const isTotal = t === lineStart[k]!;
      if (
        best < 0 ||
        cost[i]! < cost[best]! ||
        (cost[i] === cost[best] && zeroClass[i]! < zeroClass[best]!) ||
        (cost[i] === cost[best] &&
          zeroClass[i] === zeroClass[best] &&
          (isTotal !== bestIsTotal
            ? !isTotal
            : absValue[i]! < absValue[best]! || (absValue[i] === absValue[best] && i < best)))
      ) {
        best = i;
        bestIsTotal = isTotal;
      }
    }
    // Every other cell of the line is known by construction: the suppressed value
    // is then known too, which only happens when it is itself a structural zero.
    if (best < 0) continue;
    reason[best] = 'secondary';
    for (let t = cellStart[best]!; t < cellStart[best + 1]!; t++) {
      const m = cellLines[t]!;
      if (++suppressedIn[m]! === 1) queue[tail++] = m;
    }
  }

  const out = new Map<string, SuppressionReason>();
  for (let i = 0; i < nCells; i++) {
    const r = reason[i];
    if (r != null) out.set(ids[i]!, r);
  }
  return out;
}

const where = (line: Line, k: number): string => `disclosure line ${k} (total "${line.total}")`;

function compareLines(a: Int32Array, b: Int32Array): number {
  const len = Math.min(a.length, b.length);
  for (let t = 0; t < len; t++) if (a[t] !== b[t]) return a[t]! - b[t]!;
  return a.length - b.length;
}

// The note a reader sees for a derived figure names the most basic cause.
const SEVERITY: Record<SuppressionReason, number> = { frequency: 0, dominance: 1, secondary: 2 };

/**
 * Status of a figure derived from several cells (a share, an average, an index):
 * suppressed when any input is, since the figure and the published inputs would
 * give the hidden one back. Unknown ids are not looked up here; see Disclosure.
 */
export function derivedStatus(
  suppressed: ReadonlyMap<string, SuppressionReason>,
  ...ids: string[]
): SuppressionReason | null {
  let worst: SuppressionReason | null = null;
  for (const id of ids) {
    const r = suppressed.get(id);
    if (r !== undefined && (worst === null || SEVERITY[r] < SEVERITY[worst])) worst = r;
  }
  return worst;
}

/**
 * The registry after suppression, as output assembly uses it: every published
 * figure goes through value, ratio or derive, so nothing suppressed can be
 * written by accident. Unknown ids throw.
 */
export class Disclosure {
  readonly suppressed: ReadonlyMap<string, SuppressionReason>;
  readonly #cells: ReadonlyMap<string, Cell>;

  constructor(cells: ReadonlyMap<string, Cell>, lines: readonly Line[], params: DisclosureParams, options: SuppressOptions = {}) {
    this.#cells = cells;
    this.suppressed = suppress(cells, lines, params, options);
  }

  #cell(id: string): Cell {
    const c = this.#cells.get(id);
    if (c === undefined) throw new Error(`unknown disclosure cell "${id}"`);
    return c;
  }

  has(id: string): boolean {
    return this.#cells.has(id);
  }

  status(id: string): SuppressionReason | null {
    this.#cell(id);
    return this.suppressed.get(id) ?? null;
  }

  derivedStatus(...ids: string[]): SuppressionReason | null {
    for (const id of ids) this.#cell(id);
    return derivedStatus(this.suppressed, ...ids);
  }

  value(id: string): number | Suppressed {
    const c = this.#cell(id);
    const r = this.suppressed.get(id);
    return r === undefined ? c.value : { suppressed: r };
  }

  /**
   * num ÷ den: a share or an average. A published zero denominator makes the ratio
   * undefined (null) whatever the numerator's status — nobody is there to reveal.
   * A hidden denominator is checked for suppression first, because null would
   * itself reveal that it is 0.
   */
  ratio(numId: string, denId: string): number | null | Suppressed {
    if (!this.suppressed.has(denId) && this.#cell(denId).value === 0) return null;
    return this.derive([numId, denId], (num, den) => (den === 0 ? null : num / den));
  }

  /**
   * Any figure computed from cells, e.g. the contribution index
   * derive([aT, nT, aAll, nAll], (a, n, A, N) => (n && A ? (a / n) / (A / N) : null)).
   * f runs only when every input is published.
   */
  derive<const K extends readonly string[]>(
    ids: K,
    f: (...values: { [I in keyof K]: number }) => number | null,
  ): number | null | Suppressed {
    const values = ids.map((id) => this.#cell(id).value);
    const r = derivedStatus(this.suppressed, ...ids);
    if (r !== null) return { suppressed: r };
    return f(...(values as { [I in keyof K]: number }));
  }

  /** Suppressed cells by reason, for the manifest (counts only, never values). */
  counts(): Record<SuppressionReason, number> {
    const out: Record<SuppressionReason, number> = { frequency: 0, dominance: 0, secondary: 0 };
    for (const r of this.suppressed.values()) out[r]++;
    return out;
  }

  get cellCount(): number {
    return this.#cells.size;
  }
}
