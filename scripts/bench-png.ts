// `npm exec -- node scripts/bench-png.ts`: what rasterising slide PNGs costs, on a
// fixed set of real slides (the synthetic test bank through the real pipeline,
// the charts the site exports, in both languages, for the bank and the first branches).
// Renders with the cache off, one at a time and at the default concurrency, and
// reports the median time per chart, throughput and mean PNG size; then a
// cached pass. --settings times PNG encoder settings on the same pixels (the
// numbers behind the choice in src/exports/png.ts).
//
//   npm exec -- node scripts/bench-png.ts [--slides N] [--settings]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type PngOptions } from 'sharp';
import { createRasterizer, RENDERER, svgToPng } from '../src/exports/png.ts';
import { slideSvg } from '../src/exports/slide.ts';
import { pageData } from '../src/site/page.ts';
import { siteOf } from '../src/site/routes.ts';
import { scopeCharts } from '../src/site/catalog.ts';
import { fixtureReport } from '../tests/helpers/report.ts';
import { median } from './bench/measure.ts';

const { values: args } = parseArgs({ options: { slides: { type: 'string', default: '200' }, settings: { type: 'boolean', default: false } } });
const N = Number(args.slides);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** The first `n` charts the site exports for the consecutive period ending at the last snapshot: bank, then branch by branch, zh and en. */
async function slides(n: number): Promise<{ kind: string; svg: string }[]> {
  const { report } = await fixtureReport();
  const site = siteOf(report.meta());
  const asOf = site.meta.snapshots.at(-1)!;
  const period = site.meta.periods.find((p) => p.end === asOf && p.consecutive) ?? site.meta.periods.at(-1)!;
  const out: { kind: string; svg: string }[] = [];
  for (const branch of [null, ...site.meta.branches.map((b) => b.code)])
    for (const lang of ['zh', 'en'] as const)
      for (const { spec } of scopeCharts(pageData({ path: '', lang, kind: branch === null ? 'pyramid' : 'branch', period: period.id, branch }, report, site))) {
        out.push({ kind: spec.id, svg: slideSvg(spec) });
        if (out.length === n) return out;
      }
  return out;
}

/** `workers` loops pulling slides, so with workers ≤ the rasteriser's concurrency no call waits in its queue. */
async function pass(svgs: string[], workers: number, render: (svg: string) => Promise<Buffer>) {
  const times: number[] = [];
  const byIndex: number[] = [];
  let bytes = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < svgs.length) {
        const i = next++;
        const t = performance.now();
        const png = await render(svgs[i]!);
        times.push(performance.now() - t);
        byIndex[i] = times.at(-1)!;
        bytes += png.length;
      }
    }),
  );
  const wall = performance.now() - t0;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: median(times),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    p90: sorted[Math.floor(0.9 * (sorted.length - 1))]!,
    perSec: (svgs.length / wall) * 1000,
    meanBytes: bytes / svgs.length,
    wall,
    byIndex,
  };
}

const t0 = performance.now();
const made = await slides(N);
// A slide librsvg cannot parse is a bug to fix upstream, not a number to average in: count and skip.
const svgs: string[] = [];
const kinds: string[] = [];
const failures = new Map<string, number>();
for (const { kind, svg } of made) {
  try {
    await sharp(Buffer.from(svg)).metadata();
    svgs.push(svg);
    kinds.push(kind);
  } catch (err) {
    const why = (err as Error).message.replace(/line \d+ column \d+/, 'line … column …');
    failures.set(why, (failures.get(why) ?? 0) + 1);
  }
}
console.log(`${made.length} slides from the fixture report in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${os.availableParallelism()} cores; ${RENDERER}`);
for (const [why, n] of failures) console.log(`  skipped ${n} that do not parse: ${why}`);
// Warm up fontconfig, glyph caches and the JIT so the first pass is not penalised.
for (const svg of svgs.slice(0, 8)) await svgToPng(svg);

