// The export half of `npm run build`: for every chart of every scope (bank and
// branch) and period the site shows, in both languages, a slide-style SVG, a 2×
// PNG, a CSV of its data and an embed page; then the PPTX deck(s) and the PDF of
// the report. Everything goes into the built site folder, at the URLs the pages
// link to (src/site/routes.ts), and the run reports what it wrote and how long it took.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LANGS, type Lang } from '../lib/format.ts';
import type { Report } from '../site/data.ts';
import { pageData } from '../site/page.ts';
import { embedHref, exportHref, fileOfHref, href, reportFileHref, type ExportScope, type Route, type Site } from '../site/routes.ts';
import { scopeCharts, type SectionKey } from '../site/catalog.ts';
import { hasPng, type ExportSettings } from '../site/exportSettings.ts';
import type { ChartSpec } from '../charts/types.ts';
import { renderSvg } from '../charts/render.ts';
import { chartOnlySvg, slideSvg } from './slide.ts';
import { tableCsv } from './csv.ts';
import { embedHtml } from './embed.ts';
import { cjkFontGuard, createRasterizer } from './png.ts';
import { buildDeck } from './deck.ts';
import { buildPdfs } from './pdf.ts';

export interface ExportOptions {
  report: Report;
  site: Site;
  /** The built site folder (dist/). */
  outDir: string;
  settings: ExportSettings;
  siteUrl?: string | null;
  /** Progress and the summary; stderr by default. */
  log?: (line: string) => void;
  /** PNG cache folder; null = no cache. */
  pngCache?: string | null;
}

export type ExportKind = 'svg' | 'png' | 'csv' | 'embed' | 'pptx' | 'pdf';

export interface ExportSummary {
  files: Record<ExportKind, { count: number; bytes: number }>;
  charts: number;
  scopes: number;
  pngRendered: number;
  pngCached: number;
  ms: Record<'charts' | 'deck' | 'pdf' | 'total', number>;
}

/** One (language, period, scope) the site shows charts for. */
export interface ExportTarget {
  where: ExportScope;
  route: Route;
}

/** Every scope and period the pages show charts for, in a stable order. */
export function exportTargets(site: Site): ExportTarget[] {
  const meta = site.meta;
  const periods: (string | null)[] = meta.periods.length ? meta.periods.map((p) => p.id) : [null];
  const latest = meta.snapshots.at(-1) ?? '';
  const out: ExportTarget[] = [];
  for (const lang of LANGS)
    for (const period of periods)
      for (const branch of [null, ...meta.branches.map((b) => b.code)]) {
        const asOf = period === null ? latest : (meta.periods.find((p) => p.id === period)?.end ?? latest);
        out.push({
          where: { lang, period, asOf, branch },
          route: { path: '', lang, kind: branch === null ? 'pyramid' : 'branch', period, branch },
        });
      }
  return out;
}

/** The report page a chart sits on, with its fragment. */
export function chartPageHref(site: Site, where: ExportScope, section: SectionKey, chartId: string): string {
  const page =
    where.branch === null
      ? href(site, where.lang, section, { period: where.period })
      : href(site, where.lang, 'branch', { branch: where.branch, period: where.period });
  return `${page}#${chartId}`;
}

