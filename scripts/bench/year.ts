// --scale year: twelve month-end snapshots (2025-01-31 … 2025-12-31) and a
// thirteenth (2026-01-31) kept aside, from the sample bank. Figures per format:
//   1. reference: the bare DuckDB pass over the 12 files; 1b the same-work
//      reference, all the row-level work of the report in SQL (sameWork.ts), whose
//      bank Gini per snapshot must equal the pipeline's;
//   2. pipeline cold: a fresh, empty --cache folder;
//   3. nothing changed: again on the warm cache (bar ≤ 5 % of 2);
//   4. one snapshot added: a copy of the warm cache, the 13th file added to the
//      data folder (bar ≤ 30 % of the cold 13-file run, measured once);
//   5. outputs: 4 byte-identical to the cold 13-file run, 3 to 2;
//   6. the site built on the year's output (bar < 2 minutes).
// The data folder the pipeline reads is a folder of symbolic links in the scratch
// folder, so "adding a snapshot" is adding one link to the same folder, as an
// analyst would drop the new month's export beside the others.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { periodsOf } from '../../src/lib/periods.ts';
import { monthEnds } from '../../src/lib/sampleBank.ts';
import { NO_EXPORTS, EXPORT_SETTINGS_ENV } from '../../src/site/exportSettings.ts';
import { compareDirs, dirBytes, linkFolder, listFiles } from './files.ts';
import { measure, medianRss, medianWall, rssMethod, tail, type Measured } from './measure.ts';
import { PipelineRunner } from './pipelineRunner.ts';
import type { SampleScaleOptions } from './pair.ts';
import { runReference, snapshotFiles, type Format, type ReferenceResult } from './reference.ts';
import { ensureSampleData, type SampleData } from './sampleData.ts';
import { fmtBytes, fmtGB, fmtInt, fmtPct, fmtRate, fmtS, printTable, stageTable, verdict } from './table.ts';

const DATES = monthEnds('2025-01-31', 13); // 2025-01-31 … 2026-01-31
const MAIN = 12;
const RATIO_BAR = 1.5;
const WARM_BAR = 0.05;
const ADD_BAR = 0.3;
const SITE_BAR_S = 120;
/** A figure whose first run took longer than this is measured once. */
const LONG_RUN_S = 60;


interface FormatResult {
  format: Format;
  ref: Measured[];
  /** The same-work reference (sameWork.ts) and what it computed, for the cross-check. */
  refSame: Measured[];
  refSameResult: ReferenceResult | null;
  /** Bank Gini of the cold output against the same-work reference's (giniCheck). */
  gini: { pass: boolean; detail: string } | null;
  cold: Measured[];
  warm: Measured[];
  added: Measured[];
  cold13: Measured[];
  /** Per run: (3)'s output equals (2)'s; (4)'s equals the cold 13-file output. */
  warmSame: boolean[];
  addedSame: boolean[];
  cacheBytes: (number | null)[];
  notes: string[];
  /** The first cold 12-file output, kept for the site build. */
  coldOut: string | null;
}

interface SiteResult {
  run: Measured | null;
  pages: number;
  format: Format;
  note: string | null;
}

