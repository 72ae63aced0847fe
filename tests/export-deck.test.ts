// The PPTX deck, read back as a zip: its slides, native charts (values straight
// from the snapshot JSON, withheld values blank, never 0), pictures with alt text,
// speaker notes, and the same bytes for the same report. Converted to PDF with
// LibreOffice where it is installed.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import PptxGenJS from 'pptxgenjs';
import sharp from 'sharp';
import { addNativeChart, buildDeck, finaliseDeck } from '../src/exports/deck.ts';
import type { ChartSpec, NativeChart } from '../src/charts/types.ts';
import { reportAt, type Report } from '../src/site/data.ts';
import { siteOf, type Site } from '../src/site/routes.ts';
import { pageData } from '../src/site/page.ts';
import { scopeCharts } from '../src/site/catalog.ts';
import { generateSampleBank } from '../src/lib/sampleBank.ts';
import { fixtureReport } from './helpers/report.ts';
import { runInProcess, tempDir } from './helpers/pipeline.ts';

let report: Report;
let site: Site;
let whitePng: Buffer;
const pictured: string[] = [];
const png = async (spec: ChartSpec) => {
  pictured.push(spec.id);
  return whitePng;
};
const decks: Record<'zh' | 'en', { buf: Buffer; zip: JSZip }> = {} as never;
const SITE_URL = 'https://example.org/tierscope/';
const SECTION_ORDER = ['pyramid', 'concentration', 'migration', 'new-customers', 'branches'];

beforeAll(async () => {
  ({ report } = await fixtureReport());
  site = siteOf(report.meta());
  whitePng = await sharp({ create: { width: 2560, height: 1440, channels: 3, background: '#fff' } }).png().toBuffer();
  for (const lang of ['zh', 'en'] as const) {
    const buf = await buildDeck({ report, site, lang, branch: null, png, siteUrl: lang === 'en' ? SITE_URL : null });
    decks[lang] = { buf, zip: await JSZip.loadAsync(buf) };
  }
});

// ── Reading the package ─────────────────────────────────────────────────────

