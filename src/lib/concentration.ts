// Concentration of one amount over one scope's customers (docs/metrics.md
// "Concentration"), exact from the sorted amounts, and the disclosure rule for
// which of those figures may be published (docs/metrics.md "Disclosure control").
//
// Amounts are integer fen. Cumulative sums stay below 2^53 (checked), so they
// are exact in doubles; the one sum that can pass 2^53 (Σ of cumulative sums,
// behind Gini) is split into high and low 26-bit halves, each summed exactly in
// a double and carried into a BigInt every 2^20 customers.

export const TOP_PERCENTS = [1, 5, 10, 20] as const;
export type TopPercent = (typeof TOP_PERCENTS)[number];

export interface LorenzPoint {
  /** Share of customers, poorest first. */
  p: number;
  /** Customer position p·N (fractional between customers). */
  k: number;
  /** Share of the total held by them; null when the total is 0. */
  share: number | null;
}

export interface TopShare {
  percent: TopPercent;
  /** ceil(percent/100 · N) largest customers. */
  count: number;
  share: number | null;
}

export interface Point80 {
  /** Fewest customers, largest first, holding at least 80 % of the total. */
  count: number;
  customerShare: number;
}

export interface Concentration {
  n: number;
  /** S, in fen. */
  total: number;
  /** At p = 0, 1, …, 100 %. */
  lorenz: LorenzPoint[];
  /** The exact top-1 % boundary, p = 1 − ceil(0.01 N)/N; null for no customers. */
  top1Point: LorenzPoint | null;
  gini: number | null;
  /** Σ s_i². */
  herfindahl: number | null;
  topShares: TopShare[];
  point80: Point80 | null;
}

// C_j < 2^53 splits into halves < 2^27 and < 2^26; 2^20 of either sum far below 2^53.
const SPLIT = 2 ** 26;
const INV_SPLIT = 2 ** -26; // exact: multiplying by a power of two only shifts the exponent
const CARRY_MASK = 2 ** 20 - 1;

/** Customers among the top `percent` %: ceil(percent·N/100) in integer arithmetic, so 7 % of 100 is 7, not 8. */
export const topCount = (percent: number, n: number): number => Math.ceil((percent * n) / 100);

/** `sorted`: one scope's amounts in fen, ascending, non-negative integers, total at most 2^53 − 1. */
export function concentrationOf(sorted: Float64Array): Concentration {
  const n = sorted.length;
  const total = checkedTotal(sorted);

  // Lorenz grid: k = i·N/100 split into whole customers and a fraction without rounding.
  const grid = Array.from({ length: 101 }, (_, i) => {
    const whole = Math.floor((i * n) / 100);
    return { i, whole, frac: (i * n - 100 * whole) / 100 };
  });
  const tops = TOP_PERCENTS.map((percent) => ({ percent, count: topCount(percent, n) }));
  const top1Boundary = n - topCount(1, n);

  // One pass records C_j (sum of the j smallest) at every position asked for.
  const wanted = [...new Set([...grid.map((g) => g.whole), ...tops.map((t) => n - t.count), top1Boundary])].sort((a, b) => a - b);
  const cumAt = new Map<number, number>();
  let w = 0;
  let cum = 0;
  let sumHi = 0; // Σ_{j<N} C_j = (sumHi·2^26 + sumLo) + carried
  let sumLo = 0;
  let carried = 0n;
  let below20 = 0; // largest j < N with C_j ≤ 0.2·S
  let searching20 = true;
  // For integers, 5·C ≤ S ⟺ C ≤ floor(S / 5), and floor(S / 5) is exact below 2^53.
  const fifth = Math.floor(total / 5);
  const invTotal = total > 0 ? 1 / total : 0;
  let hSum = 0; // Kahan: Σ s_i² to a few ulp
  let hComp = 0;
  for (let j = 0; j <= n; j++) {
    while (wanted[w] === j) {
      cumAt.set(j, cum);
      w++;
    }
    if (j === n) break;
    const high = Math.floor(cum * INV_SPLIT);
    sumHi += high;
    sumLo += cum - high * SPLIT;
    if ((j & CARRY_MASK) === CARRY_MASK) {
      carried += BigInt(sumHi) * BigInt(SPLIT) + BigInt(sumLo);
      sumHi = sumLo = 0;
    }
    // C_j only grows, so the first j past 0.2·S ends the search.
    if (searching20) {
      if (cum <= fifth) below20 = j;
      else searching20 = false;
    }
    const x = sorted[j] as number;
    const s = x * invTotal;
    const y = s * s - hComp;
    const t = hSum + y;
    hComp = t - hSum - y;
    hSum = t;
    cum += x;
  }
  const C = (j: number): number => cumAt.get(j) as number;
  const ratio = (v: number): number | null => (total === 0 ? null : v / total);

  const lorenz = grid.map(({ i, whole, frac }) => ({
    p: i / 100,
    k: (i * n) / 100,
    share: ratio(C(whole) + (frac > 0 ? frac * (sorted[whole] as number) : 0)),
  }));

  // Σ_i i·x_i = N·S − Σ_{j<N} C_j, hence Gini = ((N−1)·S − 2 Σ_{j<N} C_j) / (N·S), numerator exact.
  const sumC = carried + BigInt(sumHi) * BigInt(SPLIT) + BigInt(sumLo);
  const gini = total === 0 ? null : Number(BigInt(n - 1) * BigInt(total) - 2n * sumC) / (n * total);

  return {
    n,
    total,
    lorenz,
    top1Point: n === 0 ? null : { p: top1Boundary / n, k: top1Boundary, share: ratio(C(top1Boundary)) },
    gini,
    herfindahl: total === 0 ? null : hSum,
    topShares: tops.map(({ percent, count }) => ({ percent, count, share: ratio(total - C(n - count)) })),
    point80: total === 0 ? null : { count: n - below20, customerShare: (n - below20) / n },
  };
}

