// The pipeline: snapshot files → DuckDB → cells → (pure) report objects → JSON.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../lib/config.ts';
import { bandLowersFen, lowersFen } from '../lib/tiers.ts';
import { assembleReport, type SnapshotInput, type PeriodInput } from '../lib/assemble/report.ts';
import { periodsOf } from '../lib/periods.ts';
import { stableJson } from '../lib/stableJson.ts';
import {
  Concentration,
  Manifest,
  Meta,
  OUTPUT_FILES,
  OUTPUT_VERSION,
  PeriodFile,
  QualityFile,
  SeriesFile,
  SnapshotFile as SnapshotOutput,
  type Manifest as ManifestT,
} from '../schema/output.ts';
import { ExactRangeError, flowCells, quoteIdent, readAmounts, retainedCount, snapshotCells } from './aggregate.ts';
import { codeFingerprint, DEFAULT_KEEP_DAYS, entryKey, PipelineCache, type CacheStats } from './cache.ts';
import { ConcentrationPool, type SnapshotConcentrations } from './concentrationPool.ts';
import { configHash } from './configFile.ts';
import { discoverSnapshots, type SnapshotFile } from './discover.ts';
import { hashFiles } from './fileHashes.ts';
import { guardFile, type FileGuard } from './fileGuard.ts';
import { asMemoryError, InputError } from './errors.ts';
import { fenAsYuan, FileReport, loadSnapshot, MAX_EXACT_FEN } from './load.ts';
import { checkOutputFolder, stageOutput } from './outputDir.ts';
import { checkLoadedSnapshot, localToday } from './snapshotChecks.ts';
import { createMeter, type Progress } from './progress.ts';
import { FlowCell, SnapshotCell } from './types.ts';
import { TOOL_VERSION } from './version.ts';

export interface RunOptions {
  snapshotsDir: string;
  /** The data folder the snapshots folder is in (--data), if another: the output must stay apart from both. */
  dataDir?: string;
  /** Replaced only when absent, empty or a previous output (outputDir.ts); anything else is refused before any work. */
  outDir: string;
  config: Config;
  progress: Progress;
  /** DuckDB memory limit, e.g. "4GB"; DuckDB's default otherwise. Above it DuckDB spills to the temp folder. */
  memoryLimit?: string;
  /** Parent of the run's scratch folder (DuckDB's spill files, transcoded copies); the OS temp folder by default. */
  tempDir?: string;
  /** Pipeline cache folder (cache.ts); absent or null: every run computes everything. */
  cacheDir?: string | null;
  /** After a successful run, cache entries it did not use and no run used for this many days are removed (default DEFAULT_KEEP_DAYS). */
  cacheKeepDays?: number;
  /** YYYY-MM-DD; a snapshot dated later fails the run. Default: today on this machine's calendar. */
  today?: string;
}

export interface RunResult {
  reports: FileReport[];
  manifest: ManifestT;
  cache: CacheStats | null;
  /** Row-level work done: files loaded into DuckDB (again, for a cached snapshot a new period pairs), periods joined. */
  work: { loads: number; flows: number };
}

