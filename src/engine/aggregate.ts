// Row-level aggregation in DuckDB: everything that touches one row per customer
// happens here, and what leaves is small (cells) or numeric (sorted amounts).
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { FlowCell, SnapshotCell, SortedAmounts, Top2 } from './types.ts';

const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** A SQL CASE that maps a fen column onto the index of the range holding it (lower bounds inclusive). */
export function rangeCase(column: string, lowersFen: readonly number[]): string {
  const whens = lowersFen
    .map((lower, i) => ({ lower, i }))
    .slice(1)
    .reverse()
    .map(({ lower, i }) => `WHEN ${column} >= ${lower} THEN ${i}`)
    .join(' ');
  return `(CASE ${whens} ELSE 0 END)::INTEGER`;
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const quoteLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;

function num(v: DuckDBValue, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
  if (!Number.isFinite(n) || Math.abs(n) > MAX_EXACT) throw new Error(`${what} is out of the exactly representable range (${String(v)})`);
  return n;
}

function top2(v: DuckDBValue): Top2 {
  const items = (v as { items?: DuckDBValue[] } | null)?.items ?? [];
  const xs = items.map((x) => num(x, 'top contribution')).sort((a, b) => b - a);
  return xs.length >= 2 ? [xs[0]!, xs[1]!] : xs.length === 1 ? [xs[0]!] : [];
}

const str = (v: DuckDBValue) => (v === null ? null : String(v));

async function rows(conn: DuckDBConnection, sql: string): Promise<DuckDBValue[][]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRows();
}

/** Per (branch, band) counts and sums of one loaded snapshot table. */
export async function snapshotCells(conn: DuckDBConnection, table: string, bandLowersFen: readonly number[]): Promise<SnapshotCell[]> {
  const sql = `
    SELECT branch, band, count(*) AS n, sum(aum) AS aum, sum(deposits) AS deposits,
           max(aum, 2) AS aum_top, max(deposits, 2) AS dep_top
    FROM (SELECT branch, ${rangeCase('aum', bandLowersFen)} AS band, aum, deposits FROM ${quoteIdent(table)})
    GROUP BY branch, band
    ORDER BY branch, band`;
  return (await rows(conn, sql)).map((r) => ({
    branch: String(r[0]),
    band: num(r[1]!, 'band'),
    n: num(r[2]!, 'count'),
    aum: num(r[3]!, 'aum sum'),
    deposits: num(r[4]!, 'deposits sum'),
    aumTop: top2(r[5]!),
    depositsTop: top2(r[6]!),
  }));
}

/**
 * The flows of a period: customers grouped by (start branch, end branch, start tier, end tier),
 * NULL on the side where they are absent. `startDate` separates truly opened from re-appearing new customers.
 */
