// The reference: what a hand-written DuckDB pass over the snapshots costs — the
// floor of the row-level work. Per snapshot the branch × tier cells and a Gini by
// window sort; per reported period (the consecutive pairs plus the headline pair,
// as src/lib/periods.ts picks them) the full-outer-join transition counts. It runs
// in a child (bench.ts --reference-child) so it is timed and measured exactly like
// the pipeline. A table is dropped once no later period needs it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { quoteLiteral as sqlString } from '../../src/engine/aggregate.ts';
import { periodsOf } from '../../src/lib/periods.ts';
import { sameWorkPeriod, sameWorkSnapshot } from './sameWork.ts';
import { measure, ROOT, tail, type Measured } from './measure.ts';

export const FORMATS = ['csv', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];

export const CSV_COLUMNS = `{'customer_id': 'VARCHAR', 'branch': 'VARCHAR', 'aum': 'DECIMAL(18,2)', 'deposits': 'DECIMAL(18,2)', 'open_date': 'DATE'}`;
const TIER_SQL = `CASE WHEN aum >= 8000000 THEN 4 WHEN aum >= 1000000 THEN 3 WHEN aum >= 50000 THEN 2 WHEN aum >= 5000 THEN 1 ELSE 0 END`;

/** minimal: the floor of the row-level work; same-work: everything the pipeline computes from the rows (sameWork.ts). */
export const REFERENCE_KINDS = ['minimal', 'same-work'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export interface ReferenceResult {
  /** gini: the bank's, of aum; same-work adds that of deposits and the number of scopes with figures. */
  snapshots: { date: string; rows: number; cells: number; gini: number | null; giniDeposits?: number | null; scopes?: number }[];
  periods: { id: string; consecutive: boolean; headline: boolean; transitions: number; matched: number }[];
}

/** The snapshot files of one format in a folder, by date, with the date from each name. */
export function snapshotFiles(dir: string, format: Format): { path: string; date: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(`.${format}`))
    .sort()
    .map((f) => {
      const m = /(\d{4}-\d{2}-\d{2})/.exec(f);
      if (!m) throw new Error(`${f}: no YYYY-MM-DD in the name`);
      return { path: join(dir, f), date: m[1]! };
    });
}

export async function referenceChild(dir: string, format: Format, kind: ReferenceKind = 'minimal'): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const files = snapshotFiles(dir, format);
  if (files.length < 2) throw new Error(`expected at least 2 .${format} files in ${dir}, found ${files.length}`);
  const index = new Map(files.map((f, k) => [f.date, k]));
  const periods = periodsOf(files.map((f) => f.date)).map((p) => ({ ...p, a: index.get(p.start)!, b: index.get(p.end)! }));
  const lastUse = files.map((_, k) => Math.max(k, ...periods.filter((p) => p.a === k || p.b === k).map((p) => p.b)));

  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const source = (f: string): string =>
    format === 'csv' ? `read_csv(${sqlString(f)}, header = true, columns = ${CSV_COLUMNS})` : `read_parquet(${sqlString(f)})`;
  const out: ReferenceResult = { snapshots: [], periods: [] };
  for (const [k, f] of files.entries()) {
    if (kind === 'same-work') {
      const s = await sameWorkSnapshot(con, `s${k}`, source(f.path), f.date);
      out.snapshots.push({ date: f.date, rows: s.rows, cells: s.cells, gini: s.gini.aum, giniDeposits: s.gini.deposits, scopes: s.scopes });
      for (const p of periods.filter((q) => q.b === k)) {
        const flows = await sameWorkPeriod(con, `s${p.a}`, `s${p.b}`, p.start);
        out.periods.push({ id: p.id, consecutive: p.consecutive, headline: p.headline, transitions: flows.cells, matched: flows.matched });
      }
      for (let j = 0; j <= k; j++) if (lastUse[j] === k) await con.run(`DROP TABLE s${j}`);
      continue;
    }
    await con.run(`CREATE TABLE s${k} AS SELECT customer_id, branch, aum, deposits, ${TIER_SQL} AS tier FROM ${source(f.path)}`);
    const cells = (
      await con.runAndReadAll(`SELECT branch, tier, count(*) AS n, sum(aum) AS aum, sum(deposits) AS deposits FROM s${k} GROUP BY branch, tier`)
    ).getRowObjectsJS();
    const gini = (
      await con.runAndReadAll(
        `SELECT count(*) AS n, 2 * sum(i * x) / (count(*) * sum(x)) - (count(*) + 1) / count(*) AS gini
         FROM (SELECT aum::DOUBLE AS x, row_number() OVER (ORDER BY aum) AS i FROM s${k})`,
      )
    ).getRowObjectsJS()[0]!;
    out.snapshots.push({ date: f.date, rows: Number(gini.n), cells: cells.length, gini: Number(gini.gini) });
    for (const p of periods.filter((q) => q.b === k)) {
      const transitions = (
        await con.runAndReadAll(
          `SELECT s${p.a}.tier AS a, s${p.b}.tier AS b, count(*) AS n FROM s${p.a} FULL OUTER JOIN s${p.b} ON s${p.a}.customer_id = s${p.b}.customer_id GROUP BY ALL`,
        )
      ).getRowObjectsJS();
      out.periods.push({
        id: p.id,
        consecutive: p.consecutive,
        headline: p.headline,
        transitions: transitions.length,
        matched: transitions.filter((t) => t.a !== null && t.b !== null).reduce((s, t) => s + Number(t.n), 0),
      });
    }
    for (let j = 0; j <= k; j++) if (lastUse[j] === k) await con.run(`DROP TABLE s${j}`);
  }
  con.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify(out) + '\n');
}

/**
 * One measured reference run over `dir`; throws when it fails or read other row
 * counts than `expectedRows` (one per file, in date order).
 */
export async function runReference(
  dir: string,
  format: Format,
  expectedRows: readonly number[],
  scratch: string,
  kind: ReferenceKind = 'minimal',
): Promise<Measured & { result: ReferenceResult }> {
  const args = [join(ROOT, 'scripts', 'bench.ts'), '--reference-child', '--reference-kind', kind, '--format', format, '--data', dir];
  const m = await measure(process.execPath, args, scratch);
  if (m.code !== 0) throw new Error(`reference ${kind} (${format}) failed with exit ${m.code}:\n${tail(m.stderr)}`);
  const result = JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as ReferenceResult;
  const rows = (result.snapshots ?? []).map((s) => s.rows);
  if (rows.join() !== expectedRows.join())
    throw new Error(`reference ${kind} (${format}) read ${rows.join(' + ')} rows, expected ${expectedRows.join(' + ')}`);
  return { ...m, result };
}