export async function runExports(opts: ExportOptions): Promise<ExportSummary> {
  const { report, site, outDir, settings } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const t0 = performance.now();
  const files = Object.fromEntries((['svg', 'png', 'csv', 'embed', 'pptx', 'pdf'] as const).map((k) => [k, { count: 0, bytes: 0 }])) as ExportSummary['files'];
  const made = new Set<string>();
  const write = async (url: string, kind: ExportKind, body: string | Buffer) => {
    const file = fileOfHref(outDir, url);
    if (!path.resolve(file).startsWith(path.resolve(outDir) + path.sep)) throw new Error(`export path ${url} leaves ${outDir}`);
    if (made.has(file)) throw new Error(`two exports would be written to ${url}`);
    made.add(file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
    files[kind].count++;
    files[kind].bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  };

  const rasterizer = createRasterizer(opts.pngCache === null ? {} : { cacheDir: opts.pngCache });
  const fontCheck = cjkFontGuard();

  let charts = 0;
  let scopes = 0;
  const targets = settings.charts ? exportTargets(site) : [];
  const pending = new Set<Promise<void>>();
  let lastLog = performance.now();
  for (const target of targets) {
    const page = pageData(target.route, report, site);
    for (const { section, spec } of scopeCharts(page)) {
      const svg = renderSvg(spec);
      const slide = slideSvg(spec, svg);
      await write(exportHref(site, target.where, spec.id, 'svg'), 'svg', slide);
      await write(exportHref(site, target.where, spec.id, 'csv'), 'csv', tableCsv(spec.table, target.where.lang));
      await write(embedHref(site, target.where, spec.id), 'embed', embedHtml({ spec, svg, lang: target.where.lang, pageHref: chartPageHref(site, target.where, section, spec.id) }));
      if (hasPng(settings, target.where.branch)) {
        await fontCheck(slide);
        const job = rasterizer.png(slide).then((buf) => write(exportHref(site, target.where, spec.id, 'png'), 'png', buf));
        pending.add(job);
        const done = () => void pending.delete(job);
        job.then(done, done);
        // Bounded: enough queued to keep every core busy, never the whole site in memory.
        if (pending.size >= 32) await Promise.race(pending);
      }
      charts++;
    }
    scopes++;
    if (performance.now() - lastLog > 30_000 || scopes === targets.length) {
      lastLog = performance.now();
      log(`exports: ${scopes}/${targets.length} scopes, ${charts} charts, ${((lastLog - t0) / 1000).toFixed(0)} s`);
    }
  }
  await Promise.all(pending);
  const tCharts = performance.now();

  const head = site.headline;
  const latest = site.meta.snapshots.at(-1) ?? '';
  const headEnd = site.meta.periods.find((p) => p.id === head)?.end ?? latest;
  // The deck's slides carry title and footer themselves, so their pictures are the chart alone.
  const slidePng = async (spec: ChartSpec) => {
    const svg = chartOnlySvg(spec);
    await fontCheck(svg);
    return rasterizer.png(svg);
  };
  if (settings.deck) {
    const branches = settings.branchDecks ? [null, ...site.meta.branches.map((b) => b.code)] : [null];
    for (const lang of LANGS)
      for (const branch of branches) {
        if (lang === 'zh') await fontCheck(site.meta.title.zh);
        const deck = await buildDeck({ report, site, lang, branch, png: slidePng, siteUrl: opts.siteUrl ?? null });
        await write(reportFileHref(site, { lang, period: head, asOf: headEnd, branch }, 'pptx'), 'pptx', deck);
      }
  }
  const tDeck = performance.now();
  if (settings.pdf) {
    const jobs = LANGS.map((lang: Lang) => ({
      lang,
      path: href(site, lang, 'print'),
      outFile: fileOfHref(outDir, reportFileHref(site, { lang, period: head, asOf: headEnd, branch: null }, 'pdf')),
      asOf: headEnd,
    }));
    for (const m of await buildPdfs({ distDir: outDir, jobs, siteUrl: opts.siteUrl ?? null })) {
      files.pdf.count++;
      files.pdf.bytes += m.bytes;
    }
  }
  const tEnd = performance.now();
  const stats = rasterizer.stats();
  return {
    files,
    charts,
    scopes,
    pngRendered: stats.rendered,
    pngCached: stats.cached,
    ms: { charts: tCharts - t0, deck: tDeck - tCharts, pdf: tEnd - tDeck, total: tEnd - t0 },
  };
}

const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

/** The lines the build prints after exporting. */
export function summaryLines(s: ExportSummary): string[] {
  const lines = (Object.entries(s.files) as [ExportKind, { count: number; bytes: number }][])
    .filter(([, f]) => f.count > 0)
    .map(([k, f]) => `  ${k.padEnd(6)} ${String(f.count).padStart(7)} files  ${MB(f.bytes).padStart(10)}`);
  return [
    `exports: ${s.charts} charts of ${s.scopes} scope-periods in ${(s.ms.charts / 1000).toFixed(1)} s` +
      (s.pngRendered + s.pngCached > 0 ? ` (PNG: ${s.pngRendered} drawn, ${s.pngCached} from cache)` : ''),
    ...lines,
    `exports: deck ${(s.ms.deck / 1000).toFixed(1)} s, PDF ${(s.ms.pdf / 1000).toFixed(1)} s, total ${(s.ms.total / 1000).toFixed(1)} s`,
  ];
}
