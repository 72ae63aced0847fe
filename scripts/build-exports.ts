// The exports alone, against an existing build (`npm run build:exports`), and the
// step `npm run build` runs after the site: reads the report JSON the site was
// built from, writes into the built site folder, prints what it wrote.
import { fileURLToPath } from 'node:url';
import { reportAt } from '../src/site/data.ts';
import { siteOf } from '../src/site/routes.ts';
import { settingsOf, type ExportSettings } from '../src/site/exportSettings.ts';
import { findConfig, loadConfig } from '../src/engine/configFile.ts';
import { inputDir } from './build-data.ts';
import { runExports, summaryLines } from '../src/exports/run.ts';
import { OutputRefused, writeInPlace } from '../src/engine/outputDir.ts';

export async function exportAll(opts: { outDir: string; settings: ExportSettings; siteUrl?: string | null }): Promise<void> {
  const report = reportAt();
  const site = siteOf(report.meta());
  const summary = await runExports({ report, site, outDir: opts.outDir, settings: opts.settings, siteUrl: opts.siteUrl ?? null });
  for (const line of summaryLines(summary)) process.stderr.write(`${line}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { config } = await loadConfig(await findConfig(await inputDir()));
  const outDir = process.env.TIERSCOPE_OUT_DIR || 'dist';
  // Into the built site in place, only if it is Tierscope's; what it adds is marked as the build's own (src/engine/outputDir.ts).
  writeInPlace(outDir, () => exportAll({ outDir, settings: settingsOf(config.exports), siteUrl: config.exports.siteUrl }), { data: ['data', await inputDir()] }).catch((e) => {
    if (e instanceof OutputRefused) {
      process.stderr.write(`exports: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`exports: failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