const text = async (zip: JSZip, name: string): Promise<string> => {
  const f = zip.file(name);
  if (!f) throw new Error(`${name} is not in the deck`);
  return f.async('string');
};
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const slideNames = (zip: JSZip) =>
  Object.keys(zip.files)
    .map((n) => /^ppt\/slides\/slide(\d+)\.xml$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
/** All the text runs of a slide or notes page, joined. */
const runs = (xml: string) => [...xml.matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((m) => unescape(m[1]!)).join('\n');
const slideText = async (zip: JSZip, n: number) => runs(await text(zip, `ppt/slides/slide${n}.xml`));
const notesText = async (zip: JSZip, n: number) => runs(await text(zip, `ppt/notesSlides/notesSlide${n}.xml`));
/** The chart part a slide shows, if it shows one. */
async function chartOf(zip: JSZip, n: number): Promise<string | null> {
  const rels = await text(zip, `ppt/slides/_rels/slide${n}.xml.rels`);
  const target = /Target="(?:\.\.|\/ppt)\/charts\/(chart\d+\.xml)"/.exec(rels)?.[1];
  return target ? `ppt/charts/${target}` : null;
}

interface Series {
  name: string;
  categories: string[];
  count: number;
  /** Published points by index; a blank has none. */
  values: Map<number, number>;
}
const points = (block: string) => [...block.matchAll(/<c:pt idx="(\d+)"><c:v>([^<]*)<\/c:v><\/c:pt>/g)].map((m) => [Number(m[1]), unescape(m[2]!)] as const);
function seriesOf(chartXml: string): Series[] {
  return [...chartXml.matchAll(/<c:ser>([\s\S]*?)<\/c:ser>/g)].map(([, s]) => {
    const name = unescape(/<c:tx>[\s\S]*?<c:v>([^<]*)<\/c:v>/.exec(s!)?.[1] ?? '');
    const cat = /<c:cat>([\s\S]*?)<\/c:cat>/.exec(s!)?.[1] ?? '';
    const val = /<c:val>([\s\S]*?)<\/c:val>/.exec(s!)?.[1] ?? /<c:yVal>([\s\S]*?)<\/c:yVal>/.exec(s!)?.[1] ?? '';
    return {
      name,
      categories: points(cat).map(([, v]) => v),
      count: Number(/<c:ptCount val="(\d+)"\/>/.exec(val)?.[1] ?? NaN),
      values: new Map(points(val).map(([i, v]) => [i, Number(v)])),
    };
  });
}

/** The charts the bank's headline-period pages show, counted from the JSON and the site's section rules. */
function expectedCharts(branch: string | null) {
  const meta = report.meta();
  const scope = report.period(meta.headline!).scopes.find((s) => s.branch === branch)!;
  const bridges = scope.tiers.filter((t) => !(t.start === 0 && t.end === 0)).length;
  const opened = scope.newMix.openedInPeriod !== null && scope.newMix.reappearing !== null ? 1 : 0;
  const pictures = 2 + 1 + bridges + 1; // two heat maps, the Sankey, the tier bridges, the asset bridge
  const native = 2 + 5 + 2 + (3 + opened) + (branch === null ? 1 : 0); // pyramids, concentration, rates + trend, new customers, branches
  return { pictures, native, charts: pictures + native };
}

// ── The deck ─────────────────────────────────────────────────────────────────

describe('PPTX deck of the whole bank', () => {
  it('has a title slide, one slide per chart and a closing slide', () => {
    const { charts } = expectedCharts(null);
    for (const lang of ['zh', 'en'] as const) expect(slideNames(decks[lang].zip)).toEqual(Array.from({ length: charts + 2 }, (_, i) => i + 1));
  });

  it('is a 16:9 widescreen deck', async () => {
    const pres = await text(decks.en.zip, 'ppt/presentation.xml');
    // 13.333 in × 7.5 in in EMU.
    expect(pres).toMatch(/<p:sldSz cx="12192000" cy="6858000"/);
  });

  it('titles the deck with the report title, scope, period and data date, and links back to the site', async () => {
    const meta = report.meta();
    const zh = await slideText(decks.zh.zip, 1);
    expect(zh).toContain(meta.title.zh);
    expect(zh).toContain('全行');
    expect(zh).toContain('数据截至2025年3月31日');
    expect(zh).toContain('2024年12月31日至2025年3月31日（较年初）');
    // No URL given: the page is named in words.
    expect(zh).toContain('Tierscope报告网站的 / 页面');
    const en = await slideText(decks.en.zip, 1);
    expect(en).toContain(meta.title.en);
    expect(en).toContain('Whole bank');
    expect(en).toContain('Data as of 31 Mar 2025');
    expect(en).toContain('Period: 31 Dec 2024 – 31 Mar 2025 (year to date)');
    const rels = await text(decks.en.zip, 'ppt/slides/_rels/slide1.xml.rels');
    expect(rels).toMatch(/Target="https:\/\/example\.org\/tierscope\/en\/" TargetMode="External"/);
    expect(await text(decks.en.zip, 'ppt/slides/slide1.xml')).toMatch(/<a:hlinkClick r:id="rId\d+"/);
  });

  it('makes native charts of the charts that have one and pictures of the rest, in the site’s order', async () => {
    const { pictures, native } = expectedCharts(null);
    const charts = Object.keys(decks.en.zip.files).filter((n) => /^ppt\/charts\/chart\d+\.xml$/.test(n));
    expect(charts).toHaveLength(native);
    expect(Object.keys(decks.en.zip.files).filter((n) => /^ppt\/embeddings\/.*\.xlsx$/.test(n))).toHaveLength(native);
    const pics = [];
    for (const n of slideNames(decks.en.zip)) pics.push(...(await text(decks.en.zip, `ppt/slides/slide${n}.xml`)).matchAll(/<p:pic>/g));
    expect(pics).toHaveLength(pictures);
    // Both decks asked for the same pictures: heat maps, Sankey, bridges — never a chart that has a native form.
    expect(pictured).toHaveLength(2 * pictures);
    for (const id of pictured) expect(id).toMatch(/^migration-(heatmap-(gross|adjusted)|sankey|bridge-.+|asset-bridge)$/);
    // The first chart slide is the asset pyramid; the slide after the pictures the migration rates.
    expect(await chartOf(decks.en.zip, 2)).not.toBeNull();
    expect(await text(decks.en.zip, (await chartOf(decks.en.zip, 2))!)).toContain('<c:barDir val="bar"/>');
  });

  it('follows the site’s chart order, and says on a slide when its chart withholds values', async () => {
    const charts = scopeCharts(pageData({ path: '', lang: 'en', kind: 'summary', period: site.headline, branch: null }, report, site));
    expect(charts.map((c) => c.section)).toEqual([...charts.map((c) => c.section)].sort((a, b) => SECTION_ORDER.indexOf(a) - SECTION_ORDER.indexOf(b)));
    for (const [i, { spec }] of charts.entries()) {
      const xml = await text(decks.en.zip, `ppt/slides/slide${i + 2}.xml`);
      const words = runs(xml);
      expect(words.split('\n')[0], `slide ${i + 2}`).toBe(spec.title);
      expect(words).toContain(spec.subtitle);
      expect(words).toContain(spec.source);
      if (!xml.includes('<p:pic>')) continue;
      // A picture's withheld cells are hatched or "—": the slide says what that means, and only then.
      const hidden = spec.table.rows.some((r) => r.some((c) => c.suppressed !== undefined));
      expect(words.includes('Hatched areas, “—” and “< 10” mark values withheld'), spec.id).toBe(hidden);
    }
  });

  it('gives the pyramid the customer and asset shares of each tier, as in the snapshot JSON', async () => {
    const meta = report.meta();
    const bank = report.snapshot('2025-03-31').scopes.find((s) => s.branch === null)!;
    const xml = await text(decks.en.zip, (await chartOf(decks.en.zip, 2))!);
    expect(xml).toContain('<c:grouping val="clustered"/>');
    const [assets, customers] = ['Share of assets', 'Share of customers'].map((name) => seriesOf(xml).find((s) => s.name === name));
    expect(assets).toBeDefined();
    expect(customers).toBeDefined();
    for (const t of bank.tiers) {
      const label = meta.tiers.find((x) => x.key === t.tier)!.label.en;
      const i = customers!.categories.indexOf(label);
      expect(i, label).toBeGreaterThanOrEqual(0);
      expect(customers!.values.get(i)).toBe(t.nShare);
      expect(assets!.values.get(assets!.categories.indexOf(label))).toBe(t.aumShare);
    }
    // Shares are stored as fractions and shown as percentages.
    expect(xml).toContain('<c:formatCode>0.00%</c:formatCode>');
  });

  it('gives the Gini trend one point per snapshot, as in series.json', async () => {
    const bank = report.series().scopes.find((s) => s.branch === null)!;
    let found = false;
    for (const n of slideNames(decks.en.zip)) {
      const part = await chartOf(decks.en.zip, n);
      if (!part) continue;
      const xml = await text(decks.en.zip, part);
      const assets = seriesOf(xml).find((s) => s.name === 'Assets' && xml.includes('<c:lineChart>'));
      if (!assets) continue;
      found = true;
      expect(assets.categories).toEqual(['31 Dec 2024', '31 Jan 2025', '28 Feb 2025', '31 Mar 2025']);
      expect([...assets.values.values()]).toEqual(bank.snapshots.map((s) => s.giniAum));
    }
    expect(found).toBe(true);
  });

  it('draws the migration rates as 100 % stacked bars per start tier, pooled rows included', async () => {
    const scope = report.period(report.meta().headline!).scopes.find((s) => s.branch === null)!;
    let xml: string | null = null;
    for (const n of slideNames(decks.en.zip)) {
      const part = await chartOf(decks.en.zip, n);
      if (part && (await text(decks.en.zip, part)).includes('<c:grouping val="percentStacked"/>')) xml = await text(decks.en.zip, part);
    }
    expect(xml).not.toBeNull();
    const up = seriesOf(xml!).find((s) => s.name === 'Moved up ↑')!;
    expect(up.categories).toContain('All tiers, pooled');
    const ordinary = up.categories.indexOf('Ordinary');
    expect(up.values.get(ordinary)).toBe(scope.tiers.find((t) => t.tier === 'ordinary')!.rates.gross.up);
    // The ordinary tier cannot move down: no point, not a 0.
    const down = seriesOf(xml!).find((s) => s.name === 'Moved down ↓')!;
    expect(scope.tiers.find((t) => t.tier === 'ordinary')!.rates.gross.down).toBeNull();
    expect(down.values.has(ordinary)).toBe(false);
  });

  it('puts alt text on every picture and every chart', async () => {
    for (const lang of ['zh', 'en'] as const)
      for (const n of slideNames(decks[lang].zip)) {
        const xml = await text(decks[lang].zip, `ppt/slides/slide${n}.xml`);
        for (const [pic] of xml.matchAll(/<p:pic>[\s\S]*?<\/p:pic>/g)) expect(/<p:cNvPr [^>]*descr="([^"]+)"/.exec(pic)?.[1]?.trim().length ?? 0, `slide ${n}`).toBeGreaterThan(20);
        for (const [frame] of xml.matchAll(/<p:graphicFrame>[\s\S]*?<\/p:graphicFrame>/g)) expect(/<p:cNvPr [^>]*descr="([^"]+)"/.exec(frame)?.[1]?.trim().length ?? 0, `slide ${n}`).toBeGreaterThan(20);
      }
  });

  it('writes speaker notes on every chart slide: the narrative first, then notes and definitions', async () => {
    const customers = report.snapshot('2025-03-31').scopes.find((s) => s.branch === null)!.customers as number;
    const n = customers.toLocaleString('en-US');
    const { charts } = expectedCharts(null);
    const en2 = await notesText(decks.en.zip, 2);
    expect(en2).toContain('Highlights');
    expect(en2).toContain(`the bank serves ${n} customers`);
    // The pyramid's section: tiers and the contribution index defined.
    expect(en2).toMatch(/Contribution index: The tier’s average assets per customer/);
    const zh2 = await notesText(decks.zh.zip, 2);
    expect(zh2).toContain(`全行共有客户${n}户`);
    expect(zh2).toContain('贡献度指数：');
    for (let k = 2; k <= charts + 1; k++) {
      expect(await notesText(decks.en.zip, k), `notes of slide ${k}`).toContain('Definitions');
      expect(await notesText(decks.zh.zip, k), `notes of slide ${k}`).toContain('定义');
    }
    // One paragraph per line, in the deck's language.
    const xml = await text(decks.zh.zip, 'ppt/notesSlides/notesSlide2.xml');
    expect(xml).toContain('<a:rPr lang="zh-CN" dirty="0"/><a:t>要点</a:t>');
    expect(xml).not.toMatch(/<a:t>[^<]*[\r\n][^<]*<\/a:t>/);
  });

  it('closes with the method and the number of withheld cells from quality.json', async () => {
    const q = report.quality().suppressed;
    const total = q.frequency + q.dominance + q.secondary;
    const last = slideNames(decks.en.zip).at(-1)!;
    const en = await slideText(decks.en.zip, last);
    expect(en).toContain(`The report withholds ${total.toLocaleString('en-US')} cells (${q.frequency.toLocaleString('en-US')} by the frequency rule, ${q.dominance.toLocaleString('en-US')} by the p % rule, ${q.secondary.toLocaleString('en-US')} by secondary suppression)`);
    expect(en).toContain('none of them is zero');
    expect(en).toContain(`fewer than ${report.meta().privacy.minCell} customers`);
    const zh = await slideText(decks.zh.zip, slideNames(decks.zh.zip).at(-1)!);
    expect(zh).toContain(`本报告共隐藏${total.toLocaleString('en-US')}个格子`);
  });

  it('names a CJK font for Chinese and a plain one for English', async () => {
    expect(await text(decks.zh.zip, 'ppt/slides/slide2.xml')).toContain('typeface="Microsoft YaHei"');
    expect(await text(decks.zh.zip, 'ppt/theme/theme1.xml')).toContain('<a:ea typeface="Microsoft YaHei"/>');
    const en = await text(decks.en.zip, 'ppt/slides/slide2.xml');
    expect(en).toContain('typeface="Arial"');
    expect(en).not.toContain('YaHei');
  });

  it('gives the same bytes for the same report, dated by the data', async () => {
    const again = await buildDeck({ report, site, lang: 'en', branch: null, png, siteUrl: SITE_URL });
    expect(again.equals(decks.en.buf)).toBe(true);
    for (const f of Object.values(decks.en.zip.files)) expect(f.date.toISOString(), f.name).toBe('2025-03-31T00:00:00.000Z');
    expect(await text(decks.en.zip, 'docProps/core.xml')).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-31T00:00:00Z</dcterms:created>');
  });
});