function checkedTotal(sorted: Float64Array): number {
  let total = 0;
  let prev = 0;
  for (const x of sorted) {
    if (!Number.isInteger(x) || x < prev) throw new RangeError('amounts must be non-negative integer fen, sorted ascending');
    prev = x;
    total += x;
    if (total > Number.MAX_SAFE_INTEGER) throw new RangeError('total exceeds 2^53 fen; sums would no longer be exact');
  }
  return total;
}

/** 5·c ≤ s without rounding 0.2·s: the 80 % point must not move on a tie. */

// ——— Disclosure ———————————————————————————————————————————————————————————

export type WithheldReason =
  /** The scope has no customers. */
  | 'no-customers'
  /** The total is 0: shares and Gini are undefined, shown as "—". */
  | 'zero-total'
  /** The figure describes fewer than minCell customers. */
  | 'small-group'
  /** Publishing it would leave a Lorenz segment of fewer than minCell customers. */
  | 'small-segment';

export type Guarded<T> = { value: T; withheld: null } | { value: null; withheld: WithheldReason };

const ok = <T>(value: T): Guarded<T> => ({ value, withheld: null });
const no = <T>(withheld: WithheldReason): Guarded<T> => ({ value: null, withheld });

export interface PublishableConcentration {
  n: number;
  total: number;
  lorenz: { p: number; share: Guarded<number> }[];
  top1Point: { p: number; share: Guarded<number> } | null;
  gini: Guarded<number>;
  herfindahl: Guarded<number>;
  topShares: { percent: TopPercent; share: Guarded<number> }[];
  point80: Guarded<Point80>;
}

/**
 * Which concentration figures may be published with at least `minCell` customers
 * in the smallest group each describes.
 *
 * Every Lorenz point and every top-p share is a cumulative sum C(k)/S at some
 * customer position k (top-p share = 1 − C(N − count)/S), and S is published,
 * so two of them differ by the sum of the customers between their positions.
 * They are therefore chosen as one set of positions, 0 and N always in, each
 * accepted only if it keeps both neighbouring segments at ≥ minCell customers.
 * Priority: top-p shares from the widest (20 %) to the narrowest (1 %), then the
 * exact top-1 % Lorenz point (the same position as the top-1 % share), then the
 * grid points from the bottom up (greedy from one end keeps the most points).
 *
 * Gini needs N ≥ minCell: it is a function of every customer, and alone it only
 * bounds the largest share from above (s_max ≤ G + 1/N), so it describes the
 * whole scope, not a smaller group. Herfindahl is different: s_max² ≤ H ≤ s_max,
 * so with one dominant customer it pins that customer's share; it is published
 * only where the top-1 % share is (ceil(0.01 N) ≥ minCell).
 * The 80 % point is published if the group it names (its count) has ≥ minCell
 * customers; it reveals inequalities only, never a sum.
 */
export function publishableConcentration(c: Concentration, minCell: number): PublishableConcentration {
  const { n, total } = c;
  const empty: WithheldReason | null = n === 0 ? 'no-customers' : total === 0 ? 'zero-total' : null;

  const accepted = [0, n]; // published positions, ascending
  const tryAccept = (k: number): boolean => {
    const hi = accepted.findIndex((a) => a >= k);
    if (accepted[hi] === k) return true; // already public: no new information
    const lo = accepted[hi - 1] as number;
    const up = accepted[hi] as number;
    if (k - lo < minCell || up - k < minCell) return false;
    accepted.splice(hi, 0, k);
    return true;
  };
  const guard = <T>(value: T | null, groupSize: number, position?: number): Guarded<T> => {
    if (empty !== null || value === null) return no(empty ?? 'zero-total');
    if (groupSize < minCell) return no('small-group');
    if (position !== undefined && !tryAccept(position)) return no('small-segment');
    return ok(value);
  };

  const topByPercent = new Map<TopPercent, Guarded<number>>();
  for (const t of [...c.topShares].sort((a, b) => b.percent - a.percent))
    topByPercent.set(t.percent, guard(t.share, t.count, n - t.count));
  const top1 = topByPercent.get(1) as Guarded<number>;

  return {
    n,
    total,
    // Same position and value as the top-1 % share, so it stands or falls with it.
    top1Point: c.top1Point && {
      p: c.top1Point.p,
      share: top1.withheld === null && c.top1Point.share !== null ? ok(c.top1Point.share) : no(top1.withheld ?? 'zero-total'),
    },
    lorenz: c.lorenz.map((pt) => ({ p: pt.p, share: guard(pt.share, Infinity, pt.k) })),
    topShares: TOP_PERCENTS.map((percent) => ({ percent, share: topByPercent.get(percent) as Guarded<number> })),
    gini: guard(c.gini, n),
    herfindahl: guard(c.herfindahl, topCount(1, n)),
    point80: guard(c.point80, c.point80?.count ?? 0),
  };
}
