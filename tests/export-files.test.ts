// The per-chart export files made without a browser or rasteriser: the CSV of a
// chart's data, the standalone slide SVG, the embed page, and where they go.
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseHTML } from 'linkedom';
import { cellField, neutraliseFormula, SUPPRESSED_MARK, tableCsv } from '../src/exports/csv.ts';
import { plainNumber } from '../src/lib/format.ts';
import { emWidth, slideSvg, wrapText, xmlEscape } from '../src/exports/slide.ts';
import { embedHtml, htmlEscape } from '../src/exports/embed.ts';
import { exportTargets, chartPageHref } from '../src/exports/run.ts';
import { embedHref, exportHref, reportFileHref, siteOf, branchSlugs, type Site } from '../src/site/routes.ts';
import { exportSettings, hasPng, settingsOf, ALL_EXPORTS, EXPORT_SETTINGS_ENV, NO_EXPORTS } from '../src/site/exportSettings.ts';
import { parseConfig } from '../src/lib/config.ts';
import { pageData } from '../src/site/page.ts';
import { scopeCharts } from '../src/site/catalog.ts';
import { snapshotScope, type Report } from '../src/site/data.ts';
import { pyramidChart } from '../src/charts/pyramid.ts';
import { renderSvg } from '../src/charts/render.ts';
import type { ChartContext, ChartSpec, DataTable } from '../src/charts/types.ts';
import { fixtureReport } from './helpers/report.ts';
import { parseCsv } from './helpers/csv.ts';

let report: Report;
let site: Site;
beforeAll(async () => {
  ({ report } = await fixtureReport());
  site = siteOf(report.meta());
});

