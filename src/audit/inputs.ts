// Ground truth for the leak audit, read straight from the input files with plain
// DuckDB SQL. Deliberately shares nothing with the pipeline's loader or metric
// code (src/engine/load.ts, src/lib/*): an audit that reused them would inherit
// their bugs. It implements DATA.md's main row rules (required values, amounts below 10^12 元 and
// 2^53 fen and ≥ 0, open_date not after the snapshot (an unreadable one counts as missing),
// first copy of a repeated id kept); the
// small-cell check cross-checks its counts against every published count, so a
// disagreement between the two readers shows up instead of passing silently.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import { BUILTIN_ALIASES, type Config } from '../lib/config.ts';
import { ident, lit } from './sql.ts';

export interface InputFile {
  path: string;
  date: string;
}

const SNAPSHOT_FILE = /\.(csv|csv\.gz|parquet)$/i;

/** Date from a file name: the first YYYY-MM-DD, YYYY-M-D or YYYYMMDD not preceded by a digit. */
export function dateOfName(name: string): string | null {
  const m = /(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)|(?<!\d)(\d{4})(\d{2})(\d{2})/.exec(name);
  if (!m) return null;
  const [y, mo, d] = m[1] ? [m[1], m[2]!, m[3]!] : [m[4]!, m[5]!, m[6]!];
  return `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
}

/** The snapshot files of a data folder (DIR/snapshots/ when it exists, as the pipeline reads it). */
export async function inputFiles(dataDir: string): Promise<string[]> {
  const sub = path.join(dataDir, 'snapshots');
  const dir = (await readdir(sub).then(() => true, () => false)) ? sub : dataDir;
  const names = (await readdir(dir)).filter((n) => SNAPSHOT_FILE.test(n) && !n.startsWith('.') && !n.startsWith('_')).sort();
  return names.map((n) => path.join(dir, n));
}

/** True when the (decompressed) bytes are valid UTF-8; checked in a stream so big files cost no memory. */
async function isUtf8File(file: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const raw = createReadStream(file);
  const stream = file.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  try {
    for await (const chunk of stream) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return true;
  } catch {
    raw.destroy();
    return false;
  }
}

/** A UTF-8 copy of a GB18030 file, for DuckDB (which reads UTF-8 only). */
async function transcode(file: string, tmp: string): Promise<string> {
  const out = path.join(tmp, `${path.basename(file).replace(/\.gz$/i, '')}.utf8.csv`);
  const raw = createReadStream(file);
  const stream = file.toLowerCase().endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  await writeFile(out, iconv.decode(Buffer.concat(parts), 'gb18030'), 'utf8');
  return out;
}

/** Canonical column → header as written, via the built-in aliases and config.columns. */
function mapColumns(headers: string[], config: Config): Record<string, string> {
  const aliases = new Map<string, string>(Object.entries(BUILTIN_ALIASES));
  for (const c of ['customer_id', 'branch', 'aum', 'deposits', 'open_date', 'snapshot_date']) aliases.set(c, c);
  for (const [k, v] of Object.entries(config.columns)) aliases.set(k.trim().toLowerCase(), v);
  const out: Record<string, string> = {};
  for (const h of headers) {
    const canon = aliases.get(h.replace(/^\uFEFF/, '').trim().toLowerCase());
    if (canon && !(canon in out)) out[canon] = h;
  }
  for (const need of ['customer_id', 'branch', 'aum', 'deposits'])
    if (!(need in out)) throw new Error(`audit: no ${need} column among the headers (${headers.join(', ')})`);
  return out;
}

/**
 * Loads every input into one table `snap(date, id, br, a, d, od, tier, band)`:
 * amounts in integer fen, tier/band as indices of the config's tiers and of the
 * flattened sub-band list (-1 = none).
 */
export async function loadInputs(conn: DuckDBConnection, files: string[], config: Config): Promise<InputFile[]> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tierscope-audit-'));
  const loaded: InputFile[] = [];
  const perUnit = config.unit === '万元' ? 1_000_000 : 100;
  const tierLowers = config.tiers.map((t) => Math.round(t.lower * 100));
  const bands = config.tiers.flatMap((t) => (t.subBands ?? []).map((b) => Math.round(b.lower * 100)));
  // Highest lower bound first, so the first match is the range that holds the amount.
  const tierCase = `CASE ${tierLowers.map((l, i) => [l, i] as const).reverse().map(([l, i]) => `WHEN a >= ${l} THEN ${i}`).join(' ')} END`;
  const bandBounds = config.tiers.flatMap((t, ti) => {
    const sb = t.subBands ?? [];
    const upper = config.tiers[ti + 1] ? Math.round(config.tiers[ti + 1]!.lower * 100) : Number.MAX_SAFE_INTEGER;
    return sb.map((b, j) => [Math.round(b.lower * 100), sb[j + 1] ? Math.round(sb[j + 1]!.lower * 100) : upper] as const);
  });
  const bandCase = bands.length ? `CASE ${bandBounds.map(([lo, hi], k) => `WHEN a >= ${lo} AND a < ${hi} THEN ${k}`).join(' ')} ELSE -1 END` : '-1';
  try {
    await conn.run(`CREATE OR REPLACE TABLE snap (date VARCHAR, id VARCHAR, br VARCHAR, a BIGINT, d BIGINT, od DATE, tier INTEGER, band INTEGER)`);
    for (const file of files) {
      const parquet = /\.parquet$/i.test(file);
      let source: string;
      if (parquet) source = `read_parquet(${lit(file)})`;
      else {
        const enc = config.csv.encoding;
        const utf8 = enc === 'utf-8' || (enc === 'auto' && (await isUtf8File(file)));
        const readable = utf8 ? file : await transcode(file, tmp);
        source = `read_csv(${lit(readable)}, all_varchar = true, header = true, delim = ${lit(config.csv.delimiter)}, quote = '"', escape = '"', strict_mode = false)`;
      }
      const headers = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRows().map((r) => String(r[0]));
      const col = mapColumns(headers, config);
      const txt = (c: string) => `nullif(trim(CAST(${ident(col[c]!)} AS VARCHAR)), '')`;
      const amount = (c: string) => `TRY_CAST(replace(${txt(c)}, ',', '') AS DECIMAL(18,6))`;
      // A time of day after the date ("2020-01-05 00:00:00") is dropped.
      const dateExpr = (c: string) =>
        `CAST(try_strptime(regexp_replace(${txt(c)}, '[ T][0-9:.]+$', ''), ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y年%m月%d日']) AS DATE)`;
      let date = config.snapshotDates[path.basename(file)] ?? dateOfName(path.basename(file));
      if (col.snapshot_date && !config.snapshotDates[path.basename(file)]) {
        const first = (await conn.runAndReadAll(`SELECT CAST(${dateExpr('snapshot_date')} AS VARCHAR) FROM ${source} LIMIT 1`)).getRows()[0]?.[0];
        if (first) date = String(first);
      }
      if (!date) throw new Error(`audit: no snapshot date for ${file}`);
      const od = col.open_date ? dateExpr('open_date') : 'NULL::DATE';
      const odRaw = col.open_date ? txt('open_date') : 'NULL::VARCHAR';
      const odBad = `(od IS NOT NULL AND od > DATE ${lit(date)})`;
      await conn.run(`
        INSERT INTO snap
        WITH raw AS (SELECT row_number() OVER () AS rn, ${txt('customer_id')} AS id, ${txt('branch')} AS br,
                            ${amount('aum')} AS av, ${amount('deposits')} AS dv, ${od} AS od, ${odRaw} AS od_raw FROM ${source}),
             ok AS (SELECT id, br, CAST(round(av * ${perUnit}) AS BIGINT) AS a, CAST(round(dv * ${perUnit}) AS BIGINT) AS d, od, rn FROM raw
                    WHERE id IS NOT NULL AND br IS NOT NULL AND av >= 0 AND dv >= 0 AND av * ${perUnit} < 2 ** 53 AND dv * ${perUnit} < 2 ** 53 AND NOT ${odBad}
                    QUALIFY row_number() OVER (PARTITION BY id ORDER BY rn) = 1)
        SELECT ${lit(date)}, id, br, a, d, od, ${tierCase}, ${bandCase} FROM ok`);
      loaded.push({ path: file, date });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return loaded;
}

export async function openDb(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  return instance.connect();
}

/** Every customer id of every input, for the id scan (lower-cased: slugs and hex are lower-cased too). */
export async function allIds(conn: DuckDBConnection): Promise<Set<string>> {
  const ids = new Set<string>();
  const result = await conn.stream(`SELECT DISTINCT lower(id) FROM snap`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const v = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) ids.add(String(v.getItem(i)));
  }
  return ids;
}