export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  await checkOutputFolder(opts.outDir, { data: dataFolders(opts) });
  const tmpDir = await mkdtemp(path.join(opts.tempDir ?? os.tmpdir(), 'tierscope-'));
  const engine = new Engine(tmpDir, opts.memoryLimit);
  try {
    return await run(engine, tmpDir, opts);
  } catch (e) {
    throw asMemoryError(e, opts.memoryLimit);
  } finally {
    await engine.close();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

const dataFolders = (opts: RunOptions) => [...new Set([opts.dataDir ?? opts.snapshotsDir, opts.snapshotsDir])];

/** DuckDB and the concentration worker, started only when some row-level work is left to do. */
class Engine {
  #tmpDir: string;
  #memoryLimit: string | undefined;
  #instance: DuckDBInstance | null = null;
  #conn: DuckDBConnection | null = null;
  #pool: ConcentrationPool | null = null;

  constructor(tmpDir: string, memoryLimit: string | undefined) {
    this.#tmpDir = tmpDir;
    this.#memoryLimit = memoryLimit;
  }

  async conn(): Promise<DuckDBConnection> {
    if (this.#conn) return this.#conn;
    // Imported here: a run served from the cache never loads the native library.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    this.#instance = await DuckDBInstance.create(':memory:', {
      temp_directory: path.join(this.#tmpDir, 'spill'),
      ...(this.#memoryLimit ? { memory_limit: this.#memoryLimit } : {}),
    });
    this.#conn = await this.#instance.connect();
    // Query progress feeds the progress line's estimate; DuckDB's own bar stays off.
    await this.#conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 500');
    return this.#conn;
  }

  get pool(): ConcentrationPool {
    return (this.#pool ??= new ConcentrationPool());
  }

  /** Share done (0–1) of the query now running, or null. */
  queryShare(): number | null {
    const p = this.#conn?.progress.percentage;
    return p === undefined || p < 0 ? null : p / 100;
  }

  async close(): Promise<void> {
    await this.#pool?.close();
    this.#conn?.closeSync();
    this.#instance?.closeSync();
  }
}

/** What the cache keeps of one snapshot: everything later stages need except its rows. */
const ScopeEntry = z.object({ bank: Concentration, branches: z.array(z.tuple([z.string(), Concentration])) }).strict();
const SnapshotEntry = z
  .object({
    report: FileReport,
    cells: z.array(SnapshotCell),
    concentration: z.object({ aum: ScopeEntry, deposits: ScopeEntry }).strict(),
  })
  .strict();
type SnapshotEntry = z.infer<typeof SnapshotEntry>;
const FlowsEntry = z.object({ flows: z.array(FlowCell) }).strict();
const ReportEntry = z
  .object({ meta: Meta, snapshots: z.array(SnapshotOutput), periods: z.array(PeriodFile), series: SeriesFile, quality: QualityFile })
  .strict();

const toEntry = (c: SnapshotConcentrations): SnapshotEntry['concentration'] => ({
  aum: { bank: c.aum.bank, branches: [...c.aum.branches] },
  deposits: { bank: c.deposits.bank, branches: [...c.deposits.branches] },
});
const fromEntry = (c: SnapshotEntry['concentration']): SnapshotConcentrations => ({
  aum: { bank: c.aum.bank, branches: new Map(c.aum.branches) },
  deposits: { bank: c.deposits.bank, branches: new Map(c.deposits.branches) },
});

/** Cost of a period's flows per input byte of its two snapshots, relative to loading (npm run bench: 0.2 at 5 M, 0.4 at 100 M customers). */
const FLOW_WEIGHT = 0.25;
/** Share of a file's load that the validating scan takes (about half at 5 M and at 100 M customers). */
const LOAD_SCAN_SHARE = 0.5;
/**
 * Customers whose amounts may be held for the concentration worker at once: two
 * snapshots of the seed bank's size overlap, two of 100 M do not (each holds
 * 18 bytes a customer, and sorting needs about as much again).
 */
const MAX_ROWS_IN_FLIGHT = 20_000_000;

interface Snapshot {
  file: SnapshotFile;
  bytes: number;
  /** Cache key; null without a cache. */
  key: string | null;
  report: FileReport;
  /** DuckDB table of its valid rows while loaded. */
  table: string | null;
  cells: SnapshotCell[];
  concentration: Promise<SnapshotConcentrations>;
  /** Computed in this run (not from the cache). */
  fresh: boolean;
}

async function run(engine: Engine, tmpDir: string, opts: RunOptions): Promise<RunResult> {
  const { config, progress } = opts;
  const tierLowers = lowersFen(config);
  const bandLowers = bandLowersFen(config);
  const today = opts.today ?? localToday();

  const files = await progress.stage('discover', () => discoverSnapshots(opts.snapshotsDir));
  const sizes = await Promise.all(files.map((f) => stat(f.path).then((s) => s.size, () => 0)));
  progress.info(`${files.length} snapshot file(s) in ${opts.snapshotsDir}`);

  // Everything the row-level stage reads of the config; labels, colours and exports do not reach it.
  const rowConfig = {
    columns: config.columns,
    unit: config.unit,
    csv: config.csv,
    maxRejectShare: config.maxRejectShare,
    bands: bandLowers,
    minCell: config.privacy.minCell,
  };
  const cache = opts.cacheDir ? new PipelineCache(opts.cacheDir, (m) => progress.warn(m)) : null;
  const code = cache ? await codeFingerprint() : '';
  const keys: (string | null)[] = files.map(() => null);
  const cached: (SnapshotEntry | null)[] = files.map(() => null);
  // A file's identity is taken before it is hashed and checked again after its
  // load: when it held still, the load may reuse this hash instead of reading
  // the file a second time.
  const hashed = new Map<SnapshotFile, { sha256: string; guard: FileGuard }>();
  if (cache)
    await progress.stage('cache', async () => {
      const guards = await Promise.all(files.map((f) => guardFile(f.path)));
      let done = 0;
      progress.tick(`hashing ${files.length} file(s)`);
      const shas = await hashFiles(
        files.map((f) => f.path),
        () => progress.tick(`hashing ${files.length} file(s): ${++done} done`),
      );
      for (const [i, file] of files.entries()) {
        hashed.set(file, { sha256: shas[i]!, guard: guards[i]! });
        keys[i] = entryKey(['snapshot', TOOL_VERSION, code, file.name, file.format, shas[i]!, rowConfig, config.snapshotDates[file.name] ?? null]);
        cached[i] = await cache.read('snapshot', keys[i]!, SnapshotEntry);
      }
    });

  const misses = files.flatMap((_, i) => (cached[i] ? [] : [i]));
  const meter = createMeter(misses.reduce((a, i) => a + sizes[i]! * (1 + 2 * FLOW_WEIGHT), 0));
  /**
   * Keep the progress line moving while DuckDB works on one step of `units`.
   * `scanned` is the part of the step its longest query stands for: DuckDB
   * reports progress per query, and a load's checks after the scan report none.
   */
  const ticking = async <T>(label: () => string, units: number, scanned: number, work: () => Promise<T>): Promise<T> => {
    const timer = setInterval(() => {
      const share = engine.queryShare();
      if (share !== null) meter.partial(units * scanned * share);
      progress.tick(`${label()} · ${meter.status()}`);
    }, 1000);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      meter.finish(units);
    }
  };

  const work = { loads: 0, flows: 0 };
  const loadTable = async (file: SnapshotFile, table: string, bytes: number, label: string): Promise<FileReport> => {
    const conn = await engine.conn();
    work.loads++;
    let note = '';
    const known = hashed.get(file);
    return ticking(() => `${label}${note}`, bytes, LOAD_SCAN_SHARE, () =>
      loadSnapshot(conn, file, config, table, {
        tmpDir,
        ...(known ? { known } : {}),
        onProgress: (p) => {
          note = p.bytesRead !== undefined && p.rowsRead === 0 ? `: ${(p.bytesRead / 2 ** 20).toFixed(0)} MB checked` : `: ${p.rowsRead.toLocaleString('en')} rows`;
          // Between the timer's ticks too: reading a large CSV reports its bytes as it goes.
          progress.tick(`${label}${note} · ${meter.status()}`);
        },
      }),
    );
  };

  // Each file becomes a DuckDB table of valid rows with its own report; its cells
  // are taken at once, and its amounts go to the concentration worker (a sort and
  // a scan of every customer), which then works beside DuckDB loading the next
  // file. In-flight amounts are bounded, to bound memory.
  const snapshots: Snapshot[] = [];
  await progress.stage('load', async () => {
    for (const [i, file] of files.entries()) {
      const entry = cached[i];
      if (entry) {
        const report = { ...entry.report, path: file.path };
        checkLoadedSnapshot(report, today);
        snapshots.push({ file, bytes: sizes[i]!, key: keys[i]!, report, table: null, cells: entry.cells, concentration: Promise.resolve(fromEntry(entry.concentration)), fresh: false });
        continue;
      }
      const table = `snap_${i}`;
      const t0 = performance.now();
      const report = await loadTable(file, table, sizes[i]!, `load ${misses.indexOf(i) + 1}/${misses.length} ${file.name}`);
      checkLoadedSnapshot(report, today);
      const secs = (performance.now() - t0) / 1000;
      progress.info(
        `${file.name}: read ${report.rowsRead.toLocaleString('en')} rows in ${secs.toFixed(2)} s (${Math.round(report.rowsRead / Math.max(secs, 1e-9)).toLocaleString('en')} rows/s)`,
      );
      const conn = await engine.conn();
      const cells = await snapshotCells(conn, table, bandLowers);
      let inFlight = report.rowsUsed;
      for (const prev of snapshots.filter((s) => s.fresh).reverse()) {
        inFlight += prev.report.rowsUsed;
        if (inFlight > MAX_ROWS_IN_FLIGHT) await prev.concentration;
      }
      const concentration = engine.pool.compute(await readAmounts(conn, table), config.privacy.minCell);
      concentration.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
      snapshots.push({ file, bytes: sizes[i]!, key: keys[i] ?? null, report, table, cells, concentration, fresh: true });
    }
  });

  // Dates may come from a column, so order and uniqueness are only known after loading.
  snapshots.sort((a, b) => a.report.snapshotDate.localeCompare(b.report.snapshotDate) || a.report.file.localeCompare(b.report.file));
  for (let i = 1; i < snapshots.length; i++) {
    const [a, b] = [snapshots[i - 1]!.report, snapshots[i]!.report];
    if (a.snapshotDate === b.snapshotDate)
      throw new InputError(`snapshot date ${b.snapshotDate} is also the date of ${a.file}; keep one file per date`, { file: b.path });
  }
  const byDate = new Map(snapshots.map((s) => [s.report.snapshotDate, s]));
  const periods = periodsOf(snapshots.map((s) => s.report.snapshotDate));
  const flowKeys = periods.map((p) => (cache ? entryKey(['flows', TOOL_VERSION, code, byDate.get(p.start)!.key, byDate.get(p.end)!.key, tierLowers, p.start]) : null));
  const cachedFlows = await Promise.all(flowKeys.map((k) => (cache && k ? cache.read('flows', k, FlowsEntry) : null)));

  // A table is dropped after the last period that needs it; a snapshot taken
  // from the cache is loaded again only when a new period pairs it.
  const uses = new Map<Snapshot, number>();
  periods.forEach((p, k) => {
    if (!cachedFlows[k]) for (const d of [p.start, p.end]) uses.set(byDate.get(d)!, (uses.get(byDate.get(d)!) ?? 0) + 1);
  });
  let reloads = 0;
  const tableOf = async (s: Snapshot): Promise<string> => {
    if (s.table) return s.table;
    const table = `snap_again_${reloads++}`;
    const again = await loadTable(s.file, table, s.bytes, `load ${s.file.name} again for a new period`);
    // The cache entry was found by the hash taken at the start; the rows must be the same ones.
    if (again.sha256 !== s.report.sha256) throw new InputError('the file changed while the pipeline was reading it; run again', { file: s.file.path });
    return (s.table = table);
  };
  const release = async (s: Snapshot) => {
    const left = (uses.get(s) ?? 0) - 1;
    uses.set(s, left);
    if (left <= 0 && s.table) {
      await (await engine.conn()).run(`DROP TABLE ${quoteIdent(s.table)}`);
      s.table = null;
    }
  };

  const periodInputs: PeriodInput[] = [];
  await progress.stage('flows', async () => {
    for (const [k, period] of periods.entries()) {
      let flows = cachedFlows[k]?.flows;
      if (!flows) {
        const [s, e] = [byDate.get(period.start)!, byDate.get(period.end)!];
        const [st, et] = [await tableOf(s), await tableOf(e)];
        const conn = await engine.conn();
        work.flows++;
        flows = await ticking(() => `flows ${period.start} → ${period.end}`, (s.bytes + e.bytes) * FLOW_WEIGHT, 1, () =>
          flowCells(conn, st, et, tierLowers, period.start).catch((err: unknown) => {
            if (!(err instanceof ExactRangeError)) throw err;
            throw new InputError(
              `the ${err.what} from ${period.start} (${s.file.name}) to ${period.end}, Σ |end − start| over the customers in both, is ${fenAsYuan(err.value)}, above ${fenAsYuan(BigInt(MAX_EXACT_FEN))} (2^53 − 1 fen), the largest sum the report adds up exactly: check both files for placeholder or misplaced values`,
              { file: e.file.path },
            );
          }),
        );
        if (cache) await cache.write('flows', flowKeys[k]!, { flows });
        await release(s);
        await release(e);
      }
      periodInputs.push({ period, flows });
    }
  });
  const concentrations = await progress.stage('concentration', async () => {
    progress.tick('waiting for the concentration worker');
    return Promise.all(snapshots.map((s) => s.concentration));
  });
  if (cache) {
    for (const [i, s] of snapshots.entries())
      if (s.fresh && s.key) await cache.write('snapshot', s.key, { report: s.report, cells: s.cells, concentration: toEntry(concentrations[i]!) });
  }
  const inputs: SnapshotInput[] = snapshots.map((s, i) => ({ date: s.report.snapshotDate, cells: s.cells, concentration: concentrations[i]! }));
  // The assembled report depends on the row-level results and the whole config (labels too).
  const reportKey = cache ? entryKey(['report', TOOL_VERSION, code, snapshots.map((s) => s.key), flowKeys, configHash(config)]) : null;
  const result = await publish(opts, snapshots.map((s) => s.report), inputs, periodInputs, cache && reportKey ? { cache, key: reportKey } : null);
  if (cache) {
    // Only after the output is in place: every entry this run needed is marked used by then.
    const pruned = await cache.prune(opts.cacheKeepDays ?? DEFAULT_KEEP_DAYS);
    const { hits } = cache.stats;
    const { entries, bytes } = await cache.size();
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    progress.info(
      `cache: reused ${hits.snapshot} of ${snapshots.length} snapshot(s) and ${hits.flows} of ${periods.length} period(s)${reloads ? `; loaded ${reloads} cached snapshot(s) again for new periods` : ''}; ${entries} entries, ${mb(bytes)} in ${cache.dir}${
        pruned.entries ? `; removed ${pruned.entries} unused for ${opts.cacheKeepDays ?? DEFAULT_KEEP_DAYS} days (${mb(pruned.bytes)})` : ''
      }`,
    );
  }
  return { ...result, cache: cache?.stats ?? null, work };
}

/** Assemble the report and write it, all or nothing. */
async function publish(
  opts: RunOptions,
  reports: FileReport[],
  snapshots: SnapshotInput[],
  periodInputs: PeriodInput[],
  cached: { cache: PipelineCache; key: string } | null,
): Promise<Omit<RunResult, 'cache' | 'work'>> {
  const { config, progress } = opts;
  // Matched ids are the retained customers of each consecutive period: no second join needed.
  const idMatch = periodInputs
    .filter(({ period }) => period.consecutive)
    .map(({ period, flows }) => ({ start: period.start, end: period.end, matched: retainedCount(flows) }));

  const report = await progress.stage('assemble', async () => {
    const hit = cached && (await cached.cache.read('report', cached.key, ReportEntry));
    if (hit) return hit;
    const fresh = assembleReport({ config, toolVersion: TOOL_VERSION, files: reports, snapshots, periods: periodInputs, idMatch, progress: (m) => progress.tick(m) });
    await cached?.cache.write('report', cached.key, fresh);
    return fresh;
  });
  for (const w of report.quality.warnings) progress.warn(w);

  const manifest = await progress.stage('write', async () => {
    const staged = await stageOutput(opts.outDir, { data: dataFolders(opts) });
    try {
      const outputs: ManifestT['outputs'] = [];
      const put = async (rel: string, value: unknown) => outputs.push(await staged.write(rel, stableJson(value)));
      await put(OUTPUT_FILES.meta, report.meta);
      for (const s of report.snapshots) await put(OUTPUT_FILES.snapshot(s.date), s);
      for (const p of report.periods) await put(OUTPUT_FILES.period(p.id), p);
      await put(OUTPUT_FILES.series, report.series);
      await put(OUTPUT_FILES.quality, report.quality);
      const manifest = Manifest.parse({
        outputVersion: OUTPUT_VERSION,
        toolVersion: TOOL_VERSION,
        configHash: configHash(config),
        inputs: reports.map((r) => ({
          file: r.file,
          sha256: r.sha256,
          snapshotDate: r.snapshotDate,
          rowsRead: r.rowsRead,
          rowsUsed: r.rowsUsed,
          rowsRejected: r.rowsRead - r.rowsUsed,
          rejected: r.rejected,
        })),
        periods: report.meta.periods.map((p) => p.id),
        scopes: [null, ...report.meta.branches.map((b) => b.code)],
        suppressed: report.quality.suppressed,
        outputs,
      });
      await staged.write(OUTPUT_FILES.manifest, stableJson(manifest));
      await staged.commit();
      return manifest;
    } catch (e) {
      await staged.abort();
      throw e;
    }
  });
  return { reports, manifest };
}