describe('CSV', () => {
  const table: DataTable = {
    columns: [
      { label: 'Name', numeric: false },
      { label: 'Assets', numeric: true },
      { label: 'Share', numeric: true },
      { label: 'Customers', numeric: true },
    ],
    rows: [
      [{ text: '=HYPERLINK("x")', value: '=HYPERLINK("x")' }, { text: '¥1.23', value: 123, kind: 'amount' }, { text: '7.00%', value: 0.07, kind: 'percent' }, { text: '-12', value: -12, kind: 'count' }],
      [{ text: '城东, "支行"', value: '城东, "支行"' }, { text: '—', value: null, suppressed: 'dominance', kind: 'amount' }, { text: '—', value: null, kind: 'percent' }, { text: '< 10', value: null, suppressed: 'frequency', kind: 'count' }],
      [{ text: '@SUM(A1)', value: '@SUM(A1)' }, { text: '-¥0.05', value: -5, kind: 'amount' }, { text: '', value: 1 / 3, kind: 'percent' }, { text: '+1', value: 1, kind: 'count' }],
    ],
  };

  it('starts with a UTF-8 BOM, ends rows with CRLF, and states units in the header', () => {
    const csv = tableCsv(table, 'en');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const rows = parseCsv(csv.slice(1));
    expect(rows[0]).toEqual(['Name', 'Assets (CNY)', 'Share (%)', 'Customers']);
    expect(parseCsv(tableCsv(table, 'zh').slice(1))[0]).toEqual(['Name', 'Assets（元）', 'Share（%）', 'Customers']);
  });

  it('writes amounts in 元 and shares in percent at full precision, negative numbers as numbers', () => {
    const rows = parseCsv(tableCsv(table, 'en').slice(1));
    // 123 fen = 1.23 元; 0.07 → 7 (not 7.000000000000001); -5 fen = -0.05 元.
    expect(rows[1]!.slice(1)).toEqual(['1.23', '7', '-12']);
    expect(rows[3]!.slice(1)).toEqual(['-0.05', '33.3333333333333', '1']);
  });

  it('marks withheld cells as withheld (never 0 or blank) and leaves undefined ones empty', () => {
    const rows = parseCsv(tableCsv(table, 'en').slice(1));
    expect(rows[2]!.slice(1)).toEqual([SUPPRESSED_MARK.en, '', SUPPRESSED_MARK.en]);
    expect(parseCsv(tableCsv(table, 'zh').slice(1))[2]![1]).toBe('已隐藏');
  });

  it('neutralises text a spreadsheet would run as a formula, and quotes commas and quotes', () => {
    const rows = parseCsv(tableCsv(table, 'en').slice(1));
    expect(rows[1]![0]).toBe(`'=HYPERLINK("x")`);
    expect(rows[3]![0]).toBe(`'@SUM(A1)`);
    expect(rows[2]![0]).toBe('城东, "支行"');
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) expect(neutraliseFormula(`${lead}1`)).toBe(`'${lead}1`);
    expect(neutraliseFormula('a=1')).toBe('a=1');
    expect(cellField({ text: '', value: '-cmd', kind: undefined }, 'en')).toBe(`'-cmd`);
  });

  it('prints numbers without exponents or float noise', () => {
    expect(plainNumber(0.1 + 0.2)).toBe('0.3');
    expect(plainNumber(1e-7)).toBe('0.0000001');
    expect(plainNumber(123456789012)).toBe('123456789012');
    expect(plainNumber(-0)).toBe('0');
  });

  it('the pyramid CSV matches the snapshot JSON row for row', () => {
    const meta = report.meta();
    const asOf = meta.snapshots.at(-1)!;
    for (const branch of [null, 'B040', 'B007']) {
      const ctx: ChartContext = { lang: 'en', meta, branch, period: null, asOf };
      const scope = snapshotScope(report.snapshot(asOf), branch);
      const rows = parseCsv(tableCsv(pyramidChart(ctx, scope, 'aum').table, 'en').slice(1));
      const header = rows[0]!;
      const nCol = header.findIndex((h) => /^Customers$/i.test(h));
      const aumCol = header.findIndex((h) => h === 'Assets (AUM) (CNY)');
      expect(nCol, header.join('|')).toBeGreaterThan(0);
      expect(aumCol, header.join('|')).toBeGreaterThan(0);
      for (const tier of scope.tiers) {
        const label = meta.tiers.find((t) => t.key === tier.tier)!.label.en;
        const row = rows.find((r) => r[0] === label);
        expect(row, `${branch ?? 'bank'} ${label}`).toBeDefined();
        const expectN = typeof tier.n === 'number' ? String(tier.n) : SUPPRESSED_MARK.en;
        const expectAum = typeof tier.aum === 'number' ? (tier.aum / 100).toFixed(2).replace(/\.?0+$/, '') : tier.aum === null ? '' : SUPPRESSED_MARK.en;
        expect(row![nCol]).toBe(expectN);
        expect(row![aumCol]).toBe(expectAum);
      }
    }
  });

  it('every chart table keeps one unit per column, so the header states it truly', () => {
    const route = { path: '', lang: 'zh' as const, kind: 'branch' as const, period: site.headline, branch: 'B003' };
    const bank = { ...route, kind: 'pyramid' as const, branch: null };
    for (const r of [route, bank])
      for (const { spec } of scopeCharts(pageData(r, report, site))) {
        spec.table.columns.forEach((_, i) => {
          const kinds = new Set(spec.table.rows.map((row) => row[i]?.kind).filter((k) => k !== undefined));
          expect(kinds.size, `${spec.id} column ${i}: ${[...kinds].join(', ')}`).toBeLessThanOrEqual(1);
        });
      }
  });
});

