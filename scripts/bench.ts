// `npm run bench`: the pipeline against a bare DuckDB pass over the same two
// 4.74 M-customer snapshots, as CSV and as Parquet. The reference is the floor
// of what the row-level work can cost; the bar is pipeline ≤ 1.5 × reference
// wall time and < 2 GB peak RSS. Every measured run is a fresh child process,
// timed whole, with whole-process peak RSS (DuckDB's memory is native, so the
// V8 heap alone would under-report).
//
//   npm run bench -- [--runs N] [--customers N] [--formats csv,parquet] [--clean] [--pipeline FILE]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, SAMPLE_BANK_VERSION, generateSampleBank } from '../src/lib/sampleBank.ts';

/** writeSync may write less than asked; loop until the chunk is out. */
function writeAll(fd: number, chunk: Uint8Array): number {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
  return off;
}

const ROOT = resolve(import.meta.dirname, '..');
const DEFAULT_PIPELINE = join(ROOT, 'scripts', 'pipeline.ts');
const DATES = ['2025-11-30', '2025-12-31'] as const;
const FORMATS = ['csv', 'parquet'] as const;
type Format = (typeof FORMATS)[number];
const RATIO_BAR = 1.5;
const RSS_BAR_BYTES = 2 * 1024 ** 3;

const USAGE = `usage: npm run bench -- [options]
  --runs N           measured runs per format and program (default 3)
  --customers N      customers per snapshot (default 4740000)
  --formats LIST     csv, parquet or csv,parquet (default both)
  --clean            delete the cached bench data when done
  --pipeline FILE    pipeline entry point, run as: node FILE --data DIR --out DIR
                     (default scripts/pipeline.ts, what \`npm run pipeline\` runs)`;

// ---------------------------------------------------------------------------
// The reference: what a hand-written DuckDB pass over the two snapshots costs.
// Runs inside a child (this script with --reference-child) so it is timed and
// measured exactly like the pipeline.

const CSV_COLUMNS = `{'customer_id': 'VARCHAR', 'branch': 'VARCHAR', 'aum': 'DECIMAL(18,2)', 'deposits': 'DECIMAL(18,2)', 'open_date': 'DATE'}`;
const TIER_SQL = `CASE WHEN aum >= 8000000 THEN 4 WHEN aum >= 1000000 THEN 3 WHEN aum >= 50000 THEN 2 WHEN aum >= 5000 THEN 1 ELSE 0 END`;
const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

async function referenceChild(dir: string, format: Format): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(`.${format}`))
    .sort()
    .map((f) => join(dir, f));
  if (files.length !== 2) throw new Error(`expected 2 .${format} files in ${dir}, found ${files.length}`);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const source = (f: string): string =>
    format === 'csv' ? `read_csv(${sqlString(f)}, header = true, columns = ${CSV_COLUMNS})` : `read_parquet(${sqlString(f)})`;
  const out: Record<string, unknown> = {};
  for (const [k, f] of files.entries())
    await con.run(`CREATE TABLE s${k} AS SELECT customer_id, branch, aum, deposits, ${TIER_SQL} AS tier FROM ${source(f)}`);
  for (let k = 0; k < 2; k++) {
    const cells = (
      await con.runAndReadAll(`SELECT branch, tier, count(*) AS n, sum(aum) AS aum, sum(deposits) AS deposits FROM s${k} GROUP BY branch, tier`)
    ).getRowObjectsJS();
    const gini = (
      await con.runAndReadAll(
        `SELECT count(*) AS n, 2 * sum(i * x) / (count(*) * sum(x)) - (count(*) + 1) / count(*) AS gini
         FROM (SELECT aum::DOUBLE AS x, row_number() OVER (ORDER BY aum) AS i FROM s${k})`,
      )
    ).getRowObjectsJS()[0]!;
    out[`s${k}`] = { cells: cells.length, rows: Number(gini.n), gini: gini.gini };
  }
  const transitions = (
    await con.runAndReadAll(
      `SELECT s0.tier AS a, s1.tier AS b, count(*) AS n FROM s0 FULL OUTER JOIN s1 ON s0.customer_id = s1.customer_id GROUP BY ALL`,
    )
  ).getRowObjectsJS();
  out.transitions = transitions.length;
  out.matched = transitions.filter((t) => t.a !== null && t.b !== null).reduce((s, t) => s + Number(t.n), 0);
  con.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify(out) + '\n');
}

