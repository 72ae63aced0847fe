// The same-work reference: everything the pipeline computes from the rows,
// written as plain DuckDB SQL with no JavaScript in the row path. Per snapshot:
// the row checks (as a reason code), the duplicate-id check, the counts per
// reason, the branch × band cells with their two largest contributions, and the
// concentration of aum and deposits for the bank and every branch (Lorenz grid,
// Gini, top-p sums; see concentrationSql), each by a window sort. Per period the
// same flow cells as the pipeline. The duplicate check, cells and flows are the
// pipeline's own SQL. Beside the minimal reference (reference.ts) it shows how
// much of the pipeline's time is the extra work the report needs and how much is
// the pipeline's own.
import type { DuckDBConnection } from '@duckdb/node-api';
import { flowCells, quoteIdent, quoteLiteral, snapshotCells } from '../../src/engine/aggregate.ts';
import { markDuplicateIds } from '../../src/engine/load.ts';
import { parseConfig } from '../../src/lib/config.ts';
import { bandLowersFen, lowersFen } from '../../src/lib/tiers.ts';

const config = parseConfig({});
export const BAND_LOWERS = bandLowersFen(config);
export const TIER_LOWERS = lowersFen(config);

export interface SameWorkSnapshot {
  rows: number;
  used: number;
  cells: number;
  /** Exact Gini of the bank, per measure (HUGEINT sums, one division). */
  gini: { aum: number | null; deposits: number | null };
  /** Scopes with concentration figures: the bank and each branch, per measure. */
  scopes: number;
}

/** Table s<k> of the valid rows of one snapshot, then every figure the pipeline takes from it. */
export async function sameWorkSnapshot(con: DuckDBConnection, table: string, source: string, date: string): Promise<SameWorkSnapshot> {
  const T = quoteIdent(table);
  await con.run(`CREATE TABLE ${T} AS SELECT *, CAST(CASE
      WHEN customer_id IS NULL THEN 1 WHEN branch IS NULL THEN 3
      WHEN aum IS NULL THEN 4 WHEN aum < 0 THEN 6 WHEN aum > ${Number.MAX_SAFE_INTEGER} THEN 10
      WHEN deposits IS NULL THEN 7 WHEN deposits < 0 THEN 9 WHEN deposits > ${Number.MAX_SAFE_INTEGER} THEN 10
      WHEN open_date > DATE ${quoteLiteral(date)} THEN 11 END AS UTINYINT) AS reason
    FROM (SELECT nullif(trim(customer_id), '') AS customer_id, nullif(trim(branch), '') AS branch,
      CAST(aum * 100 AS BIGINT) AS aum, CAST(deposits * 100 AS BIGINT) AS deposits, open_date FROM ${source})`);
  await markDuplicateIds(con, T); // the pipeline's own SQL, as for cells and flows
  const counts = (
    await con.runAndReadAll(`SELECT count(*)::BIGINT AS rows, count(*) FILTER (WHERE reason IS NULL)::BIGINT AS used,
      count(*) FILTER (WHERE reason IS NULL AND deposits > aum)::BIGINT AS above,
      sum(aum) FILTER (WHERE reason IS NULL) AS aum_sum, sum(deposits) FILTER (WHERE reason IS NULL) AS deposits_sum FROM ${T}`)
  ).getRowObjectsJS()[0]!;
  await con.runAndReadAll(`SELECT reason, count(*)::BIGINT AS n, min(rowid, 5) AS first FROM ${T} WHERE reason IS NOT NULL GROUP BY reason`);
  if (Number(counts.rows) !== Number(counts.used)) await con.run(`DELETE FROM ${T} WHERE reason IS NOT NULL`);
  await con.run(`ALTER TABLE ${T} DROP COLUMN reason`);

  const cells = await snapshotCells(con, table, BAND_LOWERS);
  const gini: SameWorkSnapshot['gini'] = { aum: null, deposits: null };
  let scopes = 0;
  for (const m of ['aum', 'deposits'] as const)
    for (const byBranch of [false, true]) {
      const figures = await concentrationSql(con, T, m, byBranch);
      scopes += figures.size;
      if (!byBranch) gini[m] = figures.get('')?.gini ?? null;
    }
  return { rows: Number(counts.rows), used: Number(counts.used), cells: cells.length, gini, scopes };
}

interface ScopeFigures {
  n: number;
  total: number;
  gini: number | null;
  /** C(⌊kN/100⌋), k = 0 … 100: the Lorenz grid, in fen. */
  lorenz: bigint[];
  /** Sum of the top 1, 5, 10, 20 % (⌈pN/100⌉ largest). */
  tops: bigint[];
}

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(v as bigint));

/**
 * Concentration of one measure per scope by one window sort (row_number): every
 * row gets its rank i, and is summed into the Lorenz bucket ⌈100 i / N⌉ (so the
 * buckets' running sum is C at the grid positions), into Σ i·x (Gini) and into
 * the top-p sums. The 80 % point, which needs the running sum within a bucket, is
 * left out, so this reference does a little less than the pipeline.
 */
async function concentrationSql(con: DuckDBConnection, T: string, m: 'aum' | 'deposits', byBranch: boolean): Promise<Map<string, ScopeFigures>> {
  const g = byBranch ? 'branch' : "''";
  const topSum = (p: number) => `sum(x) FILTER (WHERE i > n - (${p} * n + 99) // 100) AS top${p}`;
  const rows = (
    await con.runAndReadAll(`SELECT g, (100 * i + n - 1) // n AS bucket, count(*)::BIGINT AS cnt, sum(x) AS s, sum(i::HUGEINT * x) AS six,
        ${[1, 5, 10, 20].map(topSum).join(', ')}
      FROM (SELECT g, x, n, row_number() OVER (PARTITION BY g ORDER BY x) AS i
        FROM (SELECT ${g} AS g, ${m} AS x FROM ${T}) JOIN (SELECT ${g} AS g, count(*) AS n FROM ${T} GROUP BY ALL) USING (g))
      GROUP BY ALL ORDER BY g, bucket`)
  ).getRowObjectsJS();
  const acc = new Map<string, { n: number; total: bigint; six: bigint; lorenz: bigint[]; tops: bigint[] }>();
  for (const r of rows) {
    const key = String(r.g);
    const a = acc.get(key) ?? { n: 0, total: 0n, six: 0n, lorenz: [0n], tops: [0n, 0n, 0n, 0n] };
    acc.set(key, a);
    a.n += Number(r.cnt);
    a.total += big(r.s);
    a.six += big(r.six);
    a.lorenz.push(a.total);
    [r.top1, r.top5, r.top10, r.top20].forEach((t, k) => (a.tops[k]! += big(t)));
  }
  const out = new Map<string, ScopeFigures>();
  for (const [key, a] of acc) {
    const total = Number(a.total);
    // Gini = (2 Σ i·x − (N + 1)·S) / (N·S), the numerator exact.
    const gini = total === 0 ? null : Number(2n * a.six - BigInt(a.n + 1) * a.total) / (a.n * total);
    out.set(key, { n: a.n, total, gini, lorenz: a.lorenz, tops: a.tops });
  }
  return out;
}

/** The flow cells of one period (the pipeline's own SQL); the customers in both snapshots. */
export async function sameWorkPeriod(con: DuckDBConnection, start: string, end: string, startDate: string): Promise<{ cells: number; matched: number }> {
  const flows = await flowCells(con, start, end, TIER_LOWERS, startDate);
  return { cells: flows.length, matched: flows.reduce((s, f) => s + (f.startTier !== null && f.endTier !== null ? f.n : 0), 0) };
}
