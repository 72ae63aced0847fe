// The PPTX deck of one scope (the bank or a branch) for the headline period: a
// title slide, one slide per chart in the site's order (scopeCharts), and a
// closing slide on method and privacy. A chart with a `native` description becomes
// an editable PowerPoint chart whose blanks stay blank; the others are the PNG the
// caller renders. pptxgenjs writes the file; a final pass repairs what it gets
// wrong for us (nulls written as 0 in the embedded workbook, one-run notes, no
// East Asian theme font) and pins every timestamp, so the same report gives the
// same bytes.
import PptxGenJS from 'pptxgenjs';
import JSZip from 'jszip';
import type { ChartSpec, NativeChart, NativeValueFormat } from '../charts/types.ts';
import { L, periodLabel, scopeLabel, sourceLine } from '../charts/common.ts';
import { count, date, utcDate, type Lang } from '../lib/format.ts';
import type { Report } from '../site/data.ts';
import { scopeCharts, type SectionKey } from '../site/catalog.ts';
import { DEFINITIONS, ROUNDING, type Definition } from '../site/methodology.ts';
import { narrativeOf } from '../site/summary.ts';
import { pageData } from '../site/page.ts';
import { href, type Route, type Site } from '../site/routes.ts';
import { pngInfo } from './png.ts';

export interface DeckOptions {
  report: Report;
  site: Site;
  lang: Lang;
  /** null = the whole bank. */
  branch: string | null;
  /** The slide-style picture of a chart (2560×1440 PNG), for charts with no native form. */
  png: (spec: ChartSpec) => Promise<Buffer>;
  /** The site's absolute root URL; without it the deck names the page in words. */
  siteUrl?: string | null;
}

/** Slide size in inches (PowerPoint's 16:9 "widescreen"). */
export const DECK_SIZE = { w: 13.333, h: 7.5 } as const;

/** A CJK font every Office install since 2007 has (DengXian, the theme's Hans font, is the fallback); plain Arial for English. */
export const DECK_FONTS: Record<Lang, string> = { zh: 'Microsoft YaHei', en: 'Arial' };
const LANG_TAG: Record<Lang, string> = { zh: 'zh-CN', en: 'en-US' };

const M = 0.5;
const W = DECK_SIZE.w - 2 * M;
const CHART_BOX = { x: M, y: 1.75, w: W, h: 4.75 };
const INK = '1A1A1A';
const GREY = '555555';

/** The definitions each section's slides rely on, by their English term in methodology.ts. */
const SECTION_TERMS: Record<SectionKey, string[]> = {
  pyramid: ['Tier', 'Mid-high', 'Share', 'Contribution index'],
  concentration: ['Lorenz curve', 'Gini', 'Top-p share', '80/20 check'],
  migration: ['New, lost, retained', 'Transition matrix', 'Gross rates (the headline)', 'Adjusted rates', 'Pooled rates', 'Mobility index', 'Branch transfers', 'Tier bridge', 'Asset bridge'],
  'new-customers': ['New, lost, retained', 'New-customer mix', 'Net change vs new'],
  branches: ['Scope', 'Mid-high', 'Share'],
};

/** A definition of methodology.ts by its English term; a renamed term fails the build, not the deck silently. */
function definition(term: string): Definition {
  const d = DEFINITIONS.flatMap((x) => x.items).find((x) => x.term.en === term);
  if (!d) throw new Error(`deck: methodology.ts has no definition "${term}"`);
  return d;
}

export const sectionDefinitions = (section: SectionKey): Definition[] => SECTION_TERMS[section].map(definition);

const defined = (d: Definition, lang: Lang) => `${d.term[lang]}${L(lang, '：', ': ')}${d.text[lang]}`;

/** What a blank means on a slide: said wherever a chart has withheld values. */
export const BLANKS_NOTE: Record<'native' | 'picture', Record<Lang, string>> = {
  native: {
    zh: '图中空白（缺失的柱、断开的线）为因隐私保护未公布的数值，不是零。',
    en: 'Blanks (missing bars, breaks in lines) are values withheld to protect privacy; they are not zero.',
  },
  picture: {
    zh: '斜线区域与“—”“< 10”为因隐私保护未公布的数值，不是零。',
    en: 'Hatched areas, “—” and “< 10” mark values withheld to protect privacy; they are not zero.',
  },
};

