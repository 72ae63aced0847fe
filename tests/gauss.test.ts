import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gaussSuppress, type GaussProblem } from '../src/lib/gauss.ts';
import { eliminate, normalise, rowOf } from '../src/lib/sparseRow.ts';

// ---------------------------------------------------------------------------
// An independent reference: dense BigInt row reduction, and the Gauss method's
// rule applied literally (at each candidate, try publishing it and re-solve the
// whole system). Slow, shares no code with src/lib/gauss.ts.

/** Cells of `hidden` that the relations determine when every other cell is known. */
function determined(n: number, relations: GaussProblem['relations'], hidden: ReadonlySet<number>): Set<number> {
  const cols = [...hidden].sort((a, b) => a - b);
  const at = new Map(cols.map((c, j) => [c, j]));
  const rows: bigint[][] = [];
  for (const rel of relations) {
    const r = cols.map(() => 0n);
    for (const [c, v] of rel) {
      if (c < 0 || c >= n) throw new Error('bad cell');
      const j = at.get(c);
      if (j !== undefined) r[j] = r[j]! + BigInt(v);
    }
    if (r.some((x) => x !== 0n)) rows.push(r);
  }
  // Reduced row echelon form over the rationals, kept in integers.
  let lead = 0;
  const m = cols.length;
  for (let i = 0; i < rows.length && lead < m; lead++) {
    const piv = rows.findIndex((r, k) => k >= i && r[lead] !== 0n);
    if (piv < 0) continue;
    [rows[i], rows[piv]] = [rows[piv]!, rows[i]!];
    const pr = rows[i]!;
    for (let k = 0; k < rows.length; k++) {
      if (k === i || rows[k]![lead] === 0n) continue;
      const a = pr[lead]!;
      const b = rows[k]![lead]!;
      rows[k] = rows[k]!.map((x, j) => a * x - b * pr[j]!);
    }
    i++;
  }
  const out = new Set<number>();
  for (const r of rows) {
    const nz = r.flatMap((x, j) => (x !== 0n ? [j] : []));
    if (nz.length === 1) out.add(cols[nz[0]!]!);
  }
  return out;
}

function reference(p: GaussProblem): { secondary: number[]; unsafe: number[] } {
  const hidden = new Set<number>(Array.from({ length: p.n }, (_, i) => i));
  const protectedCells = new Set(p.primary);
  const secondary: number[] = [];
  for (const c of p.forced ?? []) hidden.delete(c);
  const unsafe = [...determined(p.n, p.relations, hidden)].filter((c) => protectedCells.has(c));
  for (const c of p.order) {
    hidden.delete(c);
    const det = determined(p.n, p.relations, hidden);
    if ([...protectedCells].some((s) => det.has(s) && !unsafe.includes(s))) {
      hidden.add(c);
      protectedCells.add(c);
      secondary.push(c);
    }
  }
  return { secondary, unsafe };
}

// ---------------------------------------------------------------------------

describe('sparse rows', () => {
  it('eliminate is exact and fraction-free: (2a + 3b) and (3a − b) without a give 11b (divided by the gcd: b)', () => {
    const x = rowOf([[0, 2], [1, 3]]);
    const y = rowOf([[0, 3], [1, -1]]);
    // 3·x − 2·y = 6a + 9b − 6a + 2b = 11b → normalised to b.
    expect(eliminate(x, y, 0)).toEqual({ cols: [1], vals: [1] });
  });
  it('switches to BigInt beyond 2^52 and back once the gcd brings the row into range', () => {
    const big = 2 ** 40;
    const x = rowOf([[0, big], [1, 1]]);
    const y = rowOf([[0, big + 1], [2, 1]]);
    const r = eliminate(x, y, 0); // (2^40+1)·x − 2^40·y: coefficients 2^40+1 and −2^40, exact
    expect(r.cols).toEqual([1, 2]);
    expect(r.vals.map(String)).toEqual([String(big + 1), String(-big)]);
    const huge = rowOf([[0, 2 ** 50], [1, 3]]);
    const other = rowOf([[0, 3], [1, 2 ** 50 + 1]]);
    const h = eliminate(huge, other, 0); // 3·huge − 2^50·other = 9·b − 2^50(2^50+1)·b: needs BigInt
    expect(h.cols).toEqual([1]);
    expect(h.vals.map(String)).toEqual(['1']);
    expect(normalise({ cols: [3, 4], vals: [-4, 6] })).toEqual({ cols: [3, 4], vals: [2, -3] });
  });
});

