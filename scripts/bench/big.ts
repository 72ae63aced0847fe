// --scale 100m: two Parquet snapshots (2025-11-30, 2025-12-31) of 100 M
// customers each, generated straight from DuckDB SQL (the JS sample bank would take
// far too long at this size), then one pipeline run under a memory limit with a
// spill folder, its progress streamed to the terminal. Bar: peak RSS < 8 GB.
//
// The generator is deterministic: every pseudo-random draw is DuckDB's hash() of
// an integer made of the row index, a seed and a draw number — no random(). hash() is DuckDB's own,
// so the marker records DuckDB's version and a new version regenerates the data.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirBytes } from './files.ts';
import { rssMethod, stageLines, tail } from './measure.ts';
import { PipelineRunner } from './pipelineRunner.ts';
import { quoteLiteral as sqlString } from '../../src/engine/aggregate.ts';
import { fmtBytes, fmtGB, fmtInt, fmtRate, fmtS, printTable, verdict } from './table.ts';

/** Bump whenever the SQL below changes the generated rows. */
const GENERATOR_VERSION = 1;
const SEED = 20_251_231;
const DATES = ['2025-11-30', '2025-12-31'] as const;
const RSS_BAR_BYTES = 8 * 1024 ** 3;
export const DEFAULT_MEMORY_LIMIT = '2GB';

/** Share of customers per tier, private … potential (ordinary takes the rest), as in the seed report's bank. */
const TIER_SHARE = [0.0001, 0.002, 0.042, 0.106];
const LOST = 0.02;
const NEW = 0.03;
const BRANCHES = 50;

export interface BigOptions {
  customers: number;
  memoryLimit: string;
  clean: boolean;
  pipeline: string;
}

interface BigMarker {
  generator: number;
  duckdb: string;
  customers: number;
  seed: number;
  dates: string[];
  rows: number[];
  bytes: number[];
  /** Generation wall time, seconds. */
  seconds: number;
}

// ---------------------------------------------------------------------------
// The SQL. `i` is the customer's index: 0 … N−1 are the customers of the first
// snapshot, N … N+M−1 those who join by the second.

/**
 * Draw k (0 … 255) of row i: hash() of one distinct integer per (seed, row, draw).
 * One argument: hash(a, b, c) combines its arguments' hashes too simply, and draws
 * taken that way come out strongly correlated (r ≈ 0.6).
 */
const draw = (k: number): string => `hash(i * 256 + ${k} + ${SEED} * 4294967296)`;
/** Uniform in (0, 1) from draw k of row i. */
const u = (k: number): string => `((${draw(k)} >> 11)::DOUBLE + 0.5) / 9007199254740992.0`;
/** Standard normal (Box–Muller) from draws k and k + 128. */
const z = (k: number): string => `(sqrt(-2 * ln(${u(k)})) * cos(2 * pi() * ${u(k + 128)}))`;
/** Inverse CDF of a Pareto(α) truncated to [a, b), at uniform `v`. */
const pareto = (a: number, b: number, alpha: number, v: string): string => `${a} * pow(1 - ${v} * (1 - ${Math.pow(a / b, alpha)}), ${-1 / alpha})`;
/** Branch code from a uniform: a Zipf-like skew, B001 the largest. */
const branchOf = (v: string): string => `'B' || lpad((1 + floor(${BRANCHES} * pow(${v}, 2.2)))::INTEGER::VARCHAR, 3, '0')`;
const money = (x: string): string => `round(${x}, 2)::DECIMAL(18,2)`;

function baseSql(hi: number, idStep: number): string {
  const [p4, p3, p2, p1] = TIER_SHARE.map((_, k) => TIER_SHARE.slice(0, k + 1).reduce((a, b) => a + b, 0));
  return `
    b0 AS (
      SELECT i, ${u(0)} AS ut, ${u(1)} AS uz, ${u(2)} AS ua, ${u(3)} AS ub, ${u(4)} AS ud, ${z(5)} AS zd,
             ${u(6)} AS uo, ${u(7)} AS uo2, ${draw(8)} % ${idStep} AS idj
      FROM range(0, ${hi}) r(i)
    ),
    b1 AS (
      SELECT *, CASE WHEN ut < ${p4} THEN 4 WHEN ut < ${p3} THEN 3 WHEN ut < ${p2} THEN 2 WHEN ut < ${p1} THEN 1 ELSE 0 END AS t FROM b0
    ),
    base AS (
      SELECT i, t,
        'C' || lpad((i * ${idStep} + idj)::VARCHAR, 9, '0') AS customer_id,
        CASE WHEN t = 0 AND uz < 0.06 THEN 0
             WHEN t = 0 THEN 4999.99 * pow(ua, 3)
             WHEN t = 1 THEN ${pareto(5_000, 50_000, 0.35, 'ua')}
             WHEN t = 2 THEN ${pareto(50_000, 1_000_000, 0.9, 'ua')}
             WHEN t = 3 THEN ${pareto(1_000_000, 8_000_000, 1.2, 'ua')}
             ELSE ${pareto(8_000_000, 100_000_000, 1.5, 'ua')} END AS aum,
        ${branchOf('ub')} AS branch,
        -- deposits as a share of aum; a few above aum (timing differences between core systems)
        CASE WHEN ud < 0.002 THEN 1 + 0.08 * (ud / 0.002)
             ELSE greatest(0.02, least(1, [0.93, 0.78, 0.58, 0.47, 0.38][t + 1] + 0.18 * zd)) END AS df,
        -- open_date is optional: 1 % of customers have none
        CASE WHEN uo < 0.01 THEN NULL ELSE DATE '2025-10-31' - least(8900, floor(-7 * 365.25 * ln(uo2)))::INTEGER END AS open_date
      FROM b1
    )`;
}