// ---------------------------------------------------------------------------
// Bench data: generated once into the temp folder and reused while the marker
// (generator version, size, seed, dates) matches.

interface Marker {
  version: number;
  customers: number;
  seed: number;
  dates: string[];
  rows: number[];
  parquet: boolean;
}

function dataRoot(customers: number): string {
  return join(tmpdir(), `tierscope-bench-${customers}`);
}

function readMarker(root: string): Marker | null {
  try {
    return JSON.parse(readFileSync(join(root, 'marker.json'), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

async function ensureData(customers: number, formats: readonly Format[]): Promise<{ root: string; marker: Marker }> {
  const root = dataRoot(customers);
  let marker = readMarker(root);
  const fresh =
    marker !== null &&
    marker.version === SAMPLE_BANK_VERSION &&
    marker.customers === customers &&
    marker.seed === DEFAULT_SEED &&
    marker.dates.join() === DATES.join() &&
    DATES.every((d) => existsSync(join(root, 'csv', `snapshot_${d}.csv`)));
  if (!fresh || !marker) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'csv'), { recursive: true });
    const t0 = performance.now();
    const rows: number[] = [];
    for (const snap of generateSampleBank({ customers, seed: DEFAULT_SEED, dates: DATES })) {
      const path = join(root, 'csv', `snapshot_${snap.date}.csv`);
      const fd = openSync(path + '.tmp', 'w');
      try {
        for (const chunk of snap.csvChunks(4 << 20)) writeAll(fd, chunk);
      } finally {
        closeSync(fd);
      }
      renameSync(path + '.tmp', path);
      rows.push(snap.rows);
    }
    marker = { version: SAMPLE_BANK_VERSION, customers, seed: DEFAULT_SEED, dates: [...DATES], rows, parquet: false };
    writeFileSync(join(root, 'marker.json'), JSON.stringify(marker, null, 2));
    console.error(`generated ${rows.join(' + ')} rows of CSV in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${root}`);
  } else console.error(`reusing bench data in ${root} (${marker.rows.join(' + ')} rows)`);

  if (formats.includes('parquet') && !(marker.parquet && DATES.every((d) => existsSync(join(root, 'parquet', `snapshot_${d}.parquet`))))) {
    const t0 = performance.now();
    mkdirSync(join(root, 'parquet'), { recursive: true });
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    for (const d of DATES) {
      const csv = join(root, 'csv', `snapshot_${d}.csv`);
      const target = join(root, 'parquet', `snapshot_${d}.parquet`);
      // Money as DECIMAL(18,2), as a core-banking Parquet export would carry it.
      await con.run(
        `COPY (SELECT * FROM read_csv(${sqlString(csv)}, header = true, columns = ${CSV_COLUMNS})) TO ${sqlString(target + '.tmp')} (FORMAT parquet)`,
      );
      renameSync(target + '.tmp', target);
    }
    con.closeSync();
    instance.closeSync();
    marker = { ...marker, parquet: true };
    writeFileSync(join(root, 'marker.json'), JSON.stringify(marker, null, 2));
    console.error(`converted to Parquet in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { root, marker };
}

// ---------------------------------------------------------------------------
// Measuring a child process: wall time from spawn to exit, and peak RSS of the
// whole process from GNU time's %M when /usr/bin/time exists, else by polling
// the kernel's high-water mark (VmHWM) of the child.

interface Measured {
  wall: number;
  rssBytes: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = ((): boolean => {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/m.test(r.stderr);
})();

function vmHwmBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function measure(cmd: string, args: string[], scratch: string): Promise<Measured> {
  const timeFile = join(scratch, `time-${process.hrtime.bigint()}.txt`);
  const [file, argv] = hasGnuTime ? [GNU_TIME, ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let polled: number | null = null;
    const poll = hasGnuTime
      ? null
      : setInterval(() => {
          const v = child.pid === undefined ? null : vmHwmBytes(child.pid);
          if (v !== null) polled = Math.max(polled ?? 0, v);
        }, 20);
    child.on('error', fail);
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (poll) clearInterval(poll);
      let rssBytes = polled;
      if (hasGnuTime) {
        try {
          // GNU time prepends "Command exited with non-zero status" lines; %M is the last line.
          const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
          rssBytes = /^\d+$/.test(last) ? Number(last) * 1024 : null;
          rmSync(timeFile, { force: true });
        } catch {
          rssBytes = null;
        }
      }
      done({ wall, rssBytes, code, stdout, stderr });
    });
  });
}

const STAGE_RE = /^\s*stage\s+(.+?):\s*([\d.]+)\s*s\s*$/gm;

function parseStages(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stderr.matchAll(STAGE_RE)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmtS = (s: number | null): string => (s === null ? '—' : `${s.toFixed(2)} s`);
const fmtGB = (b: number | null): string => (b === null ? '—' : `${(b / 1024 ** 3).toFixed(2)} GB`);
const fmtRate = (r: number | null): string => (r === null ? '—' : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} K/s`);

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

interface FormatResult {
  format: Format;
  ref: Measured[];
  pipe: Measured[];
  pipeNote: string | null;
}

async function bench(opts: { runs: number; customers: number; formats: Format[]; clean: boolean; pipeline: string }): Promise<void> {
  const { root, marker } = await ensureData(opts.customers, opts.formats);
  const totalRows = marker.rows.reduce((a, b) => a + b, 0);
  const scratch = mkdtempSync(join(tmpdir(), 'tierscope-bench-run-'));
  const pipelinePresent = existsSync(opts.pipeline);
  console.error(
    `peak RSS via ${hasGnuTime ? `${GNU_TIME} -f %M` : 'polling /proc/<pid>/status VmHWM'}; ` +
      `pipeline ${pipelinePresent ? opts.pipeline : `missing (${opts.pipeline} not found): reference only`}`,
  );
  const nodeArgs: string[] = []; // Node 22 runs our TypeScript natively (type stripping)
  const results: FormatResult[] = [];
  try {
    for (const format of opts.formats) {
      const dir = join(root, format);
      const r: FormatResult = { format, ref: [], pipe: [], pipeNote: pipelinePresent ? null : 'missing' };
      for (let run = 1; run <= opts.runs; run++) {
        // Alternate reference and pipeline so drift in the machine's state hits both alike.
        const ref = await measure(process.execPath, [...nodeArgs, join(ROOT, 'scripts', 'bench.ts'), '--reference-child', '--format', format, '--data', dir], scratch);
        if (ref.code !== 0) throw new Error(`reference (${format}) failed with exit ${ref.code}:\n${tail(ref.stderr)}`);
        const check = JSON.parse(ref.stdout.trim().split('\n').pop() ?? '{}') as { s0?: { rows: number }; s1?: { rows: number } };
        if (check.s0?.rows !== marker.rows[0] || check.s1?.rows !== marker.rows[1])
          throw new Error(`reference (${format}) read ${check.s0?.rows} + ${check.s1?.rows} rows, expected ${marker.rows.join(' + ')}`);
        r.ref.push(ref);
        let line = `${format} run ${run}/${opts.runs}: reference ${fmtS(ref.wall)} ${fmtGB(ref.rssBytes)}`;
        if (r.pipeNote === null) {
          const out = join(scratch, `out-${format}-${run}`);
          const pipe = await measure(process.execPath, [...nodeArgs, opts.pipeline, '--data', dir, '--out', out], scratch);
          rmSync(out, { recursive: true, force: true });
          if (pipe.code !== 0) {
            r.pipeNote = `failed (exit ${pipe.code})`;
            console.error(`pipeline (${format}) exited ${pipe.code}; its stderr ends:\n${tail(pipe.stderr)}`);
          } else {
            r.pipe.push(pipe);
            line += `, pipeline ${fmtS(pipe.wall)} ${fmtGB(pipe.rssBytes)}`;
          }
        }
        console.error(line);
      }
      results.push(r);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  report(results, totalRows, opts);
  if (opts.clean) {
    rmSync(root, { recursive: true, force: true });
    console.error(`removed ${root}`);
  }
}

function report(results: FormatResult[], totalRows: number, opts: { runs: number; customers: number }): void {
  const header = ['format', 'rows (2 files)', 'reference', 'pipeline', 'ratio', `≤ ${RATIO_BAR}`, 'pipeline rows/s', 'pipeline peak RSS', '< 2 GB', 'reference peak RSS'];
  const table: string[][] = [header];
  const stageLines: string[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const refWall = r.ref.length ? median(r.ref.map((m) => m.wall)) : null;
    const refRss = r.ref.every((m) => m.rssBytes !== null) && r.ref.length ? median(r.ref.map((m) => m.rssBytes!)) : null;
    const pipeWall = r.pipe.length ? median(r.pipe.map((m) => m.wall)) : null;
    const pipeRss = r.pipe.length && r.pipe.every((m) => m.rssBytes !== null) ? median(r.pipe.map((m) => m.rssBytes!)) : null;
    const ratio = refWall !== null && pipeWall !== null ? pipeWall / refWall : null;
    const na = 'n/a';
    if (r.pipeNote)
      notes.push(`${r.format}: pipeline ${r.pipeNote}${r.pipe.length ? `; medians over its ${r.pipe.length} good run(s)` : '; bars not judged'}`);
    table.push([
      r.format,
      totalRows.toLocaleString('en'),
      fmtS(refWall),
      r.pipeNote && !r.pipe.length ? r.pipeNote : fmtS(pipeWall),
      ratio === null ? '—' : ratio.toFixed(2),
      ratio === null ? na : ratio <= RATIO_BAR ? 'PASS' : 'MISS',
      fmtRate(pipeWall === null ? null : totalRows / pipeWall),
      fmtGB(pipeRss),
      pipeRss === null ? na : pipeRss < RSS_BAR_BYTES ? 'PASS' : 'MISS',
      fmtGB(refRss),
    ]);
    const stages = r.pipe.map((m) => parseStages(m.stderr));
    const names = [...new Set(stages.flatMap((s) => [...s.keys()]))];
    if (r.pipe.length && names.length === 0) stageLines.push(`${r.format}: the pipeline printed no "stage <name>: <t> s" lines`);
    else if (names.length) {
      const w = Math.max(...names.map((n) => n.length));
      stageLines.push(`${r.format} stage medians (over ${r.pipe.length} run${r.pipe.length === 1 ? '' : 's'}):`);
      for (const n of names) {
        const xs = stages.map((s) => s.get(n)).filter((x): x is number => x !== undefined);
        stageLines.push(`  ${n.padEnd(w)}  ${fmtS(median(xs))}${xs.length < stages.length ? `  (in ${xs.length} of ${stages.length} runs)` : ''}`);
      }
    }
  }
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  console.log(`\nTierscope bench: 2 snapshots × ${opts.customers.toLocaleString('en')} customers, median of ${opts.runs} run(s) each, wall time of the whole child process`);
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, c) => (c <= 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  if (notes.length) console.log(notes.join('\n'));
  if (stageLines.length) console.log('\n' + stageLines.join('\n'));
}

// ---------------------------------------------------------------------------

function parseOptions() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      customers: { type: 'string' },
      formats: { type: 'string' },
      clean: { type: 'boolean' },
      pipeline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'reference-child': { type: 'boolean' },
      format: { type: 'string' },
      data: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
    return v;
  };
  const formats = (values.formats ?? FORMATS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`--formats: unknown format "${f}" (csv, parquet)`);
  if (formats.length === 0) throw new Error('--formats: name at least one of csv, parquet');
  return {
    help: values.help ?? false,
    child: values['reference-child'] ? { format: values.format as Format, data: values.data ?? '' } : null,
    runs: int('runs', values.runs, 3, 0),
    customers: int('customers', values.customers, 4_740_000, 1000),
    formats: [...new Set(formats)] as Format[],
    clean: values.clean ?? false,
    pipeline: values.pipeline ? resolve(values.pipeline) : DEFAULT_PIPELINE,
  };
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions();
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (opts.child) {
    await referenceChild(opts.child.data, opts.child.format);
    return;
  }
  await bench(opts);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
