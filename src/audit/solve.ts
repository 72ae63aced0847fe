// The full-system check: can a reader who takes every published figure and every
// relation between them (figures.ts), and solves them all together exactly, work
// out a withheld value? Written apart from the suppression code (src/lib/gauss.ts):
// its own relations, read from the JSON, its own arithmetic (BigInt, plain maps).
//
// A withheld value x is determined iff its unit vector lies in the row space of the
// relations restricted to the unknowns (withheld values and values no file shows,
// such as retained counts or movers between branches); the known values only move
// to the right-hand side. Each connected group of unknowns is brought to reduced
// row echelon form; x is determined iff its pivot row holds x alone.
//
// Published ratios count as exact: num = r · den with r = p / q, the decimal the
// file shows, is the linear relation q · num − p · den = 0. Relations that are not
// linear in the unknowns (a withheld ratio, the contribution index) give their one
// unknown when all their other terms are known or determined; that is fed back as
// a relation until nothing new is found.
import type { Figure, Published, Relation } from './figures.ts';
import type { Finding } from './report.ts';

export interface SystemResult {
  findings: Finding[];
  /** Unknowns that take part in some relation: withheld values and values no file shows. */
  unknowns: number;
  withheld: number;
  /** Linear relations that hold at least one unknown. */
  relations: number;
  /** Withheld figures that are not cells (net changes, shares) yet follow from the published ones. */
  derivedGiven: number;
  /** Connected groups of unknowns solved. */
  groups: number;
  largestGroup: number;
}

type Terms = Map<number, bigint>;

/** The exact rational a JSON number shows, as [p, q] with q > 0. */
export function decimalFraction(x: number): [bigint, bigint] {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(x));
  if (!m) throw new Error(`audit: not a finite number: ${x}`);
  const digits = BigInt(`${m[2]}${m[3] ?? ''}`);
  const exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  const p = (m[1] ? -1n : 1n) * digits * (exp > 0 ? 10n ** BigInt(exp) : 1n);
  return [p, exp < 0 ? 10n ** BigInt(-exp) : 1n];
}

const abs = (x: bigint) => (x < 0n ? -x : x);
const gcd = (a: bigint, b: bigint): bigint => {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
};

/** Incremental reduced row echelon form over the rationals, rows kept as primitive integer vectors. */
class Echelon {
  readonly rows: (Terms | null)[] = [];
  readonly pivotOf: number[] = [];
  /** Relations combined into each row (only when tracking, for the message). */
  readonly from: (Set<number> | null)[] = [];
  readonly pivotRow = new Map<number, number>();
  readonly holders = new Map<number, Set<number>>();
  readonly track: boolean;
  constructor(track: boolean) {
    this.track = track;
  }

  #hold(col: number, row: number, on: boolean) {
    let s = this.holders.get(col);
    if (!s) this.holders.set(col, (s = new Set()));
    if (on) s.add(row);
    else s.delete(row);
  }

  #set(id: number, next: Terms) {
    const prev = this.rows[id];
    if (prev) for (const c of prev.keys()) if (!next.has(c)) this.#hold(c, id, false);
    for (const c of next.keys()) if (!prev?.has(c)) this.#hold(c, id, true);
    this.rows[id] = next;
  }

  /** r − (r[col] / p[col]) · p, scaled to integers and made primitive. */
  static #combine(r: Terms, p: Terms, col: number): Terms {
    const a = p.get(col)!;
    const b = r.get(col)!;
    const out: Terms = new Map();
    for (const [c, v] of r) out.set(c, a * v);
    for (const [c, v] of p) {
      const w = (out.get(c) ?? 0n) - b * v;
      if (w === 0n) out.delete(c);
      else out.set(c, w);
    }
    let g = 0n;
    for (const v of out.values()) g = gcd(g, v);
    if (g > 1n) for (const [c, v] of out) out.set(c, v / g);
    return out;
  }

  add(terms: Terms, relation: number): void {
    let r: Terms = new Map(terms);
    const from = this.track ? new Set([relation]) : null;
    for (const c of [...r.keys()]) {
      const pr = this.pivotRow.get(c);
      if (pr === undefined || !r.has(c)) continue;
      r = Echelon.#combine(r, this.rows[pr]!, c);
      if (from) for (const k of this.from[pr]!) from.add(k);
    }
    if (r.size === 0) return;
    // The pivot: the column held by the fewest rows, to keep fill-in low.
    let q = -1;
    for (const c of r.keys()) if (q < 0 || (this.holders.get(c)?.size ?? 0) < (this.holders.get(q)?.size ?? 0)) q = c;
    const id = this.rows.length;
    this.rows.push(null);
    this.from.push(from);
    this.pivotOf.push(q);
    this.#set(id, r);
    this.pivotRow.set(q, id);
    for (const other of [...this.holders.get(q)!]) {
      if (other === id) continue;
      this.#set(other, Echelon.#combine(this.rows[other]!, r, q));
      if (from) for (const k of from) this.from[other]!.add(k);
    }
  }

  /** Columns whose pivot row holds them alone. */
  determined(): Map<number, number> {
    const out = new Map<number, number>();
    this.rows.forEach((r, id) => {
      if (r && r.size === 1) out.set(this.pivotOf[id]!, id);
    });
    return out;
  }
}

interface Linear {
  relation: number;
  terms: Terms;
}

/** Keys of cells (counts and sums of a customer group), as figures.ts names them. */
const CELL_KEY = /\|(n|aum|deposits|aumChange)$/;

