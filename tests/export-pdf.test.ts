// The PDF export: the built site's print page printed by Debian's Chromium, then
// read back with poppler (pdfinfo, pdftotext) and checked against the pipeline's
// JSON, read here straight from public/data. Needs a build of the current data:
// dist/ by default, or the folder named by TIERSCOPE_OUT_DIR (the variable the
// site build writes to), so a build elsewhere can be tested without touching dist/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPdfs, CHROMIUM_MISSING, countPdfPages, type PdfResult } from '../src/exports/pdf.ts';
import { date, decimal, fig, valueOf, type Lang } from '../src/lib/format.ts';
import type { Fig, Meta, Ratio, ScopePeriod, ScopeSnapshot, SeriesFile } from '../src/schema/output.ts';
import { reportAt } from '../src/site/data.ts';
import { pageData } from '../src/site/page.ts';
import { href, routesOf, siteOf } from '../src/site/routes.ts';
import { sectionCharts, SECTIONS, type SectionKey } from '../src/site/catalog.ts';
import { PAGE_TITLES } from '../src/site/i18n.ts';
import { missingBrowser } from './e2e/preconditions.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DATA = path.join(ROOT, 'public/data');
const DIST = path.resolve(ROOT, process.env.TIERSCOPE_OUT_DIR || 'dist');
const LANGS: readonly Lang[] = ['zh', 'en'];
const PRINT_PATH: Record<Lang, string> = { zh: '/print/', en: '/en/print/' };

/** Why DIST cannot be printed from, or null: it must hold both print pages and be built from the current public/data. */
function unbuilt(): string | null {
  const why = (() => {
    for (const p of ['print/index.html', 'en/print/index.html']) if (!existsSync(path.join(DIST, p))) return `${p} is missing`;
    for (const f of ['manifest.json', 'meta.json']) {
      const built = path.join(DIST, 'data', f);
      if (!existsSync(built) || !readFileSync(built).equals(readFileSync(path.join(DATA, f)))) return `data/${f} differs from public/data/${f}`;
    }
    return null;
  })();
  return (
    why &&
    `${DIST} is not a build of the current report (${why}): run \`npm run build\` first, or build elsewhere with ` +
      '`TIERSCOPE_OUT_DIR=/tmp/pdf-dist npm run build:site` and run this test with the same TIERSCOPE_OUT_DIR'
  );
}

function missingPoppler(): string | null {
  const missing = ['pdfinfo', 'pdftotext'].filter((cmd) => spawnSync(cmd, ['-v']).error !== undefined);
  return missing.length ? `${missing.join(' and ')} not found: install the Debian package \`poppler-utils\`` : null;
}

// Checked while collecting, as the e2e suite does: an unmet precondition is one
// failing test with its remedy, and the tests that need it are skipped.
const stale = existsSync(path.join(DATA, 'manifest.json')) ? unbuilt() : 'public/data has no manifest.json: run `npm run build` first';
const noBrowser = missingBrowser();
const noPoppler = missingPoppler();

describe('preconditions', () => {
  it('a site built from the current public/data, with its print pages', () => {
    if (stale) throw new Error(stale);
  });
  it('Debian Chromium and CJK fonts are installed', () => {
    if (noBrowser) throw new Error(noBrowser);
  });
  it('poppler-utils is installed', () => {
    if (noPoppler) throw new Error(noPoppler);
  });
});