describe('gaussSuppress', () => {
  // A 2 × 2 table with margins: cells a b / c d, rows r1 r2, columns k1 k2, total t.
  //   0 1 | 4      a=0 b=1 r1=4
  //   2 3 | 5      c=2 d=3 r2=5
  //   6 7 | 8
  const grid: GaussProblem['relations'] = [
    [[4, 1], [0, -1], [1, -1]],
    [[5, 1], [2, -1], [3, -1]],
    [[6, 1], [0, -1], [2, -1]],
    [[7, 1], [1, -1], [3, -1]],
    [[8, 1], [4, -1], [5, -1]],
  ];

  it('one primary interior cell with every margin published: the whole 2 × 2 interior is withheld', () => {
    // Priority: totals first, then margins, then interior cells; a is primary.
    const problem = { n: 9, relations: grid, primary: [0], order: [8, 4, 5, 6, 7, 3, 2, 1] };
    const r = gaussSuppress(problem);
    // Hand trace: t, r1, r2, k1, k2 publish freely: a + b, c + d, a + c, b + d known, one degree of
    // freedom left. d would give c = r2 − d, b = k2 − d, a = r1 − b: withheld. c would give
    // a = k1 − c: withheld. b would give a = r1 − b: withheld.
    expect(r.secondary).toEqual([3, 2, 1]);
    expect(r.unsafe).toEqual([]);
    expect(reference(problem)).toEqual(r);
  });

  it('with the interior before the margins, a rectangle of four suffices and a margin goes instead', () => {
    // Interior first (d, c, b), then margins: d publishes; c would give... a + c = k1 unknown yet, so c publishes;
    // b publishes too (a alone hidden among cells, but no margin known yet). Then t, r1: a = r1 − b → r1 withheld;
    // r2 = c + d known anyway (free); k1 = a + c → withheld; k2 = b + d known (free); t = r1 + r2 → withheld.
    const problem = { n: 9, relations: grid, primary: [0], order: [3, 2, 1, 8, 4, 5, 6, 7] };
    const r = gaussSuppress(problem);
    expect(r.secondary).toEqual([8, 4, 6]);
    expect(reference(problem)).toEqual(r);
  });

  it('a forced cell that determines a primary makes it unsafe, and is still published', () => {
    const r = gaussSuppress({ n: 3, relations: [[[0, 1], [1, -1], [2, -1]]], primary: [1], forced: [0, 2], order: [] });
    expect(r.unsafe).toEqual([1]);
  });

  it('an intermediate is never published and needs no protection, yet links relations', () => {
    // x0 + x1 = T(2) published; x0 − y(3) = 0 with y intermediate; y = z(4) published → x0 determined through y.
    const relations: GaussProblem['relations'] = [[[2, 1], [0, -1], [1, -1]], [[0, 1], [3, -1]], [[3, 1], [4, -1]]];
    const r = gaussSuppress({ n: 5, relations, primary: [0], intermediate: [3], order: [2, 4, 1] });
    // z determines y, hence x0: z (4) is withheld; then x1 = T − x0 would give x0: x1 withheld too, or T.
    expect(r).toEqual(reference({ n: 5, relations, primary: [0], intermediate: [3], order: [2, 4, 1] }));
    expect(r.secondary).toContain(4);
  });

  it('a cell the relations alone fix counts as known in the relations after it', () => {
    // a − b = 0 and a + b = 0 make a = b = 0 before any figure is published;
    // then t = p + a, so publishing t gives the primary p: t must be withheld.
    const relations: GaussProblem['relations'] = [[[0, 1], [1, -1]], [[0, 1], [1, 1]], [[2, 1], [3, -1], [0, -1]]];
    const problem = { n: 4, relations, primary: [3], order: [2, 0, 1] };
    expect(gaussSuppress(problem).secondary).toEqual([2]);
    expect(gaussSuppress(problem)).toEqual(reference(problem));
  });

  it('reports progress every 5,000 cells decided, out of all to decide', () => {
    const calls: [number, number][] = [];
    const order = Array.from({ length: 12_000 }, (_, i) => i);
    gaussSuppress({ n: 12_000, relations: [], primary: [], order, progress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[5000, 12_000], [10_000, 12_000]]);
  });

  it('matches the literal reference on random linked tables', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 64, maxLength: 64 }),
        (R, C, L, noise) => {
          // L layers of an R × C table with row, column and grand totals, and a sum over layers.
          const id = (l: number, i: number, j: number) => l * (R + 1) * (C + 1) + i * (C + 1) + j;
          const layerSum = (i: number, j: number) => L * (R + 1) * (C + 1) + i * (C + 1) + j;
          const n = (L + 1) * (R + 1) * (C + 1);
          const relations: [number, number][][] = [];
          for (let l = 0; l <= L; l++) {
            const at = (i: number, j: number) => (l === L ? layerSum(i, j) : id(l, i, j));
            for (let i = 0; i <= R; i++) relations.push([[at(i, C), 1], ...Array.from({ length: C }, (_, j) => [at(i, j), -1] as [number, number])]);
            for (let j = 0; j <= C; j++) relations.push([[at(R, j), 1], ...Array.from({ length: R }, (_, i) => [at(i, j), -1] as [number, number])]);
          }
          for (let i = 0; i <= R; i++)
            for (let j = 0; j <= C; j++) relations.push([[layerSum(i, j), 1], ...Array.from({ length: L }, (_, l) => [id(l, i, j), -1] as [number, number])]);
          const cells = Array.from({ length: n }, (_, c) => c);
          const primary = cells.filter((c) => noise[c % 64]! % 7 === 0 && c < L * (R + 1) * (C + 1));
          const order = cells.filter((c) => !primary.includes(c)).sort((a, b) => noise[(a * 13) % 64]! - noise[(b * 13) % 64]! || a - b);
          const problem = { n, relations, primary, order };
          const got = gaussSuppress(problem);
          expect(got).toEqual(reference(problem));
          // And the promise itself: nothing withheld is determined by what is published.
          const hidden = new Set([...primary, ...got.secondary]);
          expect([...determined(n, relations, hidden)].filter((c) => hidden.has(c))).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