describe('PPTX deck of a branch with withheld figures', () => {
  it('leaves withheld pyramid shares blank in the chart and its workbook, keeps true zeros, and says so', async () => {
    const meta = report.meta();
    const scopes = report.snapshot('2025-03-31').scopes.filter((s) => s.branch !== null);
    const withheld = (s: (typeof scopes)[number]) => s.tiers.some((t) => typeof t.nShare === 'object');
    const small = scopes.find((s) => withheld(s) && s.tiers.some((t) => t.nShare === 0)) ?? scopes.find(withheld);
    expect(small, 'the fixture has a branch with a withheld tier share').toBeDefined();
    const buf = await buildDeck({ report, site, lang: 'en', branch: small!.branch, png });
    const zip = await JSZip.loadAsync(buf);
    const { charts } = expectedCharts(small!.branch);
    expect(slideNames(zip)).toHaveLength(charts + 2);
    expect(await slideText(zip, 1)).toContain(meta.branches.find((b) => b.code === small!.branch)!.label.en);

    const part = (await chartOf(zip, 2))!;
    const customers = seriesOf(await text(zip, part)).find((s) => s.name === 'Share of customers')!;
    expect(customers.count).toBe(small!.tiers.length);
    const workbook = await JSZip.loadAsync(await zip.file(part.replace('charts/chart', 'embeddings/Microsoft_Excel_Worksheet').replace('.xml', '.xlsx'))!.async('uint8array'));
    const sheet = await workbook.file('xl/worksheets/sheet1.xml')!.async('string');
    // Column B holds the first series ("Share of customers"); row 2 onward the categories in chart order.
    expect(sheet).toMatch(/<c r="B1" t="s">/);
    for (const t of small!.tiers) {
      const i = customers.categories.indexOf(meta.tiers.find((x) => x.key === t.tier)!.label.en);
      expect(i).toBeGreaterThanOrEqual(0);
      const cell = new RegExp(`<c r="B${i + 2}"><v>([^<]*)</v></c>`).exec(sheet);
      if (typeof t.nShare === 'object' && t.nShare !== null) {
        expect(customers.values.has(i), `${t.tier} is withheld: no point`).toBe(false);
        expect(cell, `${t.tier} is withheld: no cell`).toBeNull();
      } else {
        expect(customers.values.get(i)).toBe(t.nShare);
        expect(Number(cell?.[1])).toBe(t.nShare);
      }
    }
    expect(await slideText(zip, 2)).toContain('Blanks (missing bars, breaks in lines) are values withheld to protect privacy; they are not zero.');
  });
});

