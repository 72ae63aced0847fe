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

export class Registry {
  readonly cells = new Map<string, Cell>();
  readonly lines: Line[] = [];

  add(id: string, cell: Cell): string {
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