export async function flowCells(
  conn: DuckDBConnection,
  startTable: string,
  endTable: string,
  tierLowersFen: readonly number[],
  startDate: string,
): Promise<FlowCell[]> {
  const sql = `
    WITH j AS (
      SELECT s.branch AS sb, e.branch AS eb,
             CASE WHEN s.customer_id IS NULL THEN NULL ELSE ${rangeCase('s.aum', tierLowersFen)} END AS st,
             CASE WHEN e.customer_id IS NULL THEN NULL ELSE ${rangeCase('e.aum', tierLowersFen)} END AS et,
             coalesce(s.aum, 0) AS a0, coalesce(e.aum, 0) AS a1,
             CASE WHEN s.customer_id IS NOT NULL AND e.customer_id IS NOT NULL THEN abs(e.aum - s.aum) END AS d,
             s.customer_id IS NULL AND e.open_date IS NOT NULL AS has_open,
             s.customer_id IS NULL AND e.open_date > DATE ${quoteLiteral(startDate)} AS opened
      FROM ${quoteIdent(startTable)} s FULL OUTER JOIN ${quoteIdent(endTable)} e ON s.customer_id = e.customer_id
    )
    SELECT sb, eb, st, et, count(*) AS n, sum(a0) AS a0, sum(a1) AS a1,
           max(a0, 2) FILTER (WHERE st IS NOT NULL) AS a0_top,
           max(a1, 2) FILTER (WHERE et IS NOT NULL) AS a1_top,
           max(d, 2) FILTER (WHERE d IS NOT NULL) AS d_top,
           coalesce(sum(d), 0) AS d_sum,
           count(*) FILTER (WHERE opened) AS opened,
           count(*) FILTER (WHERE has_open) AS with_open
    FROM j
    GROUP BY sb, eb, st, et
    ORDER BY sb NULLS FIRST, eb NULLS FIRST, st NULLS FIRST, et NULLS FIRST`;
  return (await rows(conn, sql)).map((r) => ({
    startBranch: str(r[0]!),
    endBranch: str(r[1]!),
    startTier: r[2] === null ? null : num(r[2]!, 'tier'),
    endTier: r[3] === null ? null : num(r[3]!, 'tier'),
    n: num(r[4]!, 'count'),
    aumStart: num(r[5]!, 'aum sum'),
    aumEnd: num(r[6]!, 'aum sum'),
    aumStartTop: top2(r[7]!),
    aumEndTop: top2(r[8]!),
    deltaAbsTop: top2(r[9]!),
    deltaAbsSum: num(r[10]!, 'change sum'),
    openedInPeriod: num(r[11]!, 'count'),
    withOpenDate: num(r[12]!, 'count'),
  }));
}

/** How many customers of `endTable` also appear in `startTable`. */
export async function matchedIds(conn: DuckDBConnection, startTable: string, endTable: string): Promise<number> {
  const r = await rows(conn, `SELECT count(*) FROM ${quoteIdent(endTable)} e SEMI JOIN ${quoteIdent(startTable)} s ON s.customer_id = e.customer_id`);
  return num(r[0]![0]!, 'count');
}

/** Read a single DOUBLE column of a query into one Float64Array, chunk by chunk, without boxing rows. */
async function readDoubles(conn: DuckDBConnection, sql: string, length: number): Promise<Float64Array> {
  const out = new Float64Array(length);
  const result = await conn.stream(sql);
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const vector = chunk.getColumnVector(0) as unknown as { items?: Float64Array; getItem(i: number): number | null };
    // The vector's backing Float64Array is the fast path; fall back to item access if the binding changes.
    if (vector.items instanceof Float64Array && vector.items.length === chunk.rowCount) out.set(vector.items, offset);
    else for (let i = 0; i < chunk.rowCount; i++) out[offset + i] = vector.getItem(i) ?? 0;
    offset += chunk.rowCount;
  }
  if (offset !== length) throw new Error(`expected ${length} amounts, read ${offset}`);
  return out;
}

/** Amounts of one snapshot sorted ascending, for the bank and for every branch. */
export async function sortedAmounts(conn: DuckDBConnection, table: string, column: 'aum' | 'deposits'): Promise<SortedAmounts> {
  const t = quoteIdent(table);
  const groups = await rows(conn, `SELECT branch, count(*) FROM ${t} GROUP BY branch ORDER BY branch`);
  const counts = groups.map((g) => [String(g[0]), num(g[1]!, 'count')] as const);
  const total = counts.reduce((s, [, n]) => s + n, 0);
  // One sort by (branch, amount) gives every branch its sorted run; the bank-wide order is a typed-array sort.
  const byBranch = await readDoubles(conn, `SELECT ${column}::DOUBLE FROM ${t} ORDER BY branch, ${column}`, total);
  const branches = new Map<string, Float64Array>();
  let offset = 0;
  for (const [branch, n] of counts) {
    branches.set(branch, byBranch.subarray(offset, offset + n));
    offset += n;
  }
  const bank = Float64Array.from(byBranch).sort();
  return { bank, branches };
}