describe('slide SVG', () => {
  const specOf = (lang: 'zh' | 'en', branch: string | null = null): ChartSpec => {
    const meta = report.meta();
    const asOf = meta.snapshots.at(-1)!;
    return pyramidChart({ lang, meta, branch, period: null, asOf }, snapshotScope(report.snapshot(asOf), branch), 'aum');
  };

  it('is a 1280×720 SVG document that an XML parser accepts, with title, subtitle and the data-as-of footer', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const spec = specOf(lang);
      const svg = slideSvg(spec);
      // librsvg (libxml2) rejects malformed XML; it reads the declared size.
      const m = await sharp(Buffer.from(svg)).metadata();
      expect([m.format, m.width, m.height]).toEqual(['svg', 1280, 720]);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      const { document } = parseHTML(svg);
      const texts = [...document.querySelectorAll('text')].map((t) => t.textContent ?? '').join('\n');
      expect(texts).toContain(spec.title.slice(0, 10));
      expect(texts).toContain(spec.subtitle);
      const asOf = report.meta().snapshots.at(-1)!;
      const [y, mo, d] = asOf.split('-').map(Number);
      expect(texts).toContain(lang === 'zh' ? `数据截至${y}年${mo}月${d}日` : 'data as of');
      expect(svg).not.toMatch(/<style|<link|@import|href="http/);
      expect(svg).toContain('Noto Sans CJK SC');
    }
  });

  it('escapes hostile text for XML', async () => {
    const spec = { ...specOf('en'), title: `<img src=x onerror=alert(1)> & "q" </svg>\u0000`, subtitle: `'single' <b>` };
    const svg = slideSvg(spec);
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('\u0000');
    const m = await sharp(Buffer.from(svg)).metadata();
    expect(m.width).toBe(1280);
    const { document } = parseHTML(svg);
    expect(document.querySelector('title')?.textContent).toBe(`<img src=x onerror=alert(1)> & "q" </svg>`);
    // The chart's own aria-label carries the title too: escaped for XML, not just for HTML.
    expect(document.querySelector('svg svg')?.getAttribute('aria-label')).toContain(`<img src=x onerror=alert(1)> & "q" </svg>`);
    expect(xmlEscape(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });

  it('wraps long titles to the width, and cuts past the line limit with an ellipsis', () => {
    expect(emWidth('中文')).toBe(2);
    expect(emWidth('ab')).toBeCloseTo(1.12, 5);
    const zh = '中'.repeat(50);
    const lines = wrapText(zh, 20, 2);
    expect(lines).toEqual(['中'.repeat(20), `${'中'.repeat(19)}…`]);
    const en = 'Mid-high customers are 4.40% of customers but hold 87.43% of assets';
    const wrapped = wrapText(en, 20, 3);
    expect(wrapped.join(' ')).toBe(en);
    for (const l of wrapped) expect(emWidth(l)).toBeLessThanOrEqual(20);
  });
});

describe('embed page', () => {
  it('holds the chart, its title and source and a link back, with no page chrome; text is escaped', () => {
    const meta = report.meta();
    const asOf = meta.snapshots.at(-1)!;
    const spec = pyramidChart({ lang: 'zh', meta, branch: null, period: null, asOf }, snapshotScope(report.snapshot(asOf), null), 'aum');
    const hostile = { ...spec, title: '<script>alert(1)</script>"' };
    const html = embedHtml({ spec: hostile, svg: renderSvg(spec), lang: 'zh', pageHref: '/pyramid/#pyramid-aum' });
    expect(html).not.toContain('<script>');
    const { document } = parseHTML(html);
    expect(document.querySelector('.title')?.textContent).toBe('<script>alert(1)</script>"');
    expect(document.querySelectorAll('nav, header, footer')).toHaveLength(0);
    expect(document.querySelectorAll('svg[role="img"]')).toHaveLength(1);
    expect(document.querySelector('a[target="_top"]')?.getAttribute('href')).toBe('/pyramid/#pyramid-aum');
    expect(document.documentElement.getAttribute('lang')).toBe('zh-CN');
    expect(htmlEscape(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });
});

describe('export URLs', () => {
  it('are /exports/<period>/<scope>/<chart>.<ext> and /embed/…/<chart>/, the same under /en/', () => {
    const p = site.headline!;
    const zh = { lang: 'zh' as const, period: p, asOf: '2025-03-31', branch: null };
    expect(exportHref(site, zh, 'pyramid-aum', 'png')).toBe(`/exports/${p}/bank/pyramid-aum.png`);
    expect(exportHref(site, { ...zh, lang: 'en', branch: 'B001' }, 'lorenz', 'csv')).toBe(`/en/exports/${p}/b001/lorenz.csv`);
    expect(embedHref(site, zh, 'sankey')).toBe(`/embed/${p}/bank/sankey/`);
    expect(reportFileHref(site, { ...zh, lang: 'en' }, 'pdf')).toBe(`/en/exports/${p}/bank/report.pdf`);
    // With no period (a single snapshot) the folder is the snapshot date.
    expect(exportHref(site, { ...zh, period: null }, 'x', 'svg')).toBe('/exports/2025-03-31/bank/x.svg');
  });

  it('a branch coded "bank" cannot take the bank’s folder', () => {
    const slugs = branchSlugs(['BANK', 'B1']);
    expect(slugs.get('BANK')).not.toBe('bank');
    expect(slugs.get('BANK')).toMatch(/^bank-[0-9a-f]{8}$/);
  });

  it('every scope and period is a target once per language, and no two charts share a file', () => {
    const meta = report.meta();
    const targets = exportTargets(site);
    expect(targets).toHaveLength(2 * meta.periods.length * (meta.branches.length + 1));
    const seen = new Set<string>();
    for (const t of targets.filter((x) => x.where.branch === null || x.where.branch === 'B002'))
      for (const { spec, section } of scopeCharts(pageData(t.route, report, site))) {
        const url = exportHref(site, t.where, spec.id, 'svg');
        expect(seen.has(url), url).toBe(false);
        seen.add(url);
        expect(chartPageHref(site, t.where, section, spec.id)).toMatch(/^\/(en\/)?[a-z-]+\/.*#[a-z0-9-]+$/);
      }
  });
});

describe('export settings', () => {
  it('reach a site built on its own: what the build passed down, else TIERSCOPE_EXPORTS, else everything', () => {
    const passed = { charts: { png: 'bank' }, deck: true, branchDecks: false, pdf: false };
    expect(exportSettings({ [EXPORT_SETTINGS_ENV]: JSON.stringify(passed), TIERSCOPE_EXPORTS: 'off' })).toEqual(passed);
    expect(exportSettings({ TIERSCOPE_EXPORTS: 'off' })).toEqual(NO_EXPORTS);
    expect(exportSettings({ TIERSCOPE_EXPORTS: 'NO' })).toEqual(NO_EXPORTS);
    expect(exportSettings({ TIERSCOPE_EXPORTS: 'on' })).toEqual(ALL_EXPORTS);
    expect(exportSettings({})).toEqual(ALL_EXPORTS);
  });

  it('come from the config, and TIERSCOPE_EXPORTS=off turns everything off', () => {
    const all = parseConfig({}).exports;
    expect(settingsOf(all, {})).toEqual({ charts: { png: 'all' }, deck: true, branchDecks: false, pdf: true });
    expect(settingsOf(all, { TIERSCOPE_EXPORTS: 'off' })).toEqual(NO_EXPORTS);
    expect(settingsOf(parseConfig({ exports: { enabled: false } }).exports, {})).toEqual(NO_EXPORTS);
    expect(settingsOf(parseConfig({ exports: { png: false, pdf: false } }).exports, {})).toEqual({ charts: { png: 'none' }, deck: true, branchDecks: false, pdf: false });
    const bankOnly = settingsOf(parseConfig({ exports: { png: 'bank' } }).exports, {});
    expect([hasPng(bankOnly, null), hasPng(bankOnly, 'B001')]).toEqual([true, false]);
    expect([hasPng(settingsOf(all, {}), 'B001'), hasPng(NO_EXPORTS, null)]).toEqual([true, false]);
    expect(() => parseConfig({ exports: { png: 'branches' } })).toThrow(/png/);
    expect(() => parseConfig({ exports: { siteUrl: 'javascript:alert(1)' } })).toThrow(/siteUrl/);
  });
});
