// One registry of every additive figure the report publishes, and the linear
// relations between them, across all snapshots, periods and scopes. Disclosure
// control runs once over it, so a value hidden in one table cannot be recovered
// from another (a period's bridge reuses the very cells of its snapshots).
import type { Cell } from '../cell.ts';
import type { Relation, Term } from '../disclosure.ts';

export type Measure = 'n' | 'aum' | 'deposits';

/** Scope key inside ids: JSON keeps branch codes containing separators unambiguous. */
export const scopeKey = (branch: string | null) => (branch === null ? '*' : JSON.stringify(branch));

export const snapId = (date: string, branch: string | null, part: string, measure: Measure) =>
  `S|${date}|${scopeKey(branch)}|${part}|${measure}`;
export const flowId = (period: string, branch: string | null, ...part: (string | number)[]) =>
  `P|${period}|${scopeKey(branch)}|${part.join('|')}`;

/**
 * How much readers rely on a figure, by kind: secondary suppression publishes
 * the more important first and withholds what it must among the less
 * important; within one importance, more customers first, so a small cell is
 * withheld before a large one. A scope's level is added on top
 * (IMPORTANCE.level), so every figure of the bank comes before any of a
 * branch: one branch's small cell never blanks the bank.
 */
export const IMPORTANCE = {
  /**
   * Flow detail: the transition matrix with new and lost, the bridge terms
   * (up, down, in from below/above, transfers), retained counts, the
   * new-customer split, asset flows. One class, so the larger flow is kept:
   * a branch's tier bridge rather than the small matrix cells inside it.
   */
  flow: 3,
  /** Sub-bands of a tier. */
  band: 3,
  /** Pooled counts behind the headline rates, and new customers in all. */
  pooled: 4,
  /** A tier's customers, assets and deposits. */
  tier: 5,
  /** A scope's totals and its mid-high group. */
  total: 6,
  /** Added per level of the scope: the bank is one level above its branches. */
  level: 10,
} as const;

/**
 * The bank's transition matrix is the subject of its migration page: its cells
 * come before the bank's bridge terms, which are sums of them (published as
 * soon as their cells are).
 */
const BANK_MATRIX = 0.5;

export type ImportanceKind = 'matrix' | 'flowAggregate' | 'transfer' | Exclude<keyof typeof IMPORTANCE, 'level' | 'flow'>;

/** The importance of a figure of `kind` in the bank (`branch` null) or a branch. */
export function importanceOf(kind: ImportanceKind, branch: string | null): number {
  const base = kind === 'matrix' || kind === 'flowAggregate' || kind === 'transfer' ? IMPORTANCE.flow : IMPORTANCE[kind];
  if (branch !== null) return base;
  return base + IMPORTANCE.level + (kind === 'matrix' ? BANK_MATRIX : 0);
}

export interface CellOptions {
  importance?: number;
  /** Zero by construction (the top tier's up-moves, transfers at bank scope): every reader knows it. */
  known?: boolean;
  /** Never published and in need of no protection, but tied to published cells by relations. */
  intermediate?: boolean;
}

export class Registry {
  readonly cells = new Map<string, Cell>();
  readonly relations: Relation[] = [];
  readonly importance = new Map<string, number>();
  readonly known = new Set<string>();
  readonly intermediate = new Set<string>();
  /**
   * Every cell: one that describes nobody is decided with its table, so a zero
   * flow can be withheld where publishing it first would cost a tier count (two
   * published stocks and zero flows leave a single mover determined).
   */
  readonly decideEmpty = new Set<string>();

  add(id: string, cell: Cell, opts: CellOptions = {}): string {
    if (opts.importance !== undefined) this.importance.set(id, opts.importance);
    if (opts.known) this.known.add(id);
    if (opts.intermediate) this.intermediate.add(id);
    this.decideEmpty.add(id);
    const had = this.cells.get(id);
    if (had) {
      // Two routes to one figure must agree, or the output would contradict itself.
      if (had.value !== cell.value || had.n !== cell.n) throw new Error(`cell ${id} registered twice with different values (${had.value} vs ${cell.value})`);
      return id;
    }
    this.cells.set(id, cell);
    return id;
  }

  /** total = Σ members; a sum without members says nothing and is dropped. */
  line(total: string, members: string[]): void {
    this.signed(total, members.map((m) => [m, 1] as const));
  }

  /** total = Σ sign · member. */
  signed(total: string, members: readonly Term[]): void {
    if (members.length === 0) return;
    this.relations.push({ terms: [[total, 1], ...members.map(([m, s]) => [m, -s] as const)] });
  }
}