const tmpDirs: string[] = [];
async function tmp(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

describe('buildPdfs on a small site', () => {
  it('without Chromium, says how to get it or switch the PDF off', async () => {
    const dir = await tmp('tierscope-pdf-site-');
    await writeFile(path.join(dir, 'index.html'), '<p>x</p>');
    await expect(buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/', outFile: path.join(dir, 'x.pdf') }], chromium: path.join(dir, 'no-chromium') })).rejects.toThrow(CHROMIUM_MISSING);
    expect(CHROMIUM_MISSING).toBe('Chromium is needed to make the PDF: apt-get install chromium, or set "exports": {"pdf": false} in tierscope.config.json');
  });

  it('refuses a page that was not built, before starting a browser', async () => {
    const dir = await tmp('tierscope-pdf-site-');
    await expect(buildPdfs({ distDir: dir, jobs: [{ lang: 'zh', path: '/print/', outFile: path.join(dir, 'x.pdf') }], chromium: '/bin/sh' })).rejects.toThrow(/print\/index\.html is missing/);
  });

  describe.skipIf(noBrowser !== null || noPoppler !== null)('in Chromium', () => {
    let dir: string;
    const page = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>@page{size:A4 landscape}</style></head><body>${body}</body></html>`;
    beforeAll(async () => {
      dir = await tmp('tierscope-pdf-site-');
      for (const [p, html] of Object.entries({
        'three/index.html': page('<div style="break-after:page">one</div><div style="break-after:page">two</div><div>three</div>'),
        'logs/index.html': page('<p>x</p><script>console.error("boom from the page")</script>'),
        'broken/index.html': page('<img src="/gone.png" alt="">'),
        // A title of its own, as the print page has: without one Chromium titles the PDF with the URL and its random port.
        'titled/index.html': page('<title>Titled</title><p>one</p>'),
        'linked/index.html': page('<title>Linked</title><p id="top"><a href="/branch/b1/?x=1#sec">branch</a> <a href="#top">here</a> <a href="https://example.org/">out</a></p>'),
      })) {
        await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
        await writeFile(path.join(dir, p), html);
      }
    });

    it('prints a page to an A4 landscape PDF and counts its pages, with pdfinfo or without', async () => {
      const out = path.join(dir, 'out', 'three.pdf');
      const [r] = await buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/three/', outFile: out }] });
      expect(r?.pages).toBe(3);
      const pdf = await readFile(out);
      expect(r?.bytes).toBe(pdf.length);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // A path pdfinfo cannot open: the count comes from the page objects instead.
      expect(await countPdfPages(path.join(dir, 'nowhere.pdf'), pdf)).toBe(3);
      expect(execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' }).split('\f').slice(0, 3).map((s) => s.trim())).toEqual(['one', 'two', 'three']);
    });

    it('gives the same bytes twice when dated with the data (the wall clock is not in the file)', async () => {
      const a = path.join(dir, 'out', 'a.pdf');
      const b = path.join(dir, 'out', 'b.pdf');
      const unpinned = path.join(dir, 'out', 'c.pdf');
      await buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/titled/', outFile: a, asOf: '2025-06-30' }] });
      await new Promise((r) => setTimeout(r, 1100)); // a second later: Chromium's own stamp would differ
      await buildPdfs({
        distDir: dir,
        jobs: [
          { lang: 'en', path: '/titled/', outFile: b, asOf: '2025-06-30' },
          { lang: 'en', path: '/titled/', outFile: unpinned },
        ],
      });
      const [pa, pb, pc] = [await readFile(a), await readFile(b), await readFile(unpinned)];
      expect(pa.equals(pb)).toBe(true);
      expect(pa.toString('latin1')).toContain("/CreationDate (D:20250630000000+00'00')");
      // Pinning changes the dates only: same length, and poppler still reads the file.
      expect(pa.length).toBe(pc.length);
      expect(execFileSync('pdfinfo', [a], { encoding: 'utf8' })).toMatch(/^CreationDate:\s+.*2025/m);
    });

    it('points links at the published site, or prints them as text; never at the local print server', async () => {
      const withSite = path.join(dir, 'out', 'site.pdf');
      const without = path.join(dir, 'out', 'nosite.pdf');
      await buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/linked/', outFile: withSite }], siteUrl: 'https://reports.example.cn/tierscope' });
      await buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/linked/', outFile: without }] });
      const uris = async (f: string) => [...(await readFile(f)).toString('latin1').matchAll(/\/URI \(([^)]*)\)/g)].map((m) => m[1]).sort();
      expect(await uris(withSite)).toEqual(['https://example.org/', 'https://reports.example.cn/tierscope/branch/b1/?x=1#sec']);
      expect(await uris(without)).toEqual(['https://example.org/']);
      for (const f of [withSite, without]) expect((await readFile(f)).toString('latin1')).not.toMatch(/127\.0\.0\.1|localhost/);
    });

    it('fails, naming the page, when it logs an error, misses an asset or is in the other language', async () => {
      const out = path.join(dir, 'out', 'bad.pdf');
      await expect(buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/logs/', outFile: out }] })).rejects.toThrow(/\/logs\/ logged errors:[\s\S]*boom from the page/);
      await expect(buildPdfs({ distDir: dir, jobs: [{ lang: 'en', path: '/broken/', outFile: out }] })).rejects.toThrow(/\/broken\/ logged errors:[\s\S]*HTTP 404: .*\/gone\.png/);
      await expect(buildPdfs({ distDir: dir, jobs: [{ lang: 'zh', path: '/three/', outFile: out }] })).rejects.toThrow('the print page /three/ is in "en", not zh');
      expect(existsSync(out)).toBe(false);
    });
  });
});

// ── The report ──────────────────────────────────────────────────────────────

/** The pipeline's JSON, read here without the site's data layer. */
const json = (rel: string) => JSON.parse(readFileSync(path.join(DATA, rel), 'utf8'));
const squash = (s: string) => s.replace(/\s+/g, '');

describe.skipIf(stale !== null || noBrowser !== null || noPoppler !== null)(`the report PDF (from ${path.relative(ROOT, DIST) || '.'})`, () => {
  const made = new Map<Lang, PdfResult>();
  const text = new Map<Lang, string[]>();
  let meta: Meta;
  let start: string;
  let end: string;
  let bank: ScopeSnapshot;
  let head: ScopePeriod;
  let series: SeriesFile['scopes'][number];

  beforeAll(async () => {
    meta = json('meta.json');
    const headline = meta.periods.find((p) => p.id === meta.headline);
    if (!headline) throw new Error('the sample report has no headline period: these checks need one');
    ({ start, end } = headline);
    bank = json(`snapshots/${end}.json`).scopes.find((s: ScopeSnapshot) => s.branch === null);
    head = json(`periods/${meta.headline}.json`).scopes.find((s: ScopePeriod) => s.branch === null);
    series = json('series.json').scopes.find((s: SeriesFile['scopes'][number]) => s.branch === null);
    const out = await tmp('tierscope-pdf-');
    const results = await buildPdfs({ distDir: DIST, jobs: LANGS.map((lang) => ({ lang, path: PRINT_PATH[lang], outFile: path.join(out, `${lang}.pdf`) })) });
    for (const [i, lang] of LANGS.entries()) {
      const r = results[i]!;
      made.set(lang, r);
      // pdftotext ends every page with a form feed: the last piece is what follows the last page.
      text.set(lang, execFileSync('pdftotext', ['-layout', r.outFile, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\f').slice(0, -1));
    }
  });

  const pagesOf = (lang: Lang) => text.get(lang)!;
  // As the site shows a figure: "< 10" or "—" where withheld.
  const count = (v: Fig, lang: Lang) => fig(v, 'count', lang, meta.privacy.minCell);
  const percent = (v: Ratio, lang: Lang) => fig(v, 'percent', lang, meta.privacy.minCell);
  const asOf = (lang: Lang) => (lang === 'zh' ? `数据截至 ${date(end, 'zh')}` : `Data as of ${date(end, 'en')}`);

  describe.each(LANGS)('%s', (lang) => {
    it('is A4 landscape on every page, and the reported page count is what pdfinfo reads', () => {
      const r = made.get(lang)!;
      const info = execFileSync('pdfinfo', ['-f', '1', '-l', '10000', r.outFile], { encoding: 'utf8' });
      const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
      expect(r.pages).toBe(pages);
      expect(pagesOf(lang).length).toBe(pages);
      const sizes = [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])]);
      expect(sizes.length).toBe(pages);
      // A4 is 297 × 210 mm = 841.89 × 595.28 pt; Chromium rounds the page to whole CSS pixels.
      for (const [w, h] of sizes) {
        expect(Math.abs(w! - 841.89)).toBeLessThan(1.5);
        expect(Math.abs(h! - 595.28)).toBeLessThan(1.5);
      }
      expect(r.bytes).toBe(readFileSync(r.outFile).length);
    });

    it('carries the title, the data-as-of line and "page n of N" in the footer of every page', () => {
      const pages = pagesOf(lang);
      const footer = squash(`${meta.title[lang]} · ${asOf(lang)} · Tierscope`);
      const missing: string[] = [];
      pages.forEach((p, i) => {
        const n = lang === 'zh' ? `(?<!\\d)${i + 1}\\s*/\\s*${pages.length}(?!\\d)` : `(?<!\\d)${i + 1}\\s+of\\s+${pages.length}(?!\\d)`;
        if (!squash(p).includes(footer)) missing.push(`page ${i + 1}: footer line`);
        if (!new RegExp(n).test(p)) missing.push(`page ${i + 1}: page number`);
      });
      expect(missing).toEqual([]);
    });

    it('opens with a cover page alone: title, period, data as of, scope and the generator', () => {
      const cover = squash(pagesOf(lang)[0]!);
      const span = lang === 'zh' ? `${date(start, 'zh')}至${date(end, 'zh')}（较年初）` : `${date(start, 'en')} – ${date(end, 'en')} (year to date)`;
      for (const s of [meta.title[lang], span, date(end, lang), lang === 'zh' ? '全行' : 'Whole bank', `Tierscope ${meta.toolVersion}`, String(meta.snapshots.length)])
        expect(cover, s).toContain(squash(s));
      // Nothing of the summary leaks onto the cover.
      expect(cover).not.toContain(count(bank.customers, lang));
    });

    it('has the executive summary on page 2 with the headline figures of the JSON', () => {
      const summary = squash(pagesOf(lang)[1]!);
      expect(summary.startsWith(squash(PAGE_TITLES.summary[lang]))).toBe(true);
      const figures = {
        customers: count(bank.customers, lang),
        'mid-high customers': count(bank.midHigh.n, lang),
        'mid-high share': percent(bank.midHigh.nShare, lang),
        'mid-high share of assets': percent(bank.midHigh.aumShare, lang),
        'mid-high share of deposits': percent(bank.midHigh.depositsShare, lang),
        'new customers': count(head.newMix.total, lang),
        'mid-high up (gross)': percent(head.pooled.midHigh.gross.up, lang),
        'mid-high down (gross)': percent(head.pooled.midHigh.gross.down, lang),
      };
      const absent = Object.entries(figures).filter(([, v]) => !summary.includes(squash(v)));
      expect(absent, `figures not on the summary page (${JSON.stringify(figures)})`).toEqual([]);
    });

    it('prints each chart on a page of its own, each section from a new page, then the methodology to the end', () => {
      const pages = pagesOf(lang).map(squash);
      const site = siteOf(meta);
      const route = routesOf(site).find((r) => `/${r.path}` === href(site, lang, 'print'))!;
      const page = pageData(route, reportAt(DATA), site);
      // How many charts each section has, from the JSON alone: a bridge per tier
      // with customers at either end, the open-date split where the input had dates.
      const bridges = head.tiers.filter((t) => !(t.start === 0 && t.end === 0)).length;
      const opened = head.newMix.openedInPeriod !== null && head.newMix.reappearing !== null ? 1 : 0;
      const want: Record<SectionKey, number> = { pyramid: 2, concentration: 5, migration: 6 + bridges, 'new-customers': 3 + opened, branches: 1 };
      const charts = SECTIONS.map((s) => ({ section: s, titles: sectionCharts(page, s).map((c) => c.title) }));
      expect(Object.fromEntries(charts.map((c) => [c.section, c.titles.length]))).toEqual(want);

      const firstLine = (i: number) => (pagesOf(lang)[i] ?? '').split('\n').find((l) => l.trim() !== '')?.trim();
      const found: string[] = [];
      const chartPages: number[] = [];
      for (const { section, titles } of charts) {
        const at = titles.map((t) => pages.flatMap((p, i) => (p.includes(squash(t)) ? [i] : [])));
        for (const [k, where] of at.entries()) if (where.length !== 1) found.push(`${section}: “${titles[k]}” on pages ${where.map((i) => i + 1).join(', ') || 'none'}`);
        if (at.some((w) => w.length !== 1)) continue;
        const p = at.map((w) => w[0]!);
        chartPages.push(...p);
        // One chart per page, in page order, with no page between them.
        p.forEach((n, k) => k > 0 && n !== p[k - 1]! + 1 && found.push(`${section}: chart ${k + 1} on page ${n + 1}, want page ${p[k - 1]! + 2}`));
        // The section starts a new page: its title first; the branch table comes before its chart.
        const titlePage = section === 'branches' ? pagesOf(lang).findIndex((_, i) => firstLine(i) === PAGE_TITLES.branches[lang]) : p[0]!;
        if (firstLine(titlePage) !== PAGE_TITLES[section][lang]) found.push(`${section}: page ${titlePage + 1} opens with “${firstLine(titlePage)}”`);
        if (section === 'branches') {
          const table = pages.slice(titlePage, p[0]!).join('');
          const rows = meta.branches.filter((b) => !table.includes(squash(b.label[lang])));
          if (p[0]! - titlePage < 1 || p[0]! - titlePage > 3) found.push(`branches: the league table takes ${p[0]! - titlePage} pages`);
          if (rows.length) found.push(`branches: table pages lack ${rows.map((b) => b.code).join(', ')}`);
        }
      }
      expect(found).toEqual([]);

      const n = pages.length;
      const last = Math.max(...chartPages);
      const method = last + 1;
      expect(firstLine(method)).toBe(PAGE_TITLES.methodology[lang]);
      // Every page is accounted for: cover, summary, one per chart, the branch table, the methodology.
      const tablePages = chartPages.at(-1)! - chartPages.at(-2)! - 1;
      const methodPages = n - method;
      expect(n).toBe(2 + chartPages.length + tablePages + methodPages);
      expect(chartPages.length).toBe(Object.values(want).reduce((a, b) => a + b, 0));
      expect(methodPages).toBeGreaterThanOrEqual(1);
      expect(methodPages).toBeLessThanOrEqual(8);
      expect(Math.min(...chartPages)).toBe(2);
      // The methodology's tier table holds every tier.
      const methodology = pages.slice(method).join('');
      expect(meta.tiers.filter((t) => !methodology.includes(squash(t.label[lang]))).map((t) => t.key)).toEqual([]);
    });

    it('shows the concentration figures of the JSON on the concentration pages', () => {
      const pages = pagesOf(lang).map(squash);
      const start = pages.findIndex((_, i) => pagesOf(lang)[i]!.trim().startsWith(PAGE_TITLES.concentration[lang]));
      expect(start).toBeGreaterThan(1);
      const section = pages.slice(start, start + 5).join('');
      const latest = series.snapshots.at(-1)!;
      expect(latest.date).toBe(end);
      const gini = valueOf(latest.giniAum);
      if (gini !== null) expect(section).toContain(decimal(gini, lang, 3));
      expect(section).toContain(squash(percent(bank.concentration.aum.point80, lang)));
    });
  });

  it('zh is set in a CJK font and reads back as Chinese; en has no Chinese', async () => {
    const pdf = (await readFile(made.get('zh')!.outFile)).toString('latin1');
    const fonts = [...pdf.matchAll(/\/FontName\s*\/(?:[A-Z]{6}\+)?([^\s/>]+)/g)].map((m) => m[1]!);
    expect(fonts.filter((f) => /CJK|SourceHan|WenQuanYi|WQY|DroidSansFallback/i.test(f)), `fonts: ${fonts.join(', ')}`).not.toEqual([]);
    const zh = pagesOf('zh');
    expect(zh[0]).toContain(meta.title.zh);
    expect((zh.join('').match(/\p{Script=Han}/gu) ?? []).length).toBeGreaterThan(2000);
    expect(pagesOf('en').join('').match(/\p{Script=Han}/gu)).toBeNull();
  });
});