export async function buildDeck(opts: DeckOptions): Promise<Buffer> {
  const { report, site, lang, branch } = opts;
  const meta = site.meta;
  if (branch !== null && !meta.branches.some((b) => b.code === branch)) throw new Error(`deck: no branch ${JSON.stringify(branch)}`);
  const route: Route = { path: '', lang, kind: branch === null ? 'summary' : 'branch', period: site.headline, branch };
  const page = pageData(route, report, site);
  const charts = scopeCharts(page);
  const font = DECK_FONTS[lang];
  const text = { fontFace: font, lang: LANG_TAG[lang], color: INK } as const;
  const scope = scopeLabel(meta, branch, lang);

  const pptx = new PptxGenJS();
  pptx.layout = 'LAYOUT_WIDE';
  pptx.title = `${meta.title[lang]} · ${scope}`;
  pptx.subject = page.period ? periodLabel(page.period, lang) : date(page.end, lang);
  pptx.author = 'Tierscope';
  pptx.company = '';
  pptx.revision = '1';
  pptx.theme = { headFontFace: font, bodyFontFace: font };
  // Real title placeholders, so the outline, screen readers and the accessibility checker find each slide's title.
  pptx.defineSlideMaster({
    title: 'TS_TITLE',
    background: { color: 'FFFFFF' },
    objects: [{ placeholder: { options: { name: 'title', type: 'title', x: M, y: 1.6, w: W, h: 1.5, fontFace: font, fontSize: 36, bold: true, color: INK, align: 'left', valign: 'bottom' }, text: '' } }],
  });
  pptx.defineSlideMaster({
    title: 'TS_CHART',
    background: { color: 'FFFFFF' },
    objects: [{ placeholder: { options: { name: 'title', type: 'title', x: M, y: 0.3, w: W, h: 0.95, fontFace: font, fontSize: 22, bold: true, color: INK, align: 'left', valign: 'top' }, text: '' } }],
    slideNumber: { x: DECK_SIZE.w - M - 0.6, y: 6.95, w: 0.6, h: 0.35, fontFace: font, fontSize: 10, color: GREY, align: 'right' },
  });

  const link = siteLink(site, lang, branch, opts.siteUrl ?? null);
  const asOfLine = L(lang, `数据截至${date(page.end, lang)}`, `Data as of ${date(page.end, lang)}`);

  // ── Title ──────────────────────────────────────────────────────────────────
  {
    const s = pptx.addSlide({ masterName: 'TS_TITLE' });
    s.addText(meta.title[lang], { placeholder: 'title', ...text });
    const periodText = page.period
      ? L(lang, `统计期间：${periodLabel(page.period, lang)}`, `Period: ${periodLabel(page.period, lang)}`)
      : L(lang, '只有一个快照：没有可比较的期间', 'A single snapshot: no period to compare');
    s.addText(
      [
        { text: scope, options: { ...text, fontSize: 24, bold: true, breakLine: true } },
        { text: periodText, options: { ...text, fontSize: 18, color: GREY, breakLine: true } },
        { text: asOfLine, options: { ...text, fontSize: 18, color: GREY } },
      ],
      { x: M, y: 3.3, w: W, h: 1.6, valign: 'top', margin: 0 },
    );
    s.addText(link.runs(text, 14), { x: M, y: 5.6, w: W, h: 0.8, valign: 'top', margin: 0 });
  }

  // ── One slide per chart ──────────────────────────────────────────────────
  // The narrative is written for the bank, so a branch deck quotes it as such.
  const highlights = narrativeOf(page);
  for (const [i, { section, spec }] of charts.entries()) {
    const s = pptx.addSlide({ masterName: 'TS_CHART' });
    s.addText(spec.title, { placeholder: 'title', ...text });
    s.addText(spec.subtitle, { ...text, x: M, y: 1.3, w: W, h: 0.4, fontSize: 14, color: GREY, valign: 'top', margin: 0 });
    const alt = `${spec.title}. ${spec.description}`;
    if (spec.native) addNativeChart(pptx, s, spec.native, CHART_BOX, lang, alt);
    else {
      const png = await opts.png(spec);
      const { width, height } = pngInfo(png);
      const scale = Math.min(CHART_BOX.w / width, CHART_BOX.h / height);
      const [w, h] = [width * scale, height * scale];
      s.addImage({ data: `image/png;base64,${png.toString('base64')}`, x: CHART_BOX.x + (CHART_BOX.w - w) / 2, y: CHART_BOX.y + (CHART_BOX.h - h) / 2, w, h, altText: alt, objectName: spec.id });
    }
    const withheld = spec.native ? spec.native.withheld : spec.table.rows.some((r) => r.some((c) => c.suppressed));
    if (withheld) s.addText(BLANKS_NOTE[spec.native ? 'native' : 'picture'][lang], { ...text, x: M, y: 6.55, w: W, h: 0.35, fontSize: 11, italic: true, color: GREY, margin: 0 });
    s.addText(spec.source, { ...text, x: M, y: 6.95, w: W - 0.8, h: 0.35, fontSize: 10, color: GREY, margin: 0 });

    const notes: string[] = [];
    // The summary's sentences once, on the first chart slide, where a presenter opens.
    if (i === 0 && highlights.length) notes.push(branch === null ? L(lang, '要点', 'Highlights') : L(lang, '全行要点', 'Bank-wide highlights'), ...highlights, '');
    if (spec.notes.length) notes.push(L(lang, '图表说明', 'About this chart'), ...spec.notes, '');
    notes.push(L(lang, '定义', 'Definitions'), ...sectionDefinitions(section).map((d) => defined(d, lang)));
    s.addNotes(notes.join('\n'));
  }

  // ── Method and privacy ───────────────────────────────────────────────────
  {
    const s = pptx.addSlide({ masterName: 'TS_CHART' });
    s.addText(L(lang, '方法与隐私保护', 'Method and privacy'), { placeholder: 'title', ...text });
    const q = report.quality().suppressed;
    const inDeck = charts.reduce((n, { spec }) => n + spec.table.rows.flat().filter((c) => c.suppressed).length, 0);
    const { minCell, pPercent } = meta.privacy;
    const def = (term: string) => defined(definition(term), lang);
    const paras = [
      def('Tier'),
      ...(page.period ? [def('Gross rates (the headline)'), def('Pooled rates')] : []),
      def('Gini'),
      ROUNDING[lang],
      L(
        lang,
        `隐私保护：描述少于${minCell}户客户的数值不公布（频数规则）；由一两位客户主导的金额不公布（p%规则，p = ${pPercent}）；能由合计相减推算的格子一并隐藏（次级隐藏）。`,
        `Privacy: a figure describing fewer than ${minCell} customers is withheld (frequency rule); an amount dominated by one or two customers is withheld (p % rule, p = ${pPercent}); cells that could be worked out from totals are hidden too (secondary suppression).`,
      ),
      L(
        lang,
        `本报告共隐藏${count(q.frequency + q.dominance + q.secondary, lang)}个格子（频数规则${count(q.frequency, lang)}个、p%规则${count(q.dominance, lang)}个、次级隐藏${count(q.secondary, lang)}个）；本演示文稿各图表的数据表中共有${count(inDeck, lang)}个未公布的格子。`,
        `The report withholds ${count(q.frequency + q.dominance + q.secondary, lang)} cells (${count(q.frequency, lang)} by the frequency rule, ${count(q.dominance, lang)} by the p % rule, ${count(q.secondary, lang)} by secondary suppression); the data tables behind this deck’s charts show ${count(inDeck, lang)} withheld cells.`,
      ),
      L(
        lang,
        '可编辑图表中的空白（缺失的柱、断开的线）、图片中的斜线区域、表格中的“—”与“< 10”都表示未公布的数值，不是零。',
        'Blanks in the editable charts (missing bars, breaks in lines), hatched areas in the pictures, and “—” or “< 10” in tables all mark withheld values; none of them is zero.',
      ),
    ];
    s.addText(
      paras.map((p, k) => ({ text: p, options: { ...text, fontSize: 13, bullet: true, breakLine: k < paras.length - 1, paraSpaceAfter: 6 } })),
      { x: M, y: 1.35, w: W, h: 4.9, valign: 'top', margin: 0 },
    );
    s.addText(link.runs(text, 12, true), { x: M, y: 6.3, w: W, h: 0.55, valign: 'top', margin: 0 });
    s.addText(sourceLine(page.ctx), { ...text, x: M, y: 6.95, w: W - 0.8, h: 0.35, fontSize: 10, color: GREY, margin: 0 });
    s.addNotes(DEFINITIONS.map((d) => [d.heading[lang], ...d.items.map((x) => defined(x, lang))].join('\n')).join('\n\n'));
  }

  const raw = (await pptx.write({ outputType: 'nodebuffer' })) as Buffer;
  return finaliseDeck(raw, { when: utcDate(page.end), lang });
}

