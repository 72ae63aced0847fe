// One registry of every additive figure the report publishes, and the linear
// relations between them, across all snapshots, periods and scopes. Disclosure
// control runs once over it, so a value hidden in one table cannot be recovered
// from another (a period's bridge reuses the very cells of its snapshots).
import type { Cell } from '../cell.ts';
import type { Line } from '../disclosure.ts';

export type Measure = 'n' | 'aum' | 'deposits';

/** Scope key inside ids: JSON keeps branch codes containing separators unambiguous. */
export const scopeKey = (branch: string | null) => (branch === null ? '*' : JSON.stringify(branch));

export const snapId = (date: string, branch: string | null, part: string, measure: Measure) =>
  `S|${date}|${scopeKey(branch)}|${part}|${measure}`;
export const flowId = (period: string, branch: string | null, ...part: (string | number)[]) =>
  `P|${period}|${scopeKey(branch)}|${part.join('|')}`;

/**
 * Information-loss classes for secondary suppression: flow detail is hidden
 * before branch figures, branch figures before the bank's, so a single moving
 * customer cannot blank the bank-wide pyramid.
 */
export const COST = { flow: 0, flowKey: 0.5, branchPart: 1, branchTotal: 2, bankPart: 2, bankTotal: 3 } as const;

export class Registry {
  readonly cells = new Map<string, Cell>();
  readonly lines: Line[] = [];
  readonly cost = new Map<string, number>();
  /** Cells zero by construction (the top tier's up-moves, transfers at bank scope): no protection. */
  readonly known = new Set<string>();

  add(id: string, cell: Cell, opts: { cost?: number; known?: boolean } = {}): string {
    if (opts.cost !== undefined) this.cost.set(id, opts.cost);
    if (opts.known) this.known.add(id);
    const had = this.cells.get(id);
    if (had) {
      // Two routes to one figure must agree, or the output would contradict itself.
      if (had.value !== cell.value || had.n !== cell.n) throw new Error(`cell ${id} registered twice with different values (${had.value} vs ${cell.value})`);
      return id;
    }
    this.cells.set(id, cell);
    return id;
  }

  /** total = Σ ± members; lines with fewer than one member say nothing and are dropped. */
  line(total: string, members: string[]): void {
    if (members.length === 0) return;
    this.lines.push({ total, members });
  }
}
