// Sparse integer row vectors for exact Gaussian elimination. Coefficients are
// kept as small integers (JS numbers) and divided by their gcd after every
// combination; the relations of a report have coefficients ±1, so they stay
// tiny in practice. Should one ever outgrow 2^53, the row switches to BigInt
// for good: exactness is never traded for speed.

export interface Row {
  /** Column indices, strictly increasing. */
  cols: number[];
  /** Non-zero coefficients, parallel to cols: numbers, or bigints once a row has outgrown 2^53. */
  vals: number[] | bigint[];
}

const SAFE = 2 ** 52;

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) [a, b] = [b, a % b];
  return a;
}

const isBig = (r: Row): r is { cols: number[]; vals: bigint[] } => r.vals.length > 0 && typeof r.vals[0] === 'bigint';

/** Divides by the gcd of the coefficients and makes the entry at `signCol` (or the first) positive. */
export function normalise(r: Row, signCol = -1): Row {
  if (r.cols.length === 0) return r;
  const at = Math.max(0, signCol < 0 ? 0 : r.cols.indexOf(signCol));
  if (isBig(r)) {
    let g = 0n;
    for (const v of r.vals) g = gcdBig(g, v);
    if (r.vals[at]! < 0n) g = -g;
    const vals = r.vals.map((v) => v / g);
    // Back to numbers when every coefficient fits again.
    return vals.every((v) => v <= BigInt(SAFE) && v >= -BigInt(SAFE)) ? { cols: r.cols, vals: vals.map(Number) } : { cols: r.cols, vals };
  }
  const vals = r.vals as number[];
  let g = 0;
  // Relations have coefficients ±1, so most rows stop at their first entry.
  for (let i = 0; i < vals.length && g !== 1; i++) g = gcd(g, vals[i]!);
  if (vals[at]! < 0) g = -g;
  return g === 1 ? r : { cols: r.cols, vals: vals.map((v) => v / g) };
}

/** The coefficient of `col`, or 0. Binary search: rows are sorted. */
export function coef(r: Row, col: number): number | bigint {
  let lo = 0;
  let hi = r.cols.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = r.cols[mid]!;
    if (c === col) return r.vals[mid]!;
    if (c < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/**
 * a·x − b·y with the column `drop` eliminated (a = y[drop], b = x[drop], so the
 * result is 0 there), normalised. Fraction-free, so the result is exact.
 */
export function eliminate(x: Row, y: Row, drop: number): Row {
  const a0 = coef(y, drop);
  const b0 = coef(x, drop);
  if (a0 === 0 || b0 === 0) throw new Error(`eliminate: column ${drop} is not in both rows`);
  if (!isBig(x) && !isBig(y) && typeof a0 === 'number' && typeof b0 === 'number') {
    const g = gcd(a0, b0);
    const a = a0 / g;
    const b = b0 / g;
    const out = combineNumber(x, y, a, b);
    if (out) return normalise(out);
  }
  const g = gcdBig(BigInt(a0), BigInt(b0));
  return normalise(combineBig(x, y, BigInt(a0) / g, BigInt(b0) / g));
}

/** a·x − b·y in numbers, or null when a product could pass 2^52. */
function combineNumber(x: Row, y: Row, a: number, b: number): Row | null {
  const xc = x.cols;
  const yc = y.cols;
  const xv = x.vals as number[];
  const yv = y.vals as number[];
  const cols: number[] = [];
  const vals: number[] = [];
  let i = 0;
  let j = 0;
  const limA = SAFE / Math.max(1, Math.abs(a));
  const limB = SAFE / Math.max(1, Math.abs(b));
  while (i < xc.length || j < yc.length) {
    const ci = i < xc.length ? xc[i]! : Infinity;
    const cj = j < yc.length ? yc[j]! : Infinity;
    let v: number;
    let c: number;
    if (ci === cj) {
      if (Math.abs(xv[i]!) > limA / 2 || Math.abs(yv[j]!) > limB / 2) return null;
      v = a * xv[i]! - b * yv[j]!;
      c = ci;
      i++;
      j++;
    } else if (ci < cj) {
      if (Math.abs(xv[i]!) > limA) return null;
      v = a * xv[i]!;
      c = ci;
      i++;
    } else {
      if (Math.abs(yv[j]!) > limB) return null;
      v = -b * yv[j]!;
      c = cj;
      j++;
    }
    if (v !== 0) {
      cols.push(c);
      vals.push(v);
    }
  }
  return { cols, vals };
}

function combineBig(x: Row, y: Row, a: bigint, b: bigint): Row {
  const xv = x.vals.map((v) => BigInt(v));
  const yv = y.vals.map((v) => BigInt(v));
  const cols: number[] = [];
  const vals: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < x.cols.length || j < y.cols.length) {
    const ci = i < x.cols.length ? x.cols[i]! : Infinity;
    const cj = j < y.cols.length ? y.cols[j]! : Infinity;
    let v: bigint;
    let c: number;
    if (ci === cj) {
      v = a * xv[i]! - b * yv[j]!;
      c = ci;
      i++;
      j++;
    } else if (ci < cj) {
      v = a * xv[i]!;
      c = ci;
      i++;
    } else {
      v = -b * yv[j]!;
      c = cj;
      j++;
    }
    if (v !== 0n) {
      cols.push(c);
      vals.push(v);
    }
  }
  return { cols, vals };
}

/** The row without `col`. */
export function without(r: Row, col: number): Row {
  const k = r.cols.indexOf(col);
  if (k < 0) return r;
  return { cols: [...r.cols.slice(0, k), ...r.cols.slice(k + 1)], vals: [...r.vals.slice(0, k), ...r.vals.slice(k + 1)] as number[] | bigint[] };
}

/** Deletes `col` from the row itself (no copy); returns whether it was there. */
export function removeColumn(r: Row, col: number): boolean {
  let lo = 0;
  let hi = r.cols.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = r.cols[mid]!;
    if (c === col) {
      r.cols.splice(mid, 1);
      r.vals.splice(mid, 1);
      return true;
    }
    if (c < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A row from (column, coefficient) pairs: duplicates summed, zeros dropped, sorted. */
export function rowOf(terms: Iterable<readonly [number, number]>): Row {
  const m = new Map<number, number>();
  for (const [c, v] of terms) m.set(c, (m.get(c) ?? 0) + v);
  const cols = [...m.keys()].filter((c) => m.get(c) !== 0).sort((a, b) => a - b);
  return normalise({ cols, vals: cols.map((c) => m.get(c)!) });
}
