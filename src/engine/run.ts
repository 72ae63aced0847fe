// The pipeline: snapshot files → DuckDB → cells → (pure) report objects → JSON.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../lib/config.ts';
import { bandLowersFen, lowersFen } from '../lib/tiers.ts';
import { assembleReport, type SnapshotInput, type PeriodInput } from '../lib/assemble/report.ts';
import { periodsOf } from '../lib/periods.ts';
import { stableJson } from '../lib/stableJson.ts';
import { Manifest, OUTPUT_FILES, OUTPUT_VERSION, type Manifest as ManifestT } from '../schema/output.ts';
import { flowCells, readAmounts, retainedCount, snapshotCells } from './aggregate.ts';
import { ConcentrationPool, type SnapshotConcentrations } from './concentrationPool.ts';
import { configHash } from './configFile.ts';
import { discoverSnapshots } from './discover.ts';
import { InputError } from './errors.ts';
import { loadSnapshot, type FileReport } from './load.ts';
import { stageOutput } from './outputDir.ts';
import { checkLoadedSnapshot, localToday } from './snapshotChecks.ts';
import type { Progress } from './progress.ts';
import type { SnapshotCell } from './types.ts';
import { TOOL_VERSION } from './version.ts';

export interface RunOptions {
  snapshotsDir: string;
  outDir: string;
  config: Config;
  progress: Progress;
  /** DuckDB memory limit, e.g. "4GB"; DuckDB's default otherwise. */
  memoryLimit?: string;
  /** YYYY-MM-DD; a snapshot dated later fails the run. Default: today on this machine's calendar. */
  today?: string;
}

export interface RunResult {
  reports: FileReport[];
  manifest: ManifestT;
}

export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'tierscope-'));
  const instance = await DuckDBInstance.create(':memory:', {
    temp_directory: path.join(tmpDir, 'spill'),
    ...(opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {}),
  });
  const conn = await instance.connect();
  try {
    return await run(conn, tmpDir, opts);
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

async function run(conn: DuckDBConnection, tmpDir: string, opts: RunOptions): Promise<RunResult> {
  const { config, progress } = opts;
  const tierLowers = lowersFen(config);
  const bandLowers = bandLowersFen(config);

  const files = await progress.stage('discover', () => discoverSnapshots(opts.snapshotsDir));
  progress.info(`${files.length} snapshot file(s) in ${opts.snapshotsDir}`);

  // Each file becomes a DuckDB table of valid rows with its own report; its cells
  // are taken at once, and its amounts go to the concentration worker (a sort and
  // a scan of every customer), which then works beside DuckDB loading the next
  // file. At most two snapshots' arrays are in flight, to bound memory.
  const pool = new ConcentrationPool();
  try {
    const loaded: Loaded[] = [];
    await progress.stage('load', async () => {
      for (const [i, file] of files.entries()) {
        const table = `snap_${i}`;
        const t0 = performance.now();
        const report = await loadSnapshot(conn, file, config, table, {
          tmpDir,
          onProgress: (p) =>
            progress.tick(
              p.bytesRead !== undefined && p.rowsRead === 0
                ? `${file.name}: ${(p.bytesRead / 2 ** 20).toFixed(0)} MB read`
                : `${file.name}: ${p.rowsRead.toLocaleString('en')} rows`,
            ),
        });
        checkLoadedSnapshot(report, opts.today ?? localToday());
        const secs = (performance.now() - t0) / 1000;
        progress.info(
          `${file.name}: read ${report.rowsRead.toLocaleString('en')} rows in ${secs.toFixed(2)} s (${Math.round(report.rowsRead / Math.max(secs, 1e-9)).toLocaleString('en')} rows/s)`,
        );
        const cells = await snapshotCells(conn, table, bandLowers);
        if (i >= 2) await loaded[i - 2]!.concentration;
        const concentration = pool.compute(await readAmounts(conn, table), config.privacy.minCell);
        concentration.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
        loaded.push({ report, table, cells, concentration });
      }
    });

    // Dates may come from a column, so order and uniqueness are only known after loading.
    loaded.sort((a, b) => a.report.snapshotDate.localeCompare(b.report.snapshotDate) || a.report.file.localeCompare(b.report.file));
    for (let i = 1; i < loaded.length; i++) {
      const [a, b] = [loaded[i - 1]!.report, loaded[i]!.report];
      if (a.snapshotDate === b.snapshotDate)
        throw new InputError(`snapshot date ${b.snapshotDate} is also the date of ${a.file}; keep one file per date`, { file: b.path });
    }
    const tableOf = new Map(loaded.map((l) => [l.report.snapshotDate, l.table]));
    const periodInputs: PeriodInput[] = [];
    await progress.stage('flows', async () => {
      for (const period of periodsOf(loaded.map((l) => l.report.snapshotDate))) {
        progress.tick(`flows ${period.start} → ${period.end}`);
        periodInputs.push({ period, flows: await flowCells(conn, tableOf.get(period.start)!, tableOf.get(period.end)!, tierLowers, period.start) });
      }
    });
    const concentrations = await progress.stage('concentration', () => Promise.all(loaded.map((l) => l.concentration)));
    const snapshots: SnapshotInput[] = loaded.map((l, i) => ({ date: l.report.snapshotDate, cells: l.cells, concentration: concentrations[i]! }));
    return await publish(opts, loaded.map((l) => l.report), snapshots, periodInputs);
  } finally {
    await pool.close();
  }
}

interface Loaded {
  report: FileReport;
  table: string;
  cells: SnapshotCell[];
  concentration: Promise<SnapshotConcentrations>;
}

/** Assemble the report and write it, all or nothing. */
async function publish(opts: RunOptions, reports: FileReport[], snapshots: SnapshotInput[], periodInputs: PeriodInput[]): Promise<RunResult> {
  const { config, progress } = opts;
  // Matched ids are the retained customers of each consecutive period: no second join needed.
  const idMatch = periodInputs
    .filter(({ period }) => period.consecutive)
    .map(({ period, flows }) => ({ start: period.start, end: period.end, matched: retainedCount(flows) }));

  const report = await progress.stage('assemble', async () =>
    assembleReport({ config, toolVersion: TOOL_VERSION, files: reports, snapshots, periods: periodInputs, idMatch }),
  );
  for (const w of report.quality.warnings) progress.warn(w);

  const manifest = await progress.stage('write', async () => {
    const staged = await stageOutput(opts.outDir);
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