/** The first snapshot: customers 0 … N−1 as drawn. */
function firstSql(n: number, idStep: number): string {
  return `WITH ${baseSql(n, idStep)}
    SELECT customer_id, branch, ${money('aum')} AS aum, ${money('aum * df')} AS deposits, open_date FROM base`;
}

/**
 * The second snapshot a month on: ~2 % of customers lost, ~3 % new (higher ids, opened
 * in December), balances moved by a mean-preserving log-normal step (wider under 50 000), rare jumps,
 * a slight erosion of larger balances, some zero balances revived or emptied, and
 * a few branch transfers — so customers migrate between tiers.
 */
function secondSql(n: number, m: number, idStep: number): string {
  return `WITH ${baseSql(n + m, idStep)},
    s AS (
      SELECT *, ${u(20)} AS ul, ${z(21)} AS zs, ${u(22)} AS uj, ${z(23)} AS zj, ${u(24)} AS uzr, ${u(25)} AS utr,
             ${u(26)} AS ubr, ${z(27)} AS zdf, ${u(28)} AS uop, CASE WHEN aum < 50000 THEN 0.15 ELSE 0.07 END AS sg
      FROM base
    ),
    moved AS (
      SELECT *,
        CASE WHEN i >= ${n} THEN aum
             WHEN aum = 0 THEN CASE WHEN uzr < 0.04 THEN 4999.99 * pow(uzr / 0.04, 3) ELSE 0 END
             WHEN aum < 5000 AND uzr < 0.0025 THEN 0
             ELSE least(4e8, aum * exp(sg * zs - sg * sg / 2
                                       + CASE WHEN uj < 0.012 THEN 0.75 * zj - 0.05 ELSE 0 END
                                       - CASE WHEN aum >= 50000 THEN 0.013 ELSE 0 END)) END AS aum2,
        CASE WHEN i < ${n} AND utr < 0.0006 THEN ${branchOf('ubr')} ELSE branch END AS branch2,
        CASE WHEN df > 1 OR i >= ${n} THEN df ELSE least(1, greatest(0.01, df + 0.03 * zdf)) END AS df2,
        CASE WHEN i >= ${n} THEN DATE '2025-12-01' + floor(31 * uop)::INTEGER ELSE open_date END AS open2
      FROM s
      WHERE i >= ${n} OR ul >= ${LOST}
    )
    SELECT customer_id, branch2 AS branch, ${money('aum2')} AS aum, ${money('aum2 * df2')} AS deposits, open2 AS open_date FROM moved`;
}

// ---------------------------------------------------------------------------

function readMarker(root: string): BigMarker | null {
  try {
    return JSON.parse(readFileSync(join(root, 'marker.json'), 'utf8')) as BigMarker;
  } catch {
    return null;
  }
}

