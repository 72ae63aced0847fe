// Cell suppression (docs/disclosure.md): primary rules judge
// each cell on its own; secondary suppression (the Gauss method, gauss.ts) hides
// further cells until no withheld value follows from the published ones and
// every relation between them, solved together.
import type { Cell } from './cell.ts';
import { gaussSuppress } from './gauss.ts';

export type SuppressionReason = 'frequency' | 'dominance' | 'secondary';

/** A term of a linear relation: a cell and its integer coefficient. */
export type Term = readonly [id: string, coefficient: number];

/** A linear relation between cells: Σ coefficient · value = 0 (e.g. total − Σ members). */
export interface Relation {
  terms: readonly Term[];
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

export interface SuppressOptions {
  /**
   * How much readers rely on each cell (default 0): the more important are
   * published first, so what has to be withheld is found among the less
   * important (detail before key figures, a branch before the bank).
   */
  importance?: ReadonlyMap<string, number>;
  /** Cells every reader knows by construction (zeros such as a top tier's up-moves): always published. */
  known?: ReadonlySet<string>;
  /** Cells never published that need no protection, tied to the others by relations. */
  intermediate?: ReadonlySet<string>;
  /**
   * Cells describing nobody (n = 0) that are decided in order like any other
   * rather than published first (the default). Published first, a zero can leave
   * a single mover determined by two published stocks, and then a stock must go.
   */
  decideEmpty?: ReadonlySet<string>;
  /** Reports the cells decided so far and in all (secondary suppression of a large book takes minutes). */
  progress?: (decided: number, total: number) => void;
}

/**
 * Primary plus secondary suppression. Returns only the suppressed ids (withheld
 * intermediates are not listed). Throws on a relation that names an unknown
 * cell or names a cell twice: bugs in the code that builds the registry.
 *
 * Candidates are decided in this order (the Gauss method publishes each unless
 * it would determine a withheld cell):
 *  0. cells known by construction (options.known), and cells describing nobody
 *     (n = 0) unless listed in options.decideEmpty: published first and always;
 *  1. higher importance first (options.importance);
 *  2. zero cells (Σ |contribution| = 0) before others of the same importance: a
 *     zero complement protects little once a reader takes amounts to be
 *     non-negative;
 *  3. more customers first, then larger Σ |contribution|: small cells are
 *     withheld before large ones;
 *  4. cell id, so the result does not depend on input order.
 */
export function suppress(
  cells: ReadonlyMap<string, Cell>,
  relations: readonly Relation[],
  p: DisclosureParams,
  options: SuppressOptions = {},
): Map<string, SuppressionReason> {
  const ids = [...cells.keys()].sort();
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const cellAt = ids.map((id) => cells.get(id)!);
  const isIntermediate = ids.map((id) => options.intermediate?.has(id) ?? false);
  // An intermediate is never published, so no rule applies to it.
  const reason = cellAt.map((c, i) => (isIntermediate[i] ? null : primaryReason(c, p)));

  const resolved = relations.map((rel, k) => {
    const seen = new Set<number>();
    if (rel.terms.length < 2) throw new Error(`disclosure relation ${k} has fewer than two cells`);
    return rel.terms.map(([id, coef]) => {
      if (!Number.isSafeInteger(coef) || coef === 0) throw new Error(`disclosure relation ${k}: coefficient ${coef} of "${id}" is not a non-zero integer`);
      const i = index.get(id);
      if (i === undefined) throw new Error(`disclosure relation ${k} references unknown cell "${id}"`);
      if (seen.has(i)) throw new Error(`disclosure relation ${k} names cell "${id}" twice`);
      seen.add(i);
      return [i, coef] as const;
    });
  });

  const primary: number[] = [];
  const intermediate: number[] = [];
  const forced: number[] = [];
  const rest: number[] = [];
  ids.forEach((id, i) => {
    const c = cellAt[i]!;
    if (isIntermediate[i]) (c.absTotal === 0 ? forced : intermediate).push(i);
    else if (reason[i] !== null) primary.push(i);
    else if (options.known?.has(id) || (c.n === 0 && !options.decideEmpty?.has(id))) forced.push(i);
    else rest.push(i);
  });
  const importance = ids.map((id) => options.importance?.get(id) ?? 0);
  rest.sort((a, b) => {
    const ca = cellAt[a]!;
    const cb = cellAt[b]!;
    return (
      importance[b]! - importance[a]! ||
      Number(cb.absTotal === 0) - Number(ca.absTotal === 0) ||
      cb.n - ca.n ||
      cb.absTotal - ca.absTotal ||
      a - b
    );
  });

  const { secondary, unsafe } = gaussSuppress({ n: ids.length, relations: resolved, primary, intermediate, forced, order: rest, progress: options.progress });
  if (unsafe.length)
    throw new Error(`disclosure: cells known by construction determine withheld cell(s) ${unsafe.slice(0, 5).map((i) => `"${ids[i]}"`).join(', ')}`);
  for (const i of secondary) reason[i] = 'secondary';

  const out = new Map<string, SuppressionReason>();
  ids.forEach((id, i) => {
    const r = reason[i];
    if (r != null) out.set(id, r);
  });
  return out;
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

  constructor(cells: ReadonlyMap<string, Cell>, relations: readonly Relation[], params: DisclosureParams, options: SuppressOptions = {}) {
    this.#cells = cells;
    this.suppressed = suppress(cells, relations, params, options);
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