describe('PPTX deck with a single snapshot', () => {
  it('has no period, and only the stock charts', async () => {
    const root = await tempDir('ts-deck-single-');
    const input = path.join(root, 'in');
    const out = path.join(root, 'out');
    await mkdir(input, { recursive: true });
    for (const snap of generateSampleBank({ customers: 4000, dates: ['2025-06-30'] }))
      await writeFile(path.join(input, `snapshot_${snap.date}.csv`), Buffer.concat([...snap.csvChunks()]));
    await runInProcess(input, out);
    const one = reportAt(out);
    const buf = await buildDeck({ report: one, site: siteOf(one.meta()), lang: 'en', branch: null, png });
    const zip = await JSZip.loadAsync(buf);
    // Two pyramids, five concentration charts, the branch comparison; nothing needs two snapshots.
    expect(slideNames(zip)).toHaveLength(1 + 8 + 1);
    const title = await slideText(zip, 1);
    expect(title).toContain('A single snapshot: no period to compare');
    expect(title).toContain('Data as of 30 Jun 2025');
    expect(await notesText(zip, 2)).toContain('Highlights');
  });
});

describe('native chart kinds', () => {
  const deckOf = async (n: NativeChart) => {
    const pptx = new PptxGenJS();
    pptx.layout = 'LAYOUT_WIDE';
    addNativeChart(pptx, pptx.addSlide(), n, { x: 0.5, y: 0.5, w: 12, h: 6 }, 'en', 'A test chart');
    const raw = (await pptx.write({ outputType: 'nodebuffer' })) as Buffer;
    return JSZip.loadAsync(await finaliseDeck(raw, { when: new Date('2025-01-31T00:00:00Z'), lang: 'en' }));
  };

  it('writes a doughnut with one coloured slice per category', async () => {
    const zip = await deckOf({ kind: 'doughnut', categories: ['A', 'B', 'C'], series: [{ name: 'Mix', values: [0.5, 0.3, 0.2], color: '#000000' }], valueFormat: 'percent', withheld: false });
    const xml = await text(zip, 'ppt/charts/chart1.xml');
    expect(xml).toContain('<c:doughnutChart>');
    expect([...seriesOf(xml)[0]!.values.values()]).toEqual([0.5, 0.3, 0.2]);
    expect(xml.match(/<c:dPt>/g)).toHaveLength(3);
  });

  it('keeps a line’s blanks and zeros apart, in the chart and in its workbook', async () => {
    const zip = await deckOf({ kind: 'line', categories: ['Jan', 'Feb', 'Mar', 'Apr'], series: [{ name: 'Rate', values: [0.1, null, 0, 0.2], color: '#2166ac' }], valueFormat: 'percent', withheld: true });
    const xml = await text(zip, 'ppt/charts/chart1.xml');
    const s = seriesOf(xml)[0]!;
    expect(s.count).toBe(4);
    expect([...s.values.entries()]).toEqual([
      [0, 0.1],
      [2, 0],
      [3, 0.2],
    ]);
    expect(xml).toContain('<c:dispBlanksAs val="gap"/>');
    const sheet = await (await JSZip.loadAsync(await zip.file('ppt/embeddings/Microsoft_Excel_Worksheet1.xlsx')!.async('uint8array'))).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(sheet).toContain('<c r="B2"><v>0.1</v></c>');
    expect(sheet).not.toContain('<c r="B3">');
    expect(sheet).toContain('<c r="B4"><v>0</v></c>');
  });
});

// ── LibreOffice ──────────────────────────────────────────────────────────────

const soffice = ['soffice', 'libreoffice'].find((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0);

describe('PPTX deck in LibreOffice', () => {
  it.skipIf(!soffice)(`converts to a PDF with one page per slide${soffice ? '' : ' (skipped: LibreOffice — soffice/libreoffice — is not on PATH)'}`, async () => {
    const dir = await tempDir('ts-deck-pdf-');
    const file = path.join(dir, 'deck.pptx');
    await writeFile(file, decks.zh.buf);
    const t0 = performance.now();
    // A profile of its own, so a LibreOffice already running (or a parallel test) cannot lock it.
    const r = spawnSync(soffice!, [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file], { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.status, r.stderr).toBe(0);
    const pdf = await readFile(path.join(dir, 'deck.pdf'), 'latin1');
    const pages = pdf.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    expect(pages).toBe(expectedCharts(null).charts + 2);
    console.info(`LibreOffice converted the ${pages}-slide deck in ${seconds.toFixed(1)} s`);
  });
});