if (args.settings) {
  // Rasterise once, then time the encoder alone on the same pixels: rasterising costs
  // far more than encoding, and its noise would drown the differences between settings.
  const sample = svgs.slice(0, Math.min(svgs.length, 60));
  const rasterMs: number[] = [];
  const pixels: { rgb: Buffer; rgba: Buffer }[] = [];
  for (const svg of sample) {
    const t = performance.now();
    const rgba = await sharp(Buffer.from(svg), { density: 144 }).raw().toBuffer();
    rasterMs.push(performance.now() - t);
    pixels.push({ rgba, rgb: await sharp(rgba, { raw: { width: 2560, height: 1440, channels: 4 } }).removeAlpha().raw().toBuffer() });
  }
  console.log(`\nrasterising alone: median ${median(rasterMs).toFixed(1)} ms/chart (${sample.length} slides)`);
  const variants: [string, boolean, PngOptions][] = [
    ['level 1', false, { compressionLevel: 1, adaptiveFiltering: false }],
    ['level 2', false, { compressionLevel: 2, adaptiveFiltering: false }],
    ['level 2, alpha kept', true, { compressionLevel: 2, adaptiveFiltering: false }],
    ['level 2, adaptive filtering', false, { compressionLevel: 2, adaptiveFiltering: true }],
    ['level 3', false, { compressionLevel: 3, adaptiveFiltering: false }],
    ['level 4', false, { compressionLevel: 4, adaptiveFiltering: false }],
    ['level 6', false, { compressionLevel: 6, adaptiveFiltering: false }],
    ['level 6, adaptive filtering', false, { compressionLevel: 6, adaptiveFiltering: true }],
    ['level 9', false, { compressionLevel: 9, adaptiveFiltering: false }],
    ['palette (lossy), effort 1', false, { palette: true, effort: 1, compressionLevel: 2 }],
  ];
  console.log('PNG encoding alone (same pixels), median ms/chart and mean size:');
  for (const [name, alpha, png] of variants) {
    const ms: number[] = [];
    let bytes = 0;
    for (const px of pixels) {
      const t = performance.now();
      const out = await sharp(alpha ? px.rgba : px.rgb, { raw: { width: 2560, height: 1440, channels: alpha ? 4 : 3 } }).png(png).toBuffer();
      ms.push(performance.now() - t);
      bytes += out.length;
    }
    console.log(`  ${name.padEnd(28)} ${median(ms).toFixed(1).padStart(6)} ms  ${kb(bytes / pixels.length).padStart(7)}`);
  }
}

console.log(`\nsvgToPng, cache off:`);
for (const c of [...new Set([1, os.availableParallelism()])]) {
  const r = await pass(svgs, c, createRasterizer({ cacheDir: false, concurrency: c }).png);
  console.log(
    `  concurrency ${c}: median ${r.median.toFixed(1)} ms/chart (mean ${r.mean.toFixed(1)}, p90 ${r.p90.toFixed(1)}), ` +
      `${r.perSec.toFixed(1)} charts/s (${(r.wall / svgs.length).toFixed(1)} ms/chart wall), mean PNG ${kb(r.meanBytes)}`,
  );
  if (c === 1) {
    // Which charts the time goes to: one at a time, so each time is that chart's own.
    const per = new Map<string, number[]>();
    r.byIndex.forEach((ms, i) => per.set(kinds[i]!, [...(per.get(kinds[i]!) ?? []), ms]));
    const rows = [...per].map(([kind, ms]) => [kind, median(ms)] as const).sort((a, b) => b[1] - a[1]);
    console.log(`    by chart, median ms: ${rows.map(([k, m]) => `${k} ${m.toFixed(0)}`).join(', ')}`);
  }
}

// The rebuild case: every chart already in the cache.
const dir = await mkdtemp(path.join(os.tmpdir(), 'ts-png-bench-'));
try {
  const fill = createRasterizer({ cacheDir: dir });
  await Promise.all(svgs.map((svg) => fill.png(svg)));
  const warm = createRasterizer({ cacheDir: dir });
  const t = performance.now();
  await Promise.all(svgs.map((svg) => warm.png(svg)));
  const ms = performance.now() - t;
  console.log(`\ncached rebuild: ${svgs.length} hits in ${ms.toFixed(0)} ms (${(ms / svgs.length).toFixed(2)} ms/chart), stats ${JSON.stringify(warm.stats())}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
