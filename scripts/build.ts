// `npm run build`: the pipeline (or the sample bank), the Astro site, then the
// exports (per-chart SVG/PNG/CSV and embed pages, the PPTX deck, the PDF), with
// each step's time. The config's `exports` field decides what is exported, and
// TIERSCOPE_EXPORTS=off skips exports for a quick preview; the site build is told
// the same, so pages link only to files that exist.
import { fileURLToPath } from 'node:url';
import { buildData, inputDir, npmRun } from './build-data.ts';
import { findConfig, loadConfig } from '../src/engine/configFile.ts';
import { ConfigError } from '../src/lib/config.ts';
import { EXPORT_SETTINGS_ENV, settingsOf } from '../src/site/exportSettings.ts';

const OUT_DIR = process.env.TIERSCOPE_OUT_DIR || 'dist';

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

async function main() {
  const t0 = performance.now();
  const dataDir = process.argv.includes('--skip-data') ? await inputDir() : await buildData();
  const tData = performance.now();
  const { config } = await loadConfig(await findConfig(dataDir));
  const settings = settingsOf(config.exports);
  const env = { ...process.env, [EXPORT_SETTINGS_ENV]: JSON.stringify(settings), ASTRO_TELEMETRY_DISABLED: '1' };
  process.stderr.write(`build: data ${((tData - t0) / 1000).toFixed(1)} s; building the site\n`);
  const tSite = performance.now();
  npmRun('build:site', [], env);
  process.stderr.write(`build: site ${seconds(tSite)}\n`);
  if (settings.charts === false && !settings.deck && !settings.pdf) {
    process.stderr.write(`build: exports off (${process.env.TIERSCOPE_EXPORTS ? 'TIERSCOPE_EXPORTS' : '"exports": {"enabled": false}'}); done in ${seconds(t0)}\n`);
    return;
  }
  // Loaded only now: the site build must not wait for sharp or Chromium.
  const { exportAll } = await import('./build-exports.ts');
  await exportAll({ outDir: OUT_DIR, settings, siteUrl: config.exports.siteUrl });
  process.stderr.write(`build: done in ${seconds(t0)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`build: ${e instanceof ConfigError ? '' : 'failed: '}${(e as Error).message}\n`);
    process.exit(1);
  });
}