type Runs = { text: string; options: PptxGenJS.TextPropsOptions }[];

/** The way back to the site: a hyperlink with a URL, else the page named in words. */
function siteLink(site: Site, lang: Lang, branch: string | null, siteUrl: string | null) {
  const path = branch === null ? href(site, lang, 'summary') : href(site, lang, 'branch', { branch });
  const method = href(site, lang, 'methodology');
  return {
    runs(base: PptxGenJS.TextPropsOptions, size: number, methodology = false): Runs {
      const target = methodology ? method : path;
      const lead = methodology
        ? L(lang, '完整的定义、数据来源与质量说明见报告网站的“方法与数据质量”页：', 'Every definition, the data sources and their quality are on the report site’s methodology page: ')
        : L(lang, '完整报告（含数据表与方法说明）：', 'The full report, with data tables and methodology: ');
      if (siteUrl) {
        // The WHATWG form: spaces, quotes and angle brackets percent-encoded (the config keeps the address as typed).
        const url = new URL(`${new URL(siteUrl).href.replace(/\/+$/, '')}${target}`).href;
        return [
          { text: lead, options: { ...base, fontSize: size, color: GREY } },
          { text: url, options: { ...base, fontSize: size, color: '0563C1', hyperlink: { url, tooltip: url } } },
        ];
      }
      return [
        {
          text: `${lead}${L(lang, `Tierscope报告网站的 ${target} 页面（网站根目录下）。`, `the Tierscope report site, page ${target} (below the site’s root).`)}`,
          options: { ...base, fontSize: size, color: GREY },
        },
      ];
    },
  };
}

