// The exports of the built site (dist/, after `npm run build`): every chart of
// every scope and period has its SVG, PNG, CSV and embed page and nothing else
// sits in the export folders; PNGs are 2560×1440 and not blank; SVGs parse as XML
// with their title and data-as-of line; CSVs agree with the period JSON; the
// deck and the PDF exist for both languages.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { date, type Lang } from '../../src/lib/format.ts';
import { periodScope, reportAt, type Report } from '../../src/site/data.ts';
import { pageData } from '../../src/site/page.ts';
import { embedHref, exportHref, fileOfHref, reportFileHref, siteOf, type Site } from '../../src/site/routes.ts';
import { scopeCharts } from '../../src/site/catalog.ts';
import { exportTargets, type ExportTarget } from '../../src/exports/run.ts';
import { staleDist } from './preconditions.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const stale = staleDist(ROOT);
const fileOf = (url: string) => fileOfHref(DIST, url);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

let report: Report;
let site: Site;
let targets: ExportTarget[];
/** Every chart file the pages link to, by target. */
const expected = new Map<string, { target: ExportTarget; id: string; title: string }>();

beforeAll(() => {
  if (stale) return;
  report = reportAt(path.join(ROOT, 'public/data'));
  site = siteOf(report.meta());
  targets = exportTargets(site);
  for (const target of targets)
    for (const { spec } of scopeCharts(pageData(target.route, report, site)))
      expected.set(exportHref(site, target.where, spec.id, 'svg'), { target, id: spec.id, title: spec.title });
});

describe.skipIf(stale)('exports in dist/', () => {
  it('every chart of every scope, period and language has SVG, PNG, CSV and an embed page, and nothing else is there', () => {
    const want = new Set<string>();
    for (const { target, id } of expected.values()) {
      for (const ext of ['svg', 'png', 'csv'] as const) want.add(fileOf(exportHref(site, target.where, id, ext)));
      want.add(fileOf(embedHref(site, target.where, id)));
    }
    const head = site.meta.periods.find((p) => p.id === site.headline)!;
    for (const lang of ['zh', 'en'] as const)
      for (const kind of ['pptx', 'pdf'] as const) want.add(fileOf(reportFileHref(site, { lang, period: head.id, asOf: head.end, branch: null }, kind)));
    const have = new Set([...['exports', 'embed', 'en/exports', 'en/embed'].flatMap((d) => walk(path.join(DIST, d)))]);
    const missing = [...want].filter((f) => !have.has(f));
    const extra = [...have].filter((f) => !want.has(f));
    expect(missing.slice(0, 10), `${missing.length} missing`).toEqual([]);
    expect(extra.slice(0, 10), `${extra.length} unexpected`).toEqual([]);
    // Sample bank: 12 periods × 41 scopes × 2 languages, about 20 charts each.
    expect(expected.size).toBeGreaterThan(2 * 12 * 41 * 15);
  });

  it('every PNG is 2560×1440 and complete (IHDR size, IEND at the end)', async () => {
    const bad: string[] = [];
    for (const svgUrl of expected.keys()) {
      const file = fileOf(svgUrl.replace(/\.svg$/, '.png'));
      const fh = await open(file, 'r');
      try {
        const { size } = await fh.stat();
        const head = Buffer.alloc(24);
        const tail = Buffer.alloc(12);
        await fh.read(head, 0, 24, 0);
        await fh.read(tail, 0, 12, size - 12);
        const ok =
          head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) &&
          head.readUInt32BE(16) === 2560 &&
          head.readUInt32BE(20) === 1440 &&
          tail.subarray(4, 8).toString('latin1') === 'IEND';
        if (!ok) bad.push(file);
      } finally {
        await fh.close();
      }
    }
    expect(bad.slice(0, 10), `${bad.length} bad PNGs`).toEqual([]);
  });

  it('sampled PNGs are not blank: ink on a white slide', async () => {
    const all = [...expected.keys()];
    const sample = all.filter((_, i) => i % Math.ceil(all.length / 40) === 0);
    for (const svgUrl of sample) {
      const stats = await sharp(fileOf(svgUrl.replace(/\.svg$/, '.png'))).stats();
      // A blank slide has zero spread; a chart's text and marks give tens of levels of spread.
      const spread = Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev));
      expect(spread, svgUrl).toBeGreaterThan(10);
    }
  });

  it('sampled SVGs parse as XML at 1280×720 with the chart title and the data-as-of line', async () => {
    const all = [...expected.entries()];
    const sample = all.filter((_, i) => i % Math.ceil(all.length / 200) === 0);
    for (const [url, { target, title }] of sample) {
      const svg = await readFile(fileOf(url));
      const m = await sharp(svg).metadata();
      expect([m.format, m.width, m.height], url).toEqual(['svg', 1280, 720]);
      const { document } = parseHTML(svg.toString('utf8'));
      expect(document.querySelector('title')?.textContent, url).toBe(title);
      const lang: Lang = target.where.lang;
      const asOf = lang === 'zh' ? `数据截至${date(target.where.asOf, 'zh')}` : `data as of ${date(target.where.asOf, 'en')}`;
      expect(svg.toString('utf8'), url).toContain(asOf);
    }
  });

  it('the bank’s tier-bridge CSVs agree with the period JSON, row for row', async () => {
    for (const target of targets.filter((t) => t.where.branch === null && t.where.lang === 'en')) {
      const scope = periodScope(report.period(target.where.period!), null);
      for (const flow of scope.tiers.filter((x) => !(x.start === 0 && x.end === 0))) {
        const url = exportHref(site, target.where, `migration-bridge-${flow.tier}`, 'csv');
        if (!existsSync(fileOf(url))) throw new Error(`${url} missing (chart ids: ${[...expected.values()].filter((e) => e.target === target).map((e) => e.id).join(', ')})`);
        const text = (await readFile(fileOf(url), 'utf8')).replace(/^\uFEFF/, '');
        const rows = text.trimEnd().split('\r\n').map((r) => r.split(','));
        const value = (name: RegExp) => rows.find((r) => name.test(r[0] ?? ''))?.[1];
        const want = (v: unknown) => (typeof v === 'number' ? String(v) : v === null ? '' : 'suppressed');
        expect(value(/^Start/i), url).toBe(want(flow.start));
        expect(value(/^End/i), url).toBe(want(flow.end));
        expect(value(/^New/i), url).toBe(want(flow.new));
      }
    }
  });

  it('the deck and the PDF are there for both languages, non-trivial in size', () => {
    const head = site.meta.periods.find((p) => p.id === site.headline)!;
    for (const lang of ['zh', 'en'] as const)
      for (const kind of ['pptx', 'pdf'] as const) {
        const file = fileOf(reportFileHref(site, { lang, period: head.id, asOf: head.end, branch: null }, kind));
        expect(statSync(file).size, file).toBeGreaterThan(100_000);
      }
  });
});
