// --scale pair (the default): the pipeline against the bare DuckDB reference over
// the same two snapshots, as CSV and as Parquet. Bars: pipeline ≤ 1.5 × reference
// wall time and < 2 GB peak RSS. The pipeline runs with --no-cache.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, medianRss, medianWall, parseStages, rssMethod, tail, type Measured } from './measure.ts';
import { PipelineRunner } from './pipelineRunner.ts';
import { runReference, type Format } from './reference.ts';
import { ensureSampleData } from './sampleData.ts';
import { fmtGB, fmtRate, fmtS, printTable } from './table.ts';

const DATES = ['2025-11-30', '2025-12-31'] as const;
const RATIO_BAR = 1.5;
const RSS_BAR_BYTES = 2 * 1024 ** 3;

/** Options of the sample-bank scales (pair and year). */
export interface SampleScaleOptions {
  runs: number;
  customers: number;
  formats: Format[];
  clean: boolean;
  pipeline: string;
}

interface FormatResult {
  format: Format;
  ref: Measured[];
  pipe: Measured[];
  pipeNote: string | null;
}

export async function benchPair(opts: SampleScaleOptions): Promise<void> {
  const data = await ensureSampleData(join(tmpdir(), `tierscope-bench-${opts.customers}`), opts.customers, DATES, DATES.length, opts.formats);
  const totalRows = data.mainRows.reduce((a, b) => a + b, 0);
  const scratch = mkdtempSync(join(tmpdir(), 'tierscope-bench-run-'));
  const pipelinePresent = existsSync(opts.pipeline);
  console.error(`peak RSS via ${rssMethod}; pipeline ${pipelinePresent ? opts.pipeline : `missing (${opts.pipeline} not found): reference only`}`);
  const runner = new PipelineRunner(opts.pipeline, scratch);
  const results: FormatResult[] = [];
  try {
    for (const format of opts.formats) {
      const dir = data.dir(format);
      const r: FormatResult = { format, ref: [], pipe: [], pipeNote: pipelinePresent ? null : 'missing' };
      for (let run = 1; run <= opts.runs; run++) {
        // Alternate reference and pipeline so drift in the machine's state hits both alike.
        const ref = await runReference(dir, format, data.mainRows, scratch);
        r.ref.push(ref);
        let line = `${format} run ${run}/${opts.runs}: reference ${fmtS(ref.wall)} ${fmtGB(ref.rssBytes)}`;
        if (r.pipeNote === null) {
          const out = join(scratch, `out-${format}-${run}`);
          // --no-cache: every run computes everything, as before the pipeline had a cache (and the bench leaves the project's cache alone).
          const pipe = await runner.run(dir, out, { cache: false });
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
    rmSync(data.root, { recursive: true, force: true });
    console.error(`removed ${data.root}`);
  }
}

function report(results: FormatResult[], totalRows: number, opts: { runs: number; customers: number }): void {
  const header = ['format', 'rows (2 files)', 'reference', 'pipeline', 'ratio', `≤ ${RATIO_BAR}`, 'pipeline rows/s', 'pipeline peak RSS', '< 2 GB', 'reference peak RSS'];
  const table: string[][] = [header];
  const stageLines: string[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const refWall = medianWall(r.ref);
    const refRss = medianRss(r.ref);
    const pipeWall = medianWall(r.pipe);
    const pipeRss = medianRss(r.pipe);
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
  console.log(`\nTierscope bench: 2 snapshots × ${opts.customers.toLocaleString('en')} customers, median of ${opts.runs} run(s) each, wall time of the whole child process`);
  printTable(table);
  if (notes.length) console.log(notes.join('\n'));
  if (stageLines.length) console.log('\n' + stageLines.join('\n'));
}