/** Generates the two Parquet files unless the marker says they are there (`reused`). */
async function ensureBigData(root: string, customers: number): Promise<{ marker: BigMarker; reused: boolean }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = join(root, 'parquet');
  const files = DATES.map((d) => join(dir, `snapshot_${d}.parquet`));
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '4GB', temp_directory: join(root, 'spill') });
  const con = await instance.connect();
  try {
    const duckdb = String((await con.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0]!.v);
    const old = readMarker(root);
    if (
      old &&
      old.generator === GENERATOR_VERSION &&
      old.duckdb === duckdb &&
      old.customers === customers &&
      old.seed === SEED &&
      old.dates.join() === DATES.join() &&
      files.every((f, k) => existsSync(f) && statSync(f).size === old.bytes[k])
    ) {
      console.error(`reusing bench data in ${root} (${old.rows.map(fmtInt).join(' + ')} rows, ${fmtBytes(old.bytes.reduce((a, b) => a + b, 0))})`);
      return { marker: old, reused: true };
    }
    const m = Math.round(customers * NEW);
    // Ids 'C' + 9 digits: index × step plus a hashed offset below step, so they are unique, ascending and gappy.
    const idStep = Math.min(9, Math.floor(999_999_999 / (customers + m)));
    if (idStep < 1) throw new Error(`--customers ${customers}: too many for 9-digit ids`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const t0 = performance.now();
    const rows: number[] = [];
    const bytes: number[] = [];
    for (const [k, sql] of [firstSql(customers, idStep), secondSql(customers, m, idStep)].entries()) {
      const t1 = performance.now();
      const target = files[k]!;
      await con.run(`COPY (${sql}) TO ${sqlString(target + '.tmp')} (FORMAT parquet)`);
      renameSync(target + '.tmp', target);
      rows.push(Number((await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(target)})`)).getRowObjectsJS()[0]!.n));
      bytes.push(statSync(target).size);
      console.error(`generated ${target}: ${fmtInt(rows[k]!)} rows, ${fmtBytes(bytes[k]!)} in ${fmtS((performance.now() - t1) / 1000)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const marker: BigMarker = { generator: GENERATOR_VERSION, duckdb, customers, seed: SEED, dates: [...DATES], rows, bytes, seconds };
    writeFileSync(join(root, 'marker.json'), JSON.stringify(marker, null, 2));
    return { marker, reused: false };
  } finally {
    con.closeSync();
    instance.closeSync();
    rmSync(join(root, 'spill'), { recursive: true, force: true });
  }
}

export async function benchBig(opts: BigOptions): Promise<void> {
  if (!existsSync(opts.pipeline)) throw new Error(`${opts.pipeline} not found`);
  const root = join(tmpdir(), `tierscope-bench-100m-${opts.customers}`);
  const free = (() => {
    try {
      const s = statfsSync(tmpdir());
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  })();
  console.error(`bench data in ${root}; ${fmtBytes(free)} free in ${tmpdir()}`);
  // ~17.5 B/row of Parquet per snapshot, and up to ~50 B/row per table for DuckDB to spill.
  const need = opts.customers * 2 * (17.5 + 50);
  if (free !== null && free < need && !existsSync(join(root, 'marker.json')))
    console.error(`warning: this scale needs about ${fmtBytes(need)} free in ${tmpdir()}; only ${fmtBytes(free)} is`);
  const { marker, reused } = await ensureBigData(root, opts.customers);
  const totalRows = marker.rows.reduce((a, b) => a + b, 0);
  const dataBytes = marker.bytes.reduce((a, b) => a + b, 0);

  const scratch = mkdtempSync(join(tmpdir(), 'tierscope-bench-run-'));
  const spill = join(scratch, 'spill');
  mkdirSync(spill);
  const runner = new PipelineRunner(opts.pipeline, scratch);
  console.error(`peak RSS via ${rssMethod}; pipeline ${opts.pipeline} --memory-limit ${opts.memoryLimit} --temp-dir ${spill} --no-cache`);
  let spillPeak = 0;
  const poll = setInterval(() => (spillPeak = Math.max(spillPeak, dirBytes(spill) ?? 0)), 2000);
  let run;
  try {
    run = await runner.run(join(root, 'parquet'), join(scratch, 'out'), { cache: false, memoryLimit: opts.memoryLimit, tempDir: spill }, { echo: '  │ ' });
  } finally {
    clearInterval(poll);
    rmSync(scratch, { recursive: true, force: true });
  }
  const ok = run.code === 0;
  if (!ok) console.error(`pipeline exited ${run.code}; its stderr ends:\n${tail(run.stderr)}`);

  const spilled = runner.supports('--temp-dir') ? fmtBytes(spillPeak) : 'n/a (no --temp-dir)';
  const table: string[][] = [
    ['figure', 'value', 'bar', 'result'],
    ['rows (2 Parquet files)', `${fmtInt(marker.rows[0]!)} + ${fmtInt(marker.rows[1]!)}`, '', ''],
    ['data on disk', `${fmtBytes(dataBytes)} (${(dataBytes / totalRows).toFixed(1)} B/row)`, '', ''],
    ['generation (DuckDB SQL)', `${fmtS(marker.seconds ?? null)}${reused ? ' (earlier run; data reused)' : ''}`, '', ''],
    ['pipeline wall', ok ? fmtS(run.wall) : `failed (exit ${run.code}) after ${fmtS(run.wall)}`, '', ''],
    ['pipeline rows/s', ok ? fmtRate(totalRows / run.wall) : '—', '', ''],
    ['pipeline peak RSS', fmtGB(run.rssBytes), '< 8 GB', verdict(run.rssBytes === null ? null : run.rssBytes < RSS_BAR_BYTES)],
    ['spill folder, peak (sampled)', spilled, '', ''],
  ];
  console.log(
    `\nTierscope bench, scale 100m: 2 snapshots (${DATES.join(', ')}) × ${fmtInt(opts.customers)} customers, one run, ` +
      `pipeline ${run.args.slice(4).join(' ')}`,
  );
  printTable(table);
  const stages = stageLines(run.stderr);
  console.log(stages.length ? `\npipeline stages:\n${stages.map((l) => `  ${l}`).join('\n')}` : '\nthe pipeline printed no "stage <name>: <t> s" lines');
  if (opts.clean) {
    rmSync(root, { recursive: true, force: true });
    console.error(`removed ${root}`);
  }
  if (!ok) process.exitCode = 1;
}