// ── Native charts ────────────────────────────────────────────────────────────

/**
 * Stands in for a blank while pptxgenjs writes the file: it turns null into an
 * empty cache point and 0 in the embedded workbook, so nulls go in as this value
 * (truthy, never a real figure) and finaliseDeck() removes every point and cell holding it.
 */
const BLANK = 7.77e-307;
const BLANK_TEXT = String(BLANK);

const hex = (c: string) => c.replace(/^#/, '').toUpperCase();

/** Number formats: figures as the site shows them (two-decimal percent, whole counts); axes coarser. */
function formats(f: NativeValueFormat, values: number[]): { data: string; axis: string } {
  switch (f) {
    case 'percent': {
      const max = Math.max(0, ...values.map(Math.abs));
      return { data: '0.00%', axis: max < 0.1 ? '0.0%' : '0%' };
    }
    case 'count':
      return { data: '#,##0', axis: '#,##0' };
    case 'amount':
      return { data: '#,##0', axis: '#,##0' };
    case 'decimal':
      return { data: '0.000', axis: '0.00' };
  }
}

/** Adds `n` to a slide as a native chart (exported for tests). Blanks go in as BLANK: run the deck through finaliseDeck. */
export function addNativeChart(pptx: PptxGenJS, slide: PptxGenJS.Slide, n: NativeChart, box: { x: number; y: number; w: number; h: number }, lang: Lang, alt: string): void {
  const font = DECK_FONTS[lang];
  const horizontal = n.direction === 'horizontal' && n.kind.startsWith('bar');
  // PowerPoint draws the first category of a horizontal bar chart at the bottom; the spec lists them top first.
  const flip = <T>(xs: T[]): T[] => (horizontal ? [...xs].reverse() : xs);
  const categories = flip(n.categories);
  const cell = (v: number | null) => (v === null ? BLANK : v);
  const primary = n.series.filter((s) => !s.secondary);
  const secondary = n.series.filter((s) => s.secondary);
  const known = (ss: typeof n.series) => ss.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const fmt = formats(n.valueFormat, known(primary));
  const points = n.series.reduce((k, s) => k + s.values.length, 0);
  const labelled = n.kind === 'bar' && points <= 60;

  const base: PptxGenJS.IChartOpts = {
    ...box,
    altText: alt,
    lang: LANG_TAG[lang],
    displayBlanksAs: n.blanks ?? 'gap',
    showLegend: n.series.length > 1,
    legendPos: 'b',
    legendFontFace: font,
    legendFontSize: 11,
    catAxisLabelFontFace: font,
    catAxisLabelFontSize: categories.length > 20 ? 8 : 11,
    valAxisLabelFontFace: font,
    valAxisLabelFontSize: 10,
    valAxisLabelFormatCode: fmt.axis,
    valLabelFormatCode: fmt.data,
    valGridLine: { color: 'D9D9D9', size: 0.5 },
    ...(n.valueTitle ? { showValAxisTitle: true, valAxisTitle: n.valueTitle, valAxisTitleFontFace: font, valAxisTitleFontSize: 11, valAxisTitleColor: GREY } : {}),
    ...(n.categoryTitle ? { showCatAxisTitle: true, catAxisTitle: n.categoryTitle, catAxisTitleFontFace: font, catAxisTitleFontSize: 11, catAxisTitleColor: GREY } : {}),
    ...(n.range ? { valAxisMinVal: n.range[0], valAxisMaxVal: n.range[1] } : {}),
    ...(labelled ? { showValue: true, dataLabelFormatCode: fmt.data, dataLabelFontFace: font, dataLabelFontSize: points > 24 ? 8 : 10, dataLabelPosition: 'outEnd' as const } : {}),
  };
  const data = (ss: typeof n.series) => ss.map((s) => ({ name: s.name, labels: categories, values: flip(s.values).map(cell) }));
  const colors = (ss: typeof n.series) => ss.map((s) => hex(s.color));

  switch (n.kind) {
    case 'bar':
    case 'barStacked':
    case 'barStacked100': {
      const grouping = n.kind === 'bar' ? 'clustered' : n.kind === 'barStacked' ? 'stacked' : 'percentStacked';
      slide.addChart(pptx.ChartType.bar, data(n.series), {
        ...base,
        barDir: horizontal ? 'bar' : 'col',
        barGrouping: grouping,
        barGapWidthPct: 60,
        ...(grouping === 'clustered' ? {} : { barOverlapPct: 100 }),
        chartColors: colors(n.series),
        ...(grouping === 'clustered' ? {} : { dataBorder: { pt: 0.5, color: 'FFFFFF' } }),
      });
      return;
    }
    case 'line': {
      const line = { lineSize: 2, lineDataSymbol: 'circle' as const, lineDataSymbolSize: 6 };
      if (secondary.length === 0) {
        slide.addChart(pptx.ChartType.line, data(n.series), { ...base, ...line, chartColors: colors(n.series) });
        return;
      }
      const second = formats(n.secondary?.format ?? n.valueFormat, known(secondary));
      // pptxgenjs colours a combo's line by its index within its type and its markers by its index over all
      // series (a random colour past the end of the list): the secondary list must hold each colour at both.
      const p = primary.length;
      const secondColors: string[] = Array.from({ length: p + secondary.length }, () => hex(secondary[0]!.color));
      secondary.forEach((sr, j) => (secondColors[p + j] = hex(sr.color)));
      secondary.forEach((sr, j) => (secondColors[j] = hex(sr.color)));
      addCombo(
        slide,
        [
          { type: pptx.ChartType.line, data: data(primary), options: { ...line, chartColors: colors(primary) } },
          { type: pptx.ChartType.line, data: data(secondary), options: { ...line, chartColors: secondColors, secondaryValAxis: true, secondaryCatAxis: true } },
        ],
        {
          ...base,
          valAxes: [
            {
              showValAxisTitle: !!n.valueTitle,
              valAxisTitle: n.valueTitle ?? '',
              valAxisLabelFormatCode: fmt.axis,
              ...(n.range ? { valAxisMinVal: n.range[0], valAxisMaxVal: n.range[1] } : {}),
              valAxisTitleFontFace: font,
              valAxisTitleFontSize: 11,
              valAxisTitleColor: GREY,
              valGridLine: { color: 'D9D9D9', size: 0.5 },
            },
            {
              showValAxisTitle: !!n.secondary,
              valAxisTitle: n.secondary?.title ?? '',
              valAxisLabelFormatCode: second.axis,
              // Every value withheld: an honest empty 0–1 axis rather than one scaled to the placeholders.
              ...(known(secondary).length === 0 ? { valAxisMinVal: 0, valAxisMaxVal: 1 } : {}),
              valAxisTitleFontFace: font,
              valAxisTitleFontSize: 11,
              valAxisTitleColor: GREY,
              valGridLine: { style: 'none' },
            },
          ],
          catAxes: [{ catAxisTitle: n.categoryTitle ?? '' }, { catAxisHidden: true }],
        },
      );
      return;
    }
    case 'scatter': {
      const x = n.x ?? [];
      const unit = x.every((v) => v >= 0 && v <= 1);
      slide.addChart(pptx.ChartType.scatter, [{ name: 'X', values: x }, ...n.series.map((s) => ({ name: s.name, values: s.values.map(cell) }))], {
        ...base,
        // Curves of a hundred points: markers would bury the line.
        lineSize: 2,
        lineDataSymbol: 'none',
        chartColors: colors(n.series),
        ...(unit ? { catAxisMinVal: 0, catAxisMaxVal: 1 } : {}),
      });
      return;
    }
    case 'doughnut': {
      const s = n.series[0];
      if (!s) return;
      slide.addChart(pptx.ChartType.doughnut, [{ name: s.name, labels: n.categories, values: s.values.map(cell) }], {
        ...base,
        showLegend: true,
        legendPos: 'r',
        holeSize: 55,
        showValue: true,
        dataLabelFormatCode: fmt.data,
        dataLabelFontFace: font,
        dataLabelFontSize: 11,
        // One colour per slice, as many as there are slices (pptxgenjs picks a random one past the end of the list).
        chartColors: n.categories.map((_, i) => SLICE_COLORS[i % SLICE_COLORS.length]!),
      });
      return;
    }
  }
}

/** pptxgenjs reads a combo chart's options from the second argument, where its typings expect data. */
const addCombo = (slide: PptxGenJS.Slide, types: PptxGenJS.IChartMulti[], options: PptxGenJS.IChartOpts): void => {
  slide.addChart(types, options as unknown as unknown[]);
};

/** Doughnut slices: a spec colours series, a doughnut colours categories (YlGnBu, as the tiers). */
const SLICE_COLORS = ['C7E9B4', '7FCDBB', '41B6C4', '1D91C0', '225EA8', '253494', '081D58', 'EDF8B1'];

// ── The final pass ───────────────────────────────────────────────────────────

const notesRun = /<a:p><a:r><a:rPr lang="en-US" dirty="0"\/><a:t>([\s\S]*?)<\/a:t><\/a:r><a:endParaRPr lang="en-US" dirty="0"\/><\/a:p>/;

function patchPart(name: string, xml: string, stamp: string, lang: Lang): string {
  let out = xmlLegal(xml);
  if (name === 'docProps/core.xml') out = out.replace(/(<dcterms:(?:created|modified) xsi:type="dcterms:W3CDTF">)[^<]*/g, `$1${stamp}`);
  if (name.startsWith('ppt/charts/chart')) {
    // An absent point is a blank to every chart reader; an empty <c:v/> is not reliably one.
    out = out.replace(new RegExp(`<c:pt idx="\\d+"><c:v>${escapeRe(BLANK_TEXT)}</c:v></c:pt>`, 'g'), '');
    // Scatter axes are otherwise "linked to source", whose cells carry no number format.
    out = out.replaceAll('sourceLinked="1"', 'sourceLinked="0"');
  }
  if (name.startsWith('ppt/notesSlides/notesSlide')) {
    // pptxgenjs writes the notes as one run with CRLFs in it: one paragraph per line instead.
    const m = notesRun.exec(out);
    if (!m) throw new Error(`deck: unexpected notes layout in ${name}`);
    const tag = LANG_TAG[lang];
    const paras = (m[1] ?? '').split(/\r?\n/).map((t) => (t === '' ? `<a:p><a:endParaRPr lang="${tag}" dirty="0"/></a:p>` : `<a:p><a:r><a:rPr lang="${tag}" dirty="0"/><a:t>${t}</a:t></a:r></a:p>`));
    out = out.replace(notesRun, () => paras.join(''));
  }
  if (name === 'ppt/theme/theme1.xml' && lang === 'zh') out = out.replaceAll('<a:ea typeface=""/>', `<a:ea typeface="${DECK_FONTS.zh}"/>`);
  return out;
}

/**
 * Characters XML 1.0 cannot hold at all, escaped or not: C0 controls but tab, LF and CR,
 * U+FFFE/U+FFFF and lone surrogates. pptxgenjs escapes markup characters but passes
 * these through (a branch code or name with a control character in it would make every
 * part it lands in unreadable), so the final pass drops them from every XML part.
 */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
export const xmlLegal = (xml: string): string => xml.replace(XML_INVALID, '');

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every entry in a fixed order with a fixed time, so equal input gives equal bytes. */
async function rezip(entries: [string, string | Uint8Array][], when: Date): Promise<Buffer> {
  const zip = new JSZip();
  const order = (a: string, b: string) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a < b ? -1 : a > b ? 1 : 0);
  for (const [name, data] of [...entries].sort((a, b) => order(a[0], b[0]))) zip.file(name, data, { date: when, createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'DOS' });
}