export async function benchYear(opts: SampleScaleOptions): Promise<void> {
  const periods = periodsOf(DATES.slice(0, MAIN));
  const headline = periods.find((p) => p.headline)!;
  console.error(
    `periods of the 12 files: ${periods.filter((p) => p.consecutive).length} consecutive + headline ${headline.start} → ${headline.end}` +
      `${headline.consecutive ? '' : ' (non-consecutive)'}; with the 13th: headline ${periodsOf(DATES).find((p) => p.headline)!.id}`,
  );
  if (!existsSync(opts.pipeline)) throw new Error(`${opts.pipeline} not found`);
  const data = await ensureSampleData(join(tmpdir(), `tierscope-bench-year-${opts.customers}`), opts.customers, DATES, MAIN, opts.formats);
  const scratch = mkdtempSync(join(tmpdir(), 'tierscope-bench-run-'));
  const runner = new PipelineRunner(opts.pipeline, scratch);
  console.error(`peak RSS via ${rssMethod}; pipeline ${opts.pipeline}; scratch ${scratch}`);
  const results: FormatResult[] = [];
  let site: SiteResult | null = null;
  try {
    for (const format of opts.formats) results.push(await benchFormat(format, data, runner, scratch, opts.runs));
    const source = results.find((r) => r.format === 'parquet' && r.coldOut) ?? results.find((r) => r.coldOut);
    site = source ? await siteBuild(source.coldOut!, source.format, scratch, opts.runs) : null;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  report(results, site, data, runner, opts);
  if (opts.clean) {
    rmSync(data.root, { recursive: true, force: true });
    console.error(`removed ${data.root}`);
  }
}

/** Whether run `run` (1-based) of a figure is measured: always the first, the rest only when the first was short. */
const again = (series: readonly Measured[], run: number): boolean => run === 1 || (series[0] !== undefined && series[0].wall <= LONG_RUN_S);

async function benchFormat(format: Format, data: SampleData, runner: PipelineRunner, scratch: string, runs: number): Promise<FormatResult> {
  const r: FormatResult = { format, ref: [], refSame: [], refSameResult: null, gini: null, cold: [], warm: [], added: [], cold13: [], warmSame: [], addedSame: [], cacheBytes: [], notes: [], coldOut: null };
  const work = join(scratch, format);
  const mainFiles = snapshotFiles(data.dir(format), format).map((f) => f.path);
  const [extra] = snapshotFiles(data.dir(format, true), format).map((f) => f.path);
  if (mainFiles.length !== MAIN || extra === undefined) throw new Error(`bench data in ${data.root} is incomplete for ${format}`);
  const dataDir = linkFolder(join(work, 'data'), mainFiles);
  const extraLink = join(dataDir, basename(extra));
  const fresh = (name: string): string => {
    const dir = join(work, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  /** A pipeline run that must succeed; on failure a note, and null. */
  const pipeline = async (what: string, out: string, cache: string): Promise<Measured | null> => {
    const m = await runner.run(dataDir, out, { cache });
    if (m.code === 0) return m;
    r.notes.push(`${what} failed (exit ${m.code})`);
    console.error(`pipeline ${what} (${format}) exited ${m.code}; its stderr ends:\n${tail(m.stderr)}`);
    return null;
  };
  const compare = (what: string, a: string, b: string): boolean => {
    const diffs = compareDirs(a, b);
    if (diffs.length === 0) return true;
    const keep = mkdtempSync(join(tmpdir(), `tierscope-bench-diff-${format}-`));
    cpSync(a, join(keep, 'a'), { recursive: true });
    cpSync(b, join(keep, 'b'), { recursive: true });
    const more = diffs.length > 8 ? ` … and ${diffs.length - 8} more` : '';
    r.notes.push(`FAIL ${what}: ${diffs.length} file(s) differ: ${diffs.slice(0, 8).join('; ')}${more} (both kept in ${keep}/a and /b)`);
    return false;
  };

  let warmCache: string | null = null;
  let cold13Out: string | null = null;
  for (let run = 1; run <= runs; run++) {
    const line: string[] = [];
    if (again(r.ref, run)) {
      const ref = await runReference(data.dir(format), format, data.mainRows, scratch);
      r.ref.push(ref);
      line.push(`reference ${fmtS(ref.wall)}`);
    }
    if (again(r.refSame, run)) {
      const ref = await runReference(data.dir(format), format, data.mainRows, scratch, 'same-work');
      r.refSame.push(ref);
      r.refSameResult = ref.result;
      line.push(`same-work reference ${fmtS(ref.wall)}`);
    }
    // (2) cold: a fresh empty cache. When the first cold run was long, later runs reuse its cache.
    if (again(r.cold, run)) {
      const cache = fresh(`cache-${run}`);
      const out = join(work, `cold-${run}`);
      const cold = await pipeline('cold (12 files)', out, cache);
      if (!cold) break;
      r.cold.push(cold);
      r.cacheBytes.push(dirBytes(cache));
      line.push(`cold ${fmtS(cold.wall)}`);
      if (warmCache) rmSync(warmCache, { recursive: true, force: true });
      warmCache = cache;
      if (r.coldOut) rmSync(out, { recursive: true, force: true });
      else r.coldOut = out;
    }
    // (3) nothing changed: the same cache again.
    const warmOut = join(work, `warm-${run}`);
    const warm = await pipeline('nothing changed', warmOut, warmCache!);
    if (!warm) break;
    r.warm.push(warm);
    r.warmSame.push(compare(`run ${run}: "nothing changed" output ≠ cold output`, r.coldOut!, warmOut));
    rmSync(warmOut, { recursive: true, force: true });
    line.push(`nothing changed ${fmtS(warm.wall)}`);
    // (4) one snapshot added, on a copy of the warm cache; the cold 13-file run once, for the bar and the comparison.
    symlinkSync(extra, extraLink);
    try {
      const cache = join(work, `cache-added-${run}`);
      cpSync(warmCache!, cache, { recursive: true, preserveTimestamps: true });
      const addedOut = join(work, `added-${run}`);
      const added = await pipeline('one snapshot added', addedOut, cache);
      rmSync(cache, { recursive: true, force: true });
      if (!added) break;
      r.added.push(added);
      line.push(`+1 snapshot ${fmtS(added.wall)}`);
      if (cold13Out === null) {
        const out = join(work, 'cold13');
        const cold13 = await pipeline('cold (13 files)', out, fresh('cache-cold13'));
        rmSync(join(work, 'cache-cold13'), { recursive: true, force: true });
        if (!cold13) break;
        r.cold13.push(cold13);
        cold13Out = out;
        line.push(`cold 13 files ${fmtS(cold13.wall)}`);
      }
      r.addedSame.push(compare(`run ${run}: "+1 snapshot" output ≠ cold 13-file output`, addedOut, cold13Out));
      rmSync(addedOut, { recursive: true, force: true });
    } finally {
      unlinkSync(extraLink);
    }
    console.error(`${format} run ${run}/${runs}: ${line.join(', ')}`);
  }
  if (warmCache) rmSync(warmCache, { recursive: true, force: true });
  r.gini = giniCheck(r);
  return r;
}

/** `npm run build:site` on an output folder, into the scratch folder, exports off. */
async function siteBuild(dataOut: string, format: Format, scratch: string, runs: number): Promise<SiteResult> {
  const npmCli = process.env.npm_execpath;
  const [cmd, pre] = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
  const builds: Measured[] = [];
  let pages = 0;
  for (let run = 1; run <= runs && again(builds, run); run++) {
    const dist = join(scratch, `dist-${run}`);
    const m = await measure(cmd, [...pre, 'run', 'build:site'], scratch, {
      env: {
        TIERSCOPE_DATA: dataOut,
        TIERSCOPE_EXPORTS: 'off',
        // What `npm run build` hands the site with exports off, so pages link to no export files.
        [EXPORT_SETTINGS_ENV]: JSON.stringify(NO_EXPORTS),
        TIERSCOPE_OUT_DIR: dist,
        ASTRO_TELEMETRY_DISABLED: '1',
      },
    });
    if (m.code !== 0) {
      console.error(`site build exited ${m.code}; its output ends:\n${tail(m.stdout + m.stderr)}`);
      return { run: null, pages: 0, format, note: `failed (exit ${m.code})` };
    }
    pages = listFiles(dist).filter((f) => f.endsWith('.html')).length;
    rmSync(dist, { recursive: true, force: true });
    builds.push(m);
    console.error(`site build run ${run}/${runs}: ${fmtS(m.wall)}, ${pages} pages`);
  }
  const wall = medianWall(builds)!;
  return { run: { ...builds[0]!, wall, rssBytes: medianRss(builds) }, pages, format, note: builds.length < runs ? `${builds.length} run (> ${LONG_RUN_S} s)` : null };
}

/**
 * The bank's Gini of aum and of deposits in the cold output against the
 * same-work reference's, computed apart in SQL: both are exact up to the final
 * division, so they must be equal.
 */
function giniCheck(r: FormatResult): { pass: boolean; detail: string } | null {
  if (!r.coldOut || !r.refSameResult) return null;
  let equal = 0;
  const off: string[] = [];
  for (const s of r.refSameResult.snapshots) {
    const file = JSON.parse(readFileSync(join(r.coldOut, 'snapshots', `${s.date}.json`), 'utf8')) as {
      scopes: { branch: string | null; concentration: Record<'aum' | 'deposits', { gini: unknown }> }[];
    };
    const bank = file.scopes.find((x) => x.branch === null)?.concentration;
    if (bank?.aum.gini === s.gini && bank?.deposits.gini === s.giniDeposits) equal++;
    else off.push(`${s.date}: ${JSON.stringify(bank?.aum.gini)} / ${JSON.stringify(bank?.deposits.gini)} vs ${s.gini} / ${s.giniDeposits}`);
  }
  if (off.length) r.notes.push(`FAIL bank Gini differs from the same-work reference: ${off.slice(0, 3).join('; ')}`);
  return { pass: off.length === 0, detail: `${equal} of ${r.refSameResult.snapshots.length} snapshots` };
}

function report(results: FormatResult[], site: SiteResult | null, data: SampleData, runner: PipelineRunner, opts: SampleScaleOptions): void {
  const rows12 = data.mainRows.reduce((a, b) => a + b, 0);
  const rows13 = rows12 + data.nextRows.reduce((a, b) => a + b, 0);
  const cache = runner.supports('--cache');
  const noCache = 'n/a (no --cache)';
  const table: string[][] = [['figure', 'format', 'runs', 'wall', 'vs', 'rows/s', 'peak RSS', 'bar', 'result']];
  const notes: string[] = [];
  let longNote = false;
  /** The run count, starred when a long first run stopped the repeats. */
  const runsOf = (ms: readonly Measured[]): string => {
    const once = ms.length === 1 && ms.length < opts.runs && ms[0]!.wall > LONG_RUN_S;
    if (once) longNote = true;
    return once ? '1*' : String(ms.length);
  };
  /** The pipeline's own account of what it took from the cache (its last "cache: …" line). */
  const cacheLine = (ms: readonly Measured[]): string | null => ms.at(-1)?.stderr.match(/^cache: .*$/gm)?.at(-1) ?? null;
  for (const r of results) {
    const f = r.format;
    const ref = medianWall(r.ref);
    const cold = medianWall(r.cold);
    const warm = medianWall(r.warm);
    const added = medianWall(r.added);
    const cold13 = medianWall(r.cold13);
    const ratio = ref !== null && cold !== null ? cold / ref : null;
    const refSame = medianWall(r.refSame);
    const sameRatio = refSame !== null && cold !== null ? cold / refSame : null;
    const warmShare = warm !== null && cold !== null ? warm / cold : null;
    const addedShare = added !== null && cold13 !== null ? added / cold13 : null;
    const judged = f === 'parquet';
    const row = (figure: string, ms: readonly Measured[], rows: number | null, vs: string, bar: string, result: string, once = false): string[] => {
      const wall = medianWall(ms);
      return [figure, f, once ? String(ms.length) : runsOf(ms), fmtS(wall), vs, fmtRate(rows !== null && wall !== null ? rows / wall : null), fmtGB(medianRss(ms)), bar, result];
    };
    table.push(row('1 reference, 12 files', r.ref, rows12, '', '', ''));
    table.push(row('1b same-work reference (SQL)', r.refSame, rows12, '', '', ''));
    table.push(
      row(
        '2 pipeline cold, 12 files',
        r.cold,
        rows12,
        ratio === null ? '—' : `${ratio.toFixed(2)} × ref`,
        `≤ ${RATIO_BAR} × ref${judged ? '' : ' (judged on parquet)'}`,
        judged ? verdict(ratio === null ? null : ratio <= RATIO_BAR) : ratio === null ? '—' : `(${ratio <= RATIO_BAR ? 'within' : 'over'})`,
      ),
    );
    table.push(['  pipeline cold vs 1b', f, '', '', sameRatio === null ? '—' : `${sameRatio.toFixed(2)} × 1b`, '', '', '', '']);
    const check = r.gini;
    if (check) table.push(['  bank Gini: output of 2 = 1b', f, '', '', check.detail, '', '', 'equal', check.pass ? 'PASS' : 'FAIL']);
    table.push(
      row('3 nothing changed', r.warm, null, warmShare === null ? '—' : `${fmtPct(warmShare)} of 2`, `≤ ${WARM_BAR * 100} % of 2`, cache ? verdict(warmShare === null ? null : warmShare <= WARM_BAR) : noCache),
    );
    table.push(row('  pipeline cold, 13 files', r.cold13, rows13, '', '', '', true)); // measured once by design
    table.push(
      row(
        '4 one snapshot added',
        r.added,
        null,
        addedShare === null ? '—' : `${fmtPct(addedShare)} of cold 13`,
        `≤ ${ADD_BAR * 100} % of cold 13`,
        cache ? verdict(addedShare === null ? null : addedShare <= ADD_BAR) : noCache,
      ),
    );
    const same = (xs: boolean[]): string => (xs.length === 0 ? 'n/a' : xs.every(Boolean) ? 'PASS' : 'FAIL');
    table.push(['5 output of 3 = output of 2', f, String(r.warmSame.length), '', '', '', '', 'byte-identical', same(r.warmSame)]);
    table.push(['5 output of 4 = cold 13 output', f, String(r.addedSame.length), '', '', '', '', 'byte-identical', same(r.addedSame)]);
    const bytes = r.cacheBytes.filter((b): b is number => b !== null);
    if (cache) table.push(['  cache folder after 2', f, String(bytes.length), '', bytes.length ? fmtBytes(Math.max(...bytes)) : '—', '', '', '', '']);
    for (const n of r.notes) notes.push(`${f}: ${n}`);
    for (const [what, ms] of [['nothing changed', r.warm], ['one snapshot added', r.added]] as const) {
      const line = cacheLine(ms);
      if (line) notes.push(`${f}, ${what}: ${line}`);
    }
  }
  if (site) {
    const m = site.run;
    table.push([
      `6 site build, ${site.pages} pages`,
      site.format,
      m ? (site.note ? '1*' : String(opts.runs)) : '0',
      m ? fmtS(m.wall) : (site.note ?? '—'),
      m ? `${(site.pages / m.wall).toFixed(1)} pages/s` : '',
      '',
      fmtGB(m?.rssBytes ?? null),
      `< ${SITE_BAR_S} s`,
      verdict(m ? m.wall < SITE_BAR_S : null),
    ]);
    if (site.note) longNote = true;
  }

  console.log(
    `\nTierscope bench, scale year: 12 month-end snapshots (${DATES[0]} … ${DATES[MAIN - 1]}) of ${fmtInt(opts.customers)} customers ` +
      `(${fmtInt(rows12)} rows; the 13th, ${DATES[MAIN]}, ${fmtInt(rows13 - rows12)} rows), median of ${opts.runs} run(s), wall time of the whole child process`,
  );
  printTable(table, 2);
  if (longNote) console.log(`* measured once: its first run took more than ${LONG_RUN_S} s`);
  if (!cache) console.log('the pipeline has no --cache option: 3 and 4 are full runs, their bars are not judged');
  if (notes.length) console.log(notes.join('\n'));
  for (const r of results) {
    const stages = stageTable([
      { label: 'cold 12', runs: r.cold },
      { label: 'nothing changed', runs: r.warm },
      { label: '+1 snapshot', runs: r.added },
      { label: 'cold 13', runs: r.cold13 },
    ]);
    if (stages.length) {
      console.log(`\n${r.format} stage medians (runs in brackets):`);
      printTable(stages);
    } else if (r.cold.length) console.log(`\n${r.format}: the pipeline printed no "stage <name>: <t> s" lines`);
  }
}