export function systemCheck(pub: Published, isCell: (key: string) => boolean = (k) => CELL_KEY.test(k)): SystemResult {
  // A value is known when any rendering publishes it; otherwise it is an unknown.
  const value = new Map<string, number>();
  const withheldAt = new Map<string, Figure>();
  const nulls = new Set<string>();
  for (const f of pub.figures) {
    if (f.status === 'num') value.set(f.key, f.value!);
    else if (f.status === 'suppressed' && !withheldAt.has(f.key)) withheldAt.set(f.key, f);
  }
  for (const f of pub.figures) if (f.status === 'null' && !value.has(f.key)) nulls.add(f.key);
  for (const k of value.keys()) withheldAt.delete(k);

  const index = new Map<string, number>();
  const keys: string[] = [];
  const col = (k: string) => {
    let i = index.get(k);
    if (i === undefined) {
      index.set(k, (i = keys.length));
      keys.push(k);
    }
    return i;
  };
  const unknown = (k: string) => !value.has(k) && !nulls.has(k);

  // Linear relations restricted to the unknowns; the rest wait for the fixpoint.
  const linear: Linear[] = [];
  const nonlinear: { relation: number; terms: string[]; den?: string; ratio?: string }[] = [];
  pub.relations.forEach((r: Relation, k) => {
    const terms: Terms = new Map();
    const put = (key: string, c: bigint) => {
      if (!unknown(key) || c === 0n) return;
      const i = col(key);
      const v = (terms.get(i) ?? 0n) + c;
      if (v === 0n) terms.delete(i);
      else terms.set(i, v);
    };
    if (r.kind === 'sum') {
      put(r.total, 1n);
      r.members.forEach((m, j) => put(m, -BigInt(r.signs?.[j] ?? 1)));
    } else if (r.kind === 'ratio') {
      if (nulls.has(r.ratio)) return;
      if (!value.has(r.ratio)) {
        nonlinear.push({ relation: k, terms: [r.num, r.ratio, r.den], den: r.den, ratio: r.ratio });
        return;
      }
      const [p, q] = decimalFraction(value.get(r.ratio)!);
      put(r.num, q);
      put(r.den, -p);
    } else {
      nonlinear.push({ relation: k, terms: r.terms });
      return;
    }
    if (terms.size) linear.push({ relation: k, terms });
  });

  // Connected groups of unknowns (union–find over the linear relations).
  const parent: number[] = keys.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (const { terms } of linear) {
    const [first, ...rest] = [...terms.keys()];
    for (const c of rest) parent[find(c)] = find(first!);
  }

  const solve = (group: Linear[], track: boolean, extra: Linear[]) => {
    const e = new Echelon(track);
    for (const l of [...group, ...extra]) e.add(l.terms, l.relation);
    return e;
  };

  // Solve, then let the non-linear relations add what they give, until nothing changes.
  const determined = new Set<number>();
  const extra: Linear[] = [];
  let groups = 0;
  let largestGroup = 0;
  for (;;) {
    const byGroup = new Map<number, Linear[]>();
    for (const l of [...linear, ...extra]) {
      const g = find(l.terms.keys().next().value!);
      let list = byGroup.get(g);
      if (!list) byGroup.set(g, (list = []));
      list.push(l);
    }
    groups = byGroup.size;
    for (const list of byGroup.values()) {
      largestGroup = Math.max(largestGroup, new Set(list.flatMap((l) => [...l.terms.keys()])).size);
      for (const c of solve(list, false, []).determined().keys()) determined.add(c);
    }
    let more = false;
    for (const nl of nonlinear) {
      const open = nl.terms.filter((k) => unknown(k) && !determined.has(index.get(k) ?? -1));
      if (open.length !== 1) continue;
      // A ratio of 0 says the numerator is 0, not what the denominator is.
      if (open[0] === nl.den && nl.ratio && value.get(nl.ratio) === 0) continue;
      const c = col(open[0]!);
      if (c >= parent.length) parent.push(c);
      determined.add(c);
      extra.push({ relation: nl.relation, terms: new Map([[c, 1n]]) });
      more = true;
    }
    if (!more) break;
  }

  // Each recovered withheld value, with the relations that recover it.
  const findings: Finding[] = [];
  // Cells are counts and sums of a customer group; a withheld difference or ratio of
  // two withheld cells (a net change, a share) that the others give is not a
  // disclosure of either, and is counted apart.
  const given = [...determined].filter((c) => withheldAt.has(keys[c]!));
  const leaks = given.filter((c) => isCell(keys[c]!));
  const derivedGiven = given.length - leaks.length;
  const explained = new Map<number, Set<number>>();
  for (const g of new Set(leaks.map(find))) {
    const list = [...linear, ...extra].filter((l) => find(l.terms.keys().next().value!) === g);
    const e = solve(list, true, []);
    for (const [c, row] of e.determined()) explained.set(c, e.from[row]!);
  }
  for (const c of leaks.sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1))) {
    const fig = withheldAt.get(keys[c]!)!;
    const names = [...(explained.get(c) ?? [])].sort((a, b) => a - b).map((k) => pub.relations[k]!.name);
    const shown = names.slice(0, 6).map((n) => `"${n}"`).join(', ');
    findings.push({
      check: 'system',
      kind: 'recoverable',
      file: fig.file,
      location: `${fig.loc}, from ${names.length} relation(s) solved together: ${shown}${names.length > 6 ? ` and ${names.length - 6} more` : ''}`,
    });
  }
  const involved = new Set(linear.flatMap((l) => [...l.terms.keys()]));
  return {
    findings,
    unknowns: involved.size,
    withheld: withheldAt.size,
    derivedGiven,
    relations: linear.length,
    groups,
    largestGroup,
  };
}
