// npm run pipeline -- --data DIR --out DIR [--config FILE]
// Exit codes: 0 success, 1 invalid input or config, 2 bad usage or an --out that is not the tool's to replace,
// 3 output not writable, 4 out of memory.
import { parseArgs } from 'node:util';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_KEEP_DAYS, DEFAULT_PIPELINE_CACHE } from '../src/engine/cache.ts';
import { ConfigError } from '../src/lib/config.ts';
import { findConfig, loadConfig } from '../src/engine/configFile.ts';
import { InputError, MemoryError } from '../src/engine/errors.ts';
import { OutputError, OutputRefused } from '../src/engine/outputDir.ts';
import { createProgress } from '../src/engine/progress.ts';
import type { FileReport } from '../src/engine/load.ts';
import { runPipeline } from '../src/engine/run.ts';

export const DEFAULT_DATA = 'data';
export const DEFAULT_OUT = 'public/data';

const HELP = `Usage: npm run pipeline -- [--data DIR] [--out DIR] [--config FILE] [--cache DIR | --no-cache]
                            [--cache-keep-days N] [--memory-limit SIZE] [--temp-dir DIR] [--quiet]

Reads every snapshot file (.csv, .csv.gz, .parquet; one per date) and writes the
aggregated, disclosure-controlled JSON the report site reads.

  --data DIR          data folder (default: ${DEFAULT_DATA}/). Snapshot files are read from
                      DIR/snapshots/ when that folder exists, else from DIR itself.
  --out DIR           output folder (default: ${DEFAULT_OUT}/, where the site reads it).
                      Written to a temporary folder and swapped in only when complete.
                      Replaced only when absent, empty or a previous output of this tool;
                      anything else (other files, a file, --data or a folder around or
                      inside it, the project's own folders) is refused with exit code 2.
                      A symbolic link is written through and stays a link.
  --config FILE       config file (default: DIR/tierscope.config.json or .ts if present;
                      every field has a default).
  --cache DIR         pipeline cache (default: ${DEFAULT_PIPELINE_CACHE}/): per-file and
                      per-period results keyed by the files' sha256, the config and the
                      tool, so a rebuild recomputes only what changed. Safe to delete.
  --no-cache          compute everything; read and write no cache.
  --cache-keep-days N after a successful run, remove the cache entries it did not use
                      that no run has used for N days (default: ${DEFAULT_KEEP_DAYS}; 0 keeps only
                      what this run used).
  --memory-limit SIZE DuckDB memory limit, e.g. 4GB (default: DuckDB's, 80 % of RAM).
                      Above it DuckDB spills to the temp folder instead of failing.
  --temp-dir DIR      where the run's scratch folder goes: DuckDB's spill files and
                      transcoded copies (default: the OS temp folder, ${os.tmpdir()}).
  --quiet             no progress output; errors and the summary are still printed.
  -h, --help          this text.

Progress and stage timings go to stderr; the per-file summary goes to stdout:
  <file>: read N, used U, rejected R[, skipped S blank line(s)]; dated D (by its name | by column C | by config snapshotDates)
Exit codes: 0 success, 1 invalid input or config (one message naming file, line and
column where they apply), 2 bad usage or an --out folder refused, 3 the output folder could not be written
(disk full, read-only; the previous output is left as it was), 4 out of memory even
by spilling (raise --memory-limit or free temp-folder space).`;

function usage(message: string): never {
  process.stderr.write(`error: ${message}\n\n${HELP}\n`);
  process.exit(2);
}

async function isDir(p: string) {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

const skipped = (n: number) => (n ? `, skipped ${n} blank line${n === 1 ? '' : 's'}` : '');

/** Where a file's date came from, as the summary line says it. */
function dateSource(r: FileReport): string {
  if (r.dateSource === 'config') return 'by config snapshotDates';
  if (r.dateSource === 'name') return 'by its name';
  const column = Object.entries(r.headerMap).find(([, c]) => c === 'snapshot_date')?.[0];
  return `by column ${JSON.stringify(column ?? 'snapshot_date')}`;
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        config: { type: 'string' },
        'memory-limit': { type: 'string' },
        'temp-dir': { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean', default: false },
        'cache-keep-days': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    usage((e as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const dataDir = args.data ?? DEFAULT_DATA;
  const outDir = args.out ?? DEFAULT_OUT;
  if (!(await isDir(dataDir))) usage(`--data ${dataDir}: no such folder`);
  if (args['memory-limit'] !== undefined && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(args['memory-limit']))
    usage(`--memory-limit ${args['memory-limit']}: expected a size such as 4GB`);
  if (args.cache !== undefined && args['no-cache']) usage('--cache and --no-cache exclude each other');
  const keepDays = args['cache-keep-days'];
  if (keepDays !== undefined && !/^\d{1,5}$/.test(keepDays)) usage(`--cache-keep-days ${keepDays}: expected a whole number of days, e.g. 90`);
  if (keepDays !== undefined && args['no-cache']) usage('--cache-keep-days and --no-cache exclude each other');
  if (args['temp-dir'] !== undefined && !(await isDir(args['temp-dir']))) usage(`--temp-dir ${args['temp-dir']}: no such folder`);
  const snapshotsDir = (await isDir(path.join(dataDir, 'snapshots'))) ? path.join(dataDir, 'snapshots') : dataDir;

  const progress = createProgress(process.stderr, args.quiet);
  const t0 = performance.now();
  try {
    const { config } = await loadConfig(args.config ?? (await findConfig(dataDir)));
    const { reports, manifest } = await runPipeline({
      snapshotsDir,
      dataDir,
      outDir,
      config,
      progress,
      memoryLimit: args['memory-limit'],
      tempDir: args['temp-dir'],
      cacheDir: args['no-cache'] ? null : (args.cache ?? DEFAULT_PIPELINE_CACHE),
      ...(keepDays !== undefined ? { cacheKeepDays: Number(keepDays) } : {}),
    });
    const totals = { read: 0, used: 0, rejected: 0, skipped: 0 };
    for (const r of reports) {
      const rejected = r.rowsRead - r.rowsUsed;
      totals.read += r.rowsRead;
      totals.used += r.rowsUsed;
      totals.rejected += rejected;
      totals.skipped += r.rowsSkipped;
      process.stdout.write(`${r.file}: read ${r.rowsRead}, used ${r.rowsUsed}, rejected ${rejected}${skipped(r.rowsSkipped)}; dated ${r.snapshotDate} ${dateSource(r)}\n`);
      // The offending values help the analyst fix the export; they stay on this terminal (quality.json has no values).
      if (!args.quiet)
        for (const e of r.examples)
          process.stderr.write(
            `  ${r.file}:${e.line}: ${e.column === null ? '' : `column "${e.column}": `}${e.reason}${e.value === null ? '' : ` (${JSON.stringify(e.value)})`}${
              e.reason in r.warned ? ' (row kept, value treated as missing)' : ''
            }\n`,
          );
    }
    const s = manifest.suppressed;
    process.stdout.write(`total: read ${totals.read}, used ${totals.used}, rejected ${totals.rejected}${skipped(totals.skipped)}\n`);
    process.stdout.write(
      `wrote ${manifest.outputs.length + 1} files to ${outDir} (${manifest.periods.length} periods, ${manifest.scopes.length} scopes; suppressed cells: ${s.frequency} frequency, ${s.dominance} dominance, ${s.secondary} secondary) in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`,
    );
  } catch (e) {
    if (e instanceof InputError || e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(1);
    }
    if (e instanceof OutputRefused) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof OutputError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(3);
    }
    if (e instanceof MemoryError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(4);
    }
    throw e;
  }
}

await main();
