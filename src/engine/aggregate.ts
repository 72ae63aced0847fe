// Row-level aggregation in DuckDB: everything that touches one row per customer
// happens here, and what leaves is small (cells) or numeric (sorted amounts).
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sortAndSplit } from '../lib/radixSort.ts';
import type { FlowCell, SnapshotCell, SortedAmounts, Top2 } from './types.ts';

const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/**
 * A figure from DuckDB beyond 2^53 − 1, which a double no longer holds exactly.
 * Loading keeps every row and every file's totals within it (load.ts), so only
 * a period's sum of changes can still reach it; the caller names the files.
 */
export class ExactRangeError extends Error {
  override name = 'ExactRangeError';
  readonly what: string;
  readonly value: bigint;
  constructor(what: string, value: bigint) {
    super(`${what} is out of the exactly representable range (${value})`);
    this.what = what;
    this.value = value;
  }
}

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
  if (!Number.isFinite(n) || Math.abs(n) > MAX_EXACT) throw new ExactRangeError(what, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number.isFinite(n) ? n : 0)));
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
           count(*) FILTER (WHERE has_open) AS with_open,
           CAST(sum(coalesce(sum(d), 0)) OVER () AS HUGEINT) AS d_total
    FROM j
    GROUP BY sb, eb, st, et
    ORDER BY sb NULLS FIRST, eb NULLS FIRST, st NULLS FIRST, et NULLS FIRST`;
  const result = await rows(conn, sql);
  // Σ |change| over the whole bank is the largest sum the report forms from these cells (HUGEINT here).
  const changes = result.length ? BigInt(result[0]![13] as bigint) : 0n;
  if (changes > BigInt(MAX_EXACT)) throw new ExactRangeError('sum of aum changes', changes);
  return result.map((r) => ({
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

/** Customers present in both snapshots of a period, whatever their branch. */
export const retainedCount = (flows: readonly FlowCell[]): number =>
  flows.reduce((sum, f) => sum + (f.startTier !== null && f.endTier !== null ? f.n : 0), 0);

type NumericVector = { items?: ArrayLike<number>; getItem(i: number): unknown };

/** Copy a numeric vector into `out` at `offset`: its backing typed array is the fast path. */
function copyVector(vector: NumericVector, out: Float64Array | Uint16Array, offset: number, count: number) {
  const items = vector.items;
  if (items && items.length === count && typeof (items as Float64Array).subarray === 'function') out.set(items as Float64Array, offset);
  else for (let i = 0; i < count; i++) out[offset + i] = Number(vector.getItem(i) ?? 0);
}

/** One snapshot's amounts in file order, with a small-int branch id per customer (codes[id]). */
export interface RawAmounts {
  codes: string[];
  bid: Uint16Array;
  aum: Float64Array;
  deposits: Float64Array;
}

/** How readAmounts fetches rows from DuckDB (tests set small sizes to reach every path). */
export interface AmountFetch {
  /** Rows per materialised slice: about 72 MB of results at a time. */
  sliceRows: number;
  /** Snapshots of more customers are streamed chunk by chunk instead. */
  materialiseUpTo: number;
}

/**
 * Materialised slices cost a query each and a scan of the rowids, and their
 * native memory goes only when V8 collects the result: at 100 M customers, 4 M-row
 * slices took the peak RSS from 6.8 to 7.1 GB and 1 M-row slices made the load 30 %
 * slower (npm run bench -- --scale 100m), so large snapshots keep to the stream.
 */
export const AMOUNT_FETCH: AmountFetch = { sliceRows: 1 << 22, materialiseUpTo: 16_000_000 };

type Chunk = { rowCount: number; getColumnVector(i: number): unknown };

/** The rows of `select` (which ends in its FROM clause, table alias s), chunk by chunk. */
async function* amountChunks(conn: DuckDBConnection, select: string, total: number, lastRowid: number, fetch: AmountFetch): AsyncGenerator<Chunk> {
  if (total > fetch.materialiseUpTo) {
    const result = await conn.stream(select);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      yield chunk;
    }
  }
  // Rowids keep their gaps after a DELETE: slices run to the largest one.
  for (let from = 0; from <= lastRowid; from += fetch.sliceRows) {
    const result = await conn.run(`${select} WHERE s.rowid >= ${from} AND s.rowid < ${from + fetch.sliceRows}`);
    for (let c = 0; c < result.chunkCount; c++) yield result.getChunk(c);
  }
}

/**
 * Unsorted scans bring (branch id, aum, deposits) into typed arrays: sorting
 * numbers in JS (radixSort.ts) is several times faster than DuckDB sorting on the
 * branch string, and it can run in a worker beside DuckDB. Up to 16 M customers,
 * slices of rowids are materialised by DuckDB in one call each and their chunks
 * copied synchronously: fetching 2,048-row chunks one promise at a time took 2.5
 * times as long (0.55 s against 0.21 s for 5 M customers).
 */
export async function readAmounts(conn: DuckDBConnection, table: string, fetch: AmountFetch = AMOUNT_FETCH): Promise<RawAmounts> {
  const t = quoteIdent(table);
  const groups = await rows(conn, `SELECT branch, count(*), max(rowid) FROM ${t} GROUP BY branch ORDER BY branch`);
  if (groups.length > 65_535) throw new Error(`${groups.length} branches: more than this build supports (65 535)`);
  const codes = groups.map((g) => String(g[0]));
  const total = groups.reduce((a, g) => a + num(g[1]!, 'count'), 0);
  const lastRowid = groups.reduce((a, g) => Math.max(a, num(g[2]!, 'rowid')), -1);
  await conn.run(`CREATE OR REPLACE TEMP TABLE branch_ids AS SELECT branch, (row_number() OVER (ORDER BY branch) - 1)::USMALLINT AS bid FROM (SELECT DISTINCT branch FROM ${t})`);
  const bid = new Uint16Array(total);
  const aum = new Float64Array(total);
  const deposits = new Float64Array(total);
  let offset = 0;
  const select = `SELECT b.bid, s.aum::DOUBLE, s.deposits::DOUBLE FROM ${t} s JOIN branch_ids b USING (branch)`;
  for await (const chunk of amountChunks(conn, select, total, lastRowid, fetch)) {
    const n = chunk.rowCount;
    if (offset + n > total) throw new Error(`expected ${total} rows of amounts, read more`);
    copyVector(chunk.getColumnVector(0) as NumericVector, bid, offset, n);
    copyVector(chunk.getColumnVector(1) as NumericVector, aum, offset, n);
    copyVector(chunk.getColumnVector(2) as NumericVector, deposits, offset, n);
    offset += n;
  }
  await conn.run('DROP TABLE branch_ids');
  if (offset !== total) throw new Error(`expected ${total} rows of amounts, read ${offset}`);
  return { codes, bid, aum, deposits };
}

/**
 * Sort one measure for the bank and every branch (consumes `values`; with
 * `lastUse`, `raw.bid` too, which spares a copy when no measure follows).
 */
export function sortAmounts(raw: RawAmounts, values: Float64Array, lastUse = false): SortedAmounts {
  const { all, byTag } = sortAndSplit(values, lastUse ? raw.bid : raw.bid.slice(), raw.codes.length);
  return { bank: all, branches: new Map(raw.codes.map((code, i) => [code, byTag[i]!])) };
}