/** The chart's embedded workbook: blanks as empty cells (pptxgenjs writes 0, or nothing for a real 0), fixed dates. */
async function finaliseWorkbook(bytes: Uint8Array, when: Date, stamp: string): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  const entries: [string, string | Uint8Array][] = [];
  for (const [name, file] of Object.entries(zip.files)) {
    if (file.dir) continue;
    if (!name.endsWith('.xml') && !name.endsWith('.rels')) {
      entries.push([name, await file.async('uint8array')]);
      continue;
    }
    let xml = xmlLegal(await file.async('string'));
    if (name.startsWith('xl/worksheets/sheet')) {
      xml = xml.replace(new RegExp(`<c r="[A-Z]+\\d+"><v>${escapeRe(BLANK_TEXT)}</v></c>`, 'g'), '').replace(/(<c r="[A-Z]+\d+">)<v><\/v>(<\/c>)/g, '$1<v>0</v>$2');
    }
    if (name === 'docProps/core.xml') xml = xml.replace(/(<dcterms:(?:created|modified) xsi:type="dcterms:W3CDTF">)[^<]*/g, `$1${stamp}`);
    entries.push([name, xml]);
  }
  return rezip(entries, when);
}

/** The final pass over pptxgenjs's output (exported for tests): blanks, notes, theme font, chart numbers, timestamps. */
export async function finaliseDeck(raw: Buffer, { when, lang }: { when: Date; lang: Lang }): Promise<Buffer> {
  const stamp = when.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const zip = await JSZip.loadAsync(raw);
  // pptxgenjs numbers charts with a counter shared by every deck the process builds: number them from 1 again.
  const old = Object.keys(zip.files)
    .map((n) => /^ppt\/charts\/chart(\d+)\.xml$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const renumber = new Map(old.map((n, i) => [String(n), String(i + 1)]));
  const rename = (s: string) =>
    s
      .replace(/\bchart(\d+)\.xml/g, (m, n: string) => (renumber.has(n) ? `chart${renumber.get(n)}.xml` : m))
      .replace(/\bMicrosoft_Excel_Worksheet(\d+)\.xlsx/g, (m, n: string) => (renumber.has(n) ? `Microsoft_Excel_Worksheet${renumber.get(n)}.xlsx` : m));
  const entries: [string, string | Uint8Array][] = [];
  for (const [at, file] of Object.entries(zip.files)) {
    if (file.dir) continue;
    const name = rename(at);
    if (name.endsWith('.xlsx')) entries.push([name, await finaliseWorkbook(await file.async('uint8array'), when, stamp)]);
    else if (name.endsWith('.xml') || name.endsWith('.rels')) {
      const xml = patchPart(name, rename(await file.async('string')), stamp, lang);
      if (xml.includes(BLANK_TEXT)) throw new Error(`deck: a blank placeholder survived in ${name}`);
      entries.push([name, xml]);
    } else entries.push([name, await file.async('uint8array')]);
  }
  return rezip(entries, when);
}
