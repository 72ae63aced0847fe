// `npm run build`: the pipeline (or the sample bank), the Astro site, then the
// exports (per-chart SVG/PNG/CSV and embed pages, the PPTX deck, the PDF), with
// each step's time. The config's `exports` field decides what is exported, and
// TIERSCOPE_EXPORTS=off skips exports for a quick preview; the site build is told
// the same, so pages link only to files that exist.
//
// The site and its exports are built in a temporary folder beside dist/ and
// swapped in only when complete: a failed or killed build leaves the previous
// dist/ as it was, and the next build clears what a killed one left behind.
// dist/ (TIERSCOPE_OUT_DIR) is replaced only when absent, empty or a previous
// build's; anything else is refused with exit code 2 before any work
// (src/engine/outputDir.ts).
import { fileURLToPath } from 'node:url';
import { buildData, inputDir, npmRun, StepFailed } from './build-data.ts';
import { findConfig, loadConfig } from '../src/engine/configFile.ts';
import { checkOutputFolder, OutputError, OutputRefused, stageFolder, type StagedFolder } from '../src/engine/outputDir.ts';
import { ConfigError } from '../src/lib/config.ts';
import { EXPORT_SETTINGS_ENV, settingsOf } from '../src/site/exportSettings.ts';
import { slugNoteLines } from '../src/site/routes.ts';
import { siteData } from '../src/site/page.ts';
import { countHtmlPages, siteThroughput } from '../src/site/pageCount.ts';

const OUT_DIR = process.env.TIERSCOPE_OUT_DIR || 'dist';

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

let staged: StagedFolder | null = null;

async function main() {
  const t0 = performance.now();
  // Refused before the data step: a dist/ the build may not replace costs no pipeline run.
  await checkOutputFolder(OUT_DIR, { data: ['data', await inputDir()] });
  const dataDir = process.argv.includes('--skip-data') ? await inputDir() : await buildData();
  const tData = performance.now();
  const { config } = await loadConfig(await findConfig(dataDir));
  const settings = settingsOf(config.exports);
  staged = await stageFolder(OUT_DIR, { data: ['data', dataDir] });
  const env = {
    ...process.env,
    [EXPORT_SETTINGS_ENV]: JSON.stringify(settings),
    ASTRO_TELEMETRY_DISABLED: '1',
    TIERSCOPE_OUT_DIR: staged.dir,
  };
  for (const line of slugNoteLines(siteData().site.slugNotes)) process.stderr.write(`build: ${line}\n`);
  process.stderr.write(`build: data ${((tData - t0) / 1000).toFixed(1)} s; building the site\n`);
  const tSite = performance.now();
  npmRun('build:site', [], env);
  const siteMs = performance.now() - tSite;
  // Counted before the exports add their embed pages: the figure is the site's alone.
  process.stderr.write(`build: ${siteThroughput(await countHtmlPages(staged.dir), siteMs)}\n`);
  if (settings.charts === false && !settings.deck && !settings.pdf) {
    process.stderr.write(`build: exports off (${process.env.TIERSCOPE_EXPORTS ? 'TIERSCOPE_EXPORTS' : '"exports": {"enabled": false}'})\n`);
  } else {
    // Loaded only now: the site build must not wait for sharp or Chromium.
    const { exportAll } = await import('./build-exports.ts');
    await exportAll({ outDir: staged.dir, settings, siteUrl: config.exports.siteUrl });
  }
  await staged.commit();
  staged = null;
  process.stderr.write(`build: wrote ${OUT_DIR}/; done in ${seconds(t0)}\n`);
}

async function fail(message: string, code: number): Promise<never> {
  await staged?.abort();
  process.stderr.write(`build: ${message}\n`);
  process.exit(code);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void fail(`stopped (${signal}); ${OUT_DIR}/ was left as it was`, 130));
  main().catch((e) => {
    if (e instanceof OutputRefused) return fail(e.message, 2);
    if (e instanceof StepFailed) return fail(`${e.message}; ${OUT_DIR}/ was left as it was`, e.exitCode);
    if (e instanceof ConfigError || e instanceof OutputError) return fail((e as Error).message, e instanceof OutputError ? 3 : 1);
    return fail(`failed: ${(e as Error).message}; ${OUT_DIR}/ was left as it was`, 1);
  });
}
