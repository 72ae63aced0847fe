// New customers (in the end snapshot, not in the start one) and how their tier mix
// compares with the stock's: (a) the mix of one period beside the stock, (b) the
// headline mid-high shares over consecutive periods, (c) new customers by tier in
// each consecutive period, (d) opened in the period vs re-appearing, where the
// input carries open_date. Withheld figures are written "—" or "< 10", never drawn
// as zero; counts withheld inside a published total are drawn as one hatched block.
import * as Plot from '@observablehq/plot';
import type { Fig, Period, Ratio, ScopePeriod, SeriesFile } from '../schema/output.ts';
import { compareShares, count, date, fig, isSuppressed, month, percent, percentTick, valueOf, utcDate } from '../lib/format.ts';
import { periodScope, type Report } from '../site/data.ts';
import { figCell, L, periodLabel, scopeAndWhen, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { hatchMark } from './render.ts';
import { FLOW_COLORS, FRAME, hatchId, MEASURE_COLORS, tierColors, frame } from './theme.ts';
import { dodge, monthTick, scopeAndSpan, stackDodge, thinTicks, timeDomain, yPixel, yValue } from './sectionKit.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';

export type NewMix = ScopePeriod['newMix'];
type SeriesScope = SeriesFile['scopes'][number];

const NEW_COLOR = FLOW_COLORS.new;
const STOCK_COLOR = MEASURE_COLORS.reference;
/** Native charts cannot hatch: the unpublished tiers get a pale fill the legend names. */
const WITHHELD_FILL = '#f1ead6';

const newWord = (lang: 'zh' | 'en') => L(lang, '新增客户', 'New customers');
const stockWord = (lang: 'zh' | 'en') => L(lang, '存量客户', 'All customers');

/** The headline comparison in words: "4.63%, above the stock's 4.40%". */
function midHighTitle(lang: 'zh' | 'en', n: number, s: number): string {
  const cmp = compareShares(n, s, lang);
  const [a, b] = [percent(n, lang), percent(s, lang)];
  if (cmp === 0) return L(lang, `新增客户中中高端占${a}，与存量的${b}持平`, `${a} of new customers are mid-high, in line with ${b} of all customers`);
  return cmp > 0
    ? L(lang, `新增客户中中高端占${a}，高于存量的${b}`, `${a} of new customers are mid-high, above ${b} of all customers`)
    : L(lang, `新增客户中中高端占${a}，低于存量的${b}`, `${a} of new customers are mid-high, below ${b} of all customers`);
}

const NEW_DEF = (lang: 'zh' | 'en') =>
  L(lang, '新增客户 = 在期末快照中、不在期初快照中的客户，按期末等级计。', 'New customers are in the end snapshot but not in the start one, counted by their tier at the end.');

// ── (a) the tier mix of one period's new customers beside the stock ─────────

export function newMixChart(ctx: ChartContext, scope: ScopePeriod): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'new-mix';
  const mix = scope.newMix;
  const tiers = mix.tiers.map((t) => ({ ...t, label: tierLabel(meta, t.tier, lang) }));
  const series = [newWord(lang), stockWord(lang)];
  type Bar = { tier: string; series: string; v: number | null; text: string };
  const bars: Bar[] = tiers.flatMap((t) => [
    { tier: t.label, series: series[0]!, v: valueOf(t.share), text: fig(t.share, 'percent', lang, meta.privacy.minCell) },
    { tier: t.label, series: series[1]!, v: valueOf(t.stockShare), text: fig(t.stockShare, 'percent', lang, meta.privacy.minCell) },
  ]);
  const known = bars.filter((b): b is Bar & { v: number } => b.v !== null);

  const nMH = valueOf(mix.midHighShare);
  const sMH = valueOf(mix.stockMidHighShare);
  const total = valueOf(mix.total);
  const title =
    total === 0
      ? L(lang, '本期没有新增客户', 'No new customers in this period')
      : nMH !== null && sMH !== null
        ? midHighTitle(lang, nMH, sMH)
        : L(lang, '新增客户与存量客户的等级结构', 'Tier mix of new customers and of all customers');

  const notes = [
    NEW_DEF(lang),
    L(lang, '存量占比为期末快照全部客户中各等级的占比。', 'The share of all customers is each tier’s share of the whole end snapshot.'),
  ];
  const cells: (Fig | Ratio)[] = [mix.total, mix.midHighShare, mix.stockMidHighShare, ...mix.tiers.flatMap((t) => [t.n, t.share, t.stockShare])];
  const sup = suppressionNote(ctx, cells);
  if (sup) notes.push(sup);

  const rows: Cell[][] = tiers.map((t) => [textCell(t.label), figCell(t.n, 'count', ctx), figCell(t.share, 'percent', ctx), figCell(t.stockShare, 'percent', ctx)]);
  rows.push([textCell(L(lang, '其中：中高端', 'of which mid-high')), textCell(''), figCell(mix.midHighShare, 'percent', ctx), figCell(mix.stockMidHighShare, 'percent', ctx)]);
  rows.push([textCell(L(lang, '合计', 'Total')), figCell(mix.total, 'count', ctx), textCell(''), textCell('')]);

  const description = L(
    lang,
    `分组柱状图：每个等级两根柱，左为该等级占新增客户的比例，右为占存量客户的比例。` +
      tiers.map((t, i) => `${t.label}：${bars[2 * i]!.text} / ${bars[2 * i + 1]!.text}`).join('；') +
      `。新增客户共${fig(mix.total, 'count', lang, meta.privacy.minCell)}户；中高端占比：新增${fig(mix.midHighShare, 'percent', lang, meta.privacy.minCell)}，存量${fig(mix.stockMidHighShare, 'percent', lang, meta.privacy.minCell)}。`,
    `Grouped bars: for each tier, its share of new customers (left) and of all customers (right). ` +
      tiers.map((t, i) => `${t.label}: ${bars[2 * i]!.text} / ${bars[2 * i + 1]!.text}`).join('; ') +
      `. ${fig(mix.total, 'count', lang, meta.privacy.minCell)} new customers; mid-high share: ${fig(mix.midHighShare, 'percent', lang, meta.privacy.minCell)} of new vs ${fig(mix.stockMidHighShare, 'percent', lang, meta.privacy.minCell)} of all customers.`,
  );

  const hi = Math.max(0.05, ...known.map((b) => b.v));
  return {
    id,
    title,
    subtitle: L(lang, `占比（%）· ${scopeAndWhen(ctx, false)}`, `Share (%) · ${scopeAndWhen(ctx, false)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '客户等级', 'Tier'), numeric: false },
        { label: L(lang, '新增客户数', 'New customers'), numeric: true },
        { label: L(lang, '占新增客户', 'Share of new'), numeric: true },
        { label: L(lang, '占存量客户', 'Share of all customers'), numeric: true },
      ],
      rows,
    },
    native: {
      kind: 'bar',
      categories: tiers.map((t) => t.label),
      series: [
        { name: series[0]!, values: tiers.map((t) => valueOf(t.share)), color: NEW_COLOR },
        { name: series[1]!, values: tiers.map((t) => valueOf(t.stockShare)), color: STOCK_COLOR },
      ],
      valueFormat: 'percent',
      valueTitle: L(lang, '占比（%）', 'Share (%)'),
      withheld: mix.tiers.some((t) => isSuppressed(t.share) || isSuppressed(t.stockShare)),
    },
    figure: {
      plot: {
        ...frame({ left: 48, right: 12, top: 30, bottom: 36 }),
        fx: { domain: tiers.map((t) => t.label), label: null, padding: 0.1, axis: 'top' },
        x: { domain: series, label: null, padding: 0.1, axis: 'bottom', tickFormat: (s: string) => (s === series[0] ? L(lang, '新增', 'New') : L(lang, '存量', 'All')) },
        y: { domain: [0, hi], insetTop: 20, tickFormat: percentTick, ticks: 5, grid: true, label: null },
        color: { domain: series, range: [NEW_COLOR, STOCK_COLOR] },
        marks: [
          Plot.barY(known, { fx: 'tier', x: 'series', y: 'v', fill: 'series' }),
          Plot.ruleY([0]),
          Plot.text(bars, { fx: 'tier', x: 'series', y: (d: Bar) => d.v ?? 0, text: 'text', dy: -7, lineAnchor: 'bottom', fontSize: 11 }),
        ],
      },
    },
  };
}

// ── (b) mid-high share of new customers vs of the stock, over periods ────────

export function newMidHighTrendChart(ctx: ChartContext, series: SeriesScope): ChartSpec {
  const { lang } = ctx;
  const id = 'new-mid-high-trend';
  const periods = series.periods.filter((p) => p.end <= ctx.asOf);
  const ends = periods.map((p) => p.end);
  const kinds = [
    { key: 'newMidHighShare', label: newWord(lang), color: NEW_COLOR },
    { key: 'stockMidHighShare', label: stockWord(lang), color: STOCK_COLOR },
  ] as const;
  const points = kinds.flatMap((k) => periods.map((p) => ({ kind: k.label, date: utcDate(p.end), iso: p.end, v: valueOf(p[k.key]) })));
  const known = points.filter((p): p is typeof p & { v: number } => p.v !== null);

  const both = periods
    .map((p) => ({ n: valueOf(p.newMidHighShare), s: valueOf(p.stockMidHighShare) }))
    .filter((x): x is { n: number; s: number } => x.n !== null && x.s !== null);
  const above = both.filter((x) => compareShares(x.n, x.s, lang) > 0).length;
  const below = both.filter((x) => compareShares(x.n, x.s, lang) < 0).length;
  let title: string;
  if (both.length === 0) title = L(lang, '新增客户与存量客户的中高端占比', 'Mid-high share of new customers and of all customers');
  else if (both.length === 1) {
    const x = both[0]!;
    title = midHighTitle(lang, x.n, x.s);
  } else if (above === both.length) title = L(lang, `${both.length}期新增客户的中高端占比均高于存量`, `In all ${both.length} periods new customers were more often mid-high than all customers`);
  else if (below === both.length) title = L(lang, `${both.length}期新增客户的中高端占比均低于存量`, `In all ${both.length} periods new customers were less often mid-high than all customers`);
  else title = L(lang, `${both.length}期中有${above}期新增客户的中高端占比高于存量`, `New customers were more often mid-high than all customers in ${above} of ${both.length} periods`);

  const notes = [
    NEW_DEF(lang),
    L(lang, '每个点为一个相邻快照期间，画在期末日期；存量为期末快照的全部客户。', 'Each point is one period between adjacent snapshots, drawn at its end date; “all customers” is the whole end snapshot.'),
  ];
  if (points.some((p) => p.v === null)) notes.push(L(lang, '未公布或无定义（本期无新增客户）的数值使折线断开，不画作0。', 'A withheld or undefined value (no new customers) breaks the line; it is not drawn as 0.'));
  const sup = suppressionNote(ctx, periods.flatMap((p) => [p.newMidHighShare, p.stockMidHighShare]));
  if (sup) notes.push(sup);

  const rows: Cell[][] = periods.map((p) => [
    textCell(L(lang, `${date(p.start, lang)}至${date(p.end, lang)}`, `${date(p.start, lang)} – ${date(p.end, lang)}`)),
    figCell(p.new, 'count', ctx),
    figCell(p.newMidHighShare, 'percent', ctx),
    figCell(p.stockMidHighShare, 'percent', ctx),
  ]);

  const last = (label: string) => known.filter((p) => p.kind === label).at(-1);
  const description = L(
    lang,
    `折线图：各相邻期间新增客户中的中高端占比，与期末存量客户的中高端占比。` +
      (both.length ? `${both.length}期可比，其中${above}期新增高于存量。` : '') +
      kinds.map((k) => {
        const l = last(k.label);
        return l ? `${k.label}最近一期（${date(l.iso, lang)}）：${percent(l.v, lang)}` : `${k.label}：未公布`;
      }).join('；') +
      '。',
    `Line chart: the mid-high share of new customers in each period between adjacent snapshots, and of all customers at the period’s end. ` +
      (both.length ? `${above} of ${both.length} comparable periods had a higher share among new customers. ` : '') +
      kinds.map((k) => {
        const l = last(k.label);
        return l ? `${k.label}, latest (${date(l.iso, lang)}): ${percent(l.v, lang)}` : `${k.label}: withheld`;
      }).join('; ') +
      '.',
  );

  const hi = Math.max(0.01, ...known.map((p) => p.v)) * 1.15;
  const M = { left: 52, right: L(lang, 124, 150), top: 24, bottom: 34 };
  const bottom = FRAME.height - M.bottom;
  const endPts = kinds.map((k) => last(k.label)).filter((p): p is NonNullable<typeof p> => p !== undefined);
  const placed = dodge(endPts.map((p) => yPixel(p.v, 0, hi, M.top, bottom)), 15, M.top, bottom);
  const endLabels = endPts.map((p, i) => ({ ...p, y: yValue(placed[i]!, 0, hi, M.top, bottom), t: `${p.kind} ${percent(p.v, lang)}` }));
  return {
    id,
    title,
    subtitle: L(lang, `中高端客户占比（%）· ${scopeAndSpan(ctx, ends[0], ends.at(-1))}`, `Mid-high share (%) · ${scopeAndSpan(ctx, ends[0], ends.at(-1))}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '期间', 'Period'), numeric: false },
        { label: L(lang, '新增客户数', 'New customers'), numeric: true },
        { label: L(lang, '新增中高端占比', 'Mid-high share of new'), numeric: true },
        { label: L(lang, '存量中高端占比', 'Mid-high share of all'), numeric: true },
      ],
      rows,
    },
    native: {
      kind: 'line',
      categories: periods.map((p) => date(p.end, lang)),
      series: kinds.map((k) => ({ name: k.label, values: periods.map((p) => valueOf(p[k.key])), color: k.color })),
      valueFormat: 'percent',
      valueTitle: L(lang, '中高端客户占比（%）', 'Mid-high share (%)'),
      withheld: periods.some((p) => isSuppressed(p.newMidHighShare) || isSuppressed(p.stockMidHighShare)),
    },
    figure: {
      plot: {
        ...frame(M),
        x: { type: 'utc', domain: timeDomain(ends), ticks: thinTicks(ends, 8), tickFormat: monthTick(lang), label: null, inset: 10 },
        y: { domain: [0, hi], ticks: 5, grid: true, tickFormat: (d: number) => percent(d, lang).replace(/\.00%$/, '%'), label: L(lang, '↑ 中高端占比', '↑ Mid-high share') },
        marks: [
          Plot.ruleY([0]),
          ...kinds.map((k) => Plot.line(points.filter((p) => p.kind === k.label), { x: 'date', y: 'v', stroke: k.color, strokeWidth: 2.25 })),
          ...kinds.map((k) => Plot.dot(known.filter((p) => p.kind === k.label), { x: 'date', y: 'v', r: 3, fill: k.color })),
          Plot.text(endLabels, { x: 'date', y: 'y', text: 't', dx: 10, textAnchor: 'start', fill: 'currentColor' }),
        ],
      },
    },
  };
}

// ── (c) new customers by tier in each consecutive period ────────────────────

export interface PeriodMix {
  period: Period;
  mix: NewMix;
}

/** The new-customer mix of every consecutive period ending on or before `asOf`, for one scope. */
export function consecutiveMixes(report: Report, branch: string | null, asOf: string): PeriodMix[] {
  return report
    .meta()
    .periods.filter((p) => p.consecutive && p.end <= asOf)
    .sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : 0))
    .map((period) => ({ period, mix: periodScope(report.period(period.id), branch).newMix }));
}

export interface StackSegment {
  period: string;
  /** A tier label, or the withheld block. */
  key: string;
  y1: number;
  y2: number;
  withheld: boolean;
}

/** Stack the published tier counts of each period, then the withheld remainder (total − published) on top. */
export function stackNewByTier(rows: PeriodMix[], labelOf: (tier: string) => string, withheldLabel: string, periodLabelOf: (p: Period) => string): StackSegment[] {
  const out: StackSegment[] = [];
  for (const { period, mix } of rows) {
    const total = valueOf(mix.total);
    if (total === null) continue;
    let y = 0;
    for (const t of mix.tiers) {
      const n = valueOf(t.n);
      if (n === null || n === 0) continue;
      out.push({ period: periodLabelOf(period), key: labelOf(t.tier), y1: y, y2: y + n, withheld: false });
      y += n;
    }
    if (total > y) out.push({ period: periodLabelOf(period), key: withheldLabel, y1: y, y2: total, withheld: true });
  }
  return out;
}

export function newByTierChart(ctx: ChartContext, rows: PeriodMix[]): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'new-by-tier';
  const tierKeys = meta.tiers.map((t) => t.key);
  const labels = tierKeys.map((k) => tierLabel(meta, k, lang));
  const colors = tierColors(meta);
  const withheldLabel = L(lang, '未公布的等级', 'Withheld tiers');
  // Bars are keyed by the end date; ticks show its month unless two periods end in the same month.
  const xKey = (p: Period) => p.end;
  const monthly = new Set(rows.map((r) => month(r.period.end, lang))).size === rows.length;
  const tick = (iso: string) => (monthly ? month(iso, lang) : date(iso, lang));
  const segs = stackNewByTier(rows, (k) => tierLabel(meta, k, lang), withheldLabel, xKey);
  const xs = rows.map((r) => xKey(r.period));
  const totals = rows.map((r) => ({ period: xKey(r.period), v: valueOf(r.mix.total), text: fig(r.mix.total, 'count', lang, meta.privacy.minCell) }));
  const knownTotals = totals.filter((t): t is typeof t & { v: number } => t.v !== null);

  // Title: the range of published totals, and the tier that holds most new customers in every period, if one does.
  const lo = knownTotals.length ? Math.min(...knownTotals.map((t) => t.v)) : null;
  const hiT = knownTotals.length ? Math.max(...knownTotals.map((t) => t.v)) : null;
  const majority = tierKeys.find((k) =>
    rows.every((r) => {
      const t = r.mix.tiers.find((x) => x.tier === k);
      const share = t ? valueOf(t.share) : null;
      return share !== null && share > 0.5;
    }),
  );
  const most = majority === undefined || rows.length === 0 ? null : tierLabel(meta, majority, lang);
  let title: string;
  if (lo === null || hiT === null || (hiT === 0 && knownTotals.length < rows.length)) title = L(lang, '各期新增客户的等级构成', 'New customers by tier in each period');
  else if (hiT === 0)
    title = rows.length === 1 ? L(lang, '本期没有新增客户', 'No new customers in this period') : L(lang, `${rows.length}期均没有新增客户`, `No new customers in any of the ${rows.length} periods`);
  else if (knownTotals.length === 1 || lo === hiT) {
    const n = count(lo, lang);
    title = most ? L(lang, `${knownTotals.length === 1 ? '' : '每期'}新增${n}户客户，过半为${most}`, `${n} new customers${knownTotals.length === 1 ? '' : ' each period'}, most of them ${most}`) : L(lang, `新增${n}户客户`, `${n} new customers`);
  } else {
    const span = L(lang, `${count(lo, lang)}至${count(hiT, lang)}`, `${count(lo, lang)}–${count(hiT, lang)}`);
    title = most ? L(lang, `各期新增${span}户客户，每期过半为${most}`, `Each period brought ${span} new customers, most of them ${most}`) : L(lang, `各期新增${span}户客户`, `Each period brought ${span} new customers`);
  }

  const notes = [NEW_DEF(lang), L(lang, '每根柱为一个相邻快照期间，标在期末月份；柱顶数字为新增客户合计。', 'Each bar is one period between adjacent snapshots, marked by its end month; the figure on top is the total of new customers.')];
  if (segs.some((s) => s.withheld))
    notes.push(
      L(
        lang,
        '斜线块为未单独公布的等级合计（= 新增合计 − 已公布等级），按隐私规则不拆分。',
        'Hatched blocks are the tiers not published on their own (= total new − published tiers), kept together under the privacy rules.',
      ),
    );
  const missing = totals.filter((t) => t.v === null).length;
  if (missing > 0)
    notes.push(L(lang, `${missing}期的新增合计未公布，未画柱，标为“${totals.find((t) => t.v === null)!.text}”。`, `${missing} period(s) with a withheld total are not drawn and are marked “${totals.find((t) => t.v === null)!.text}”.`));
  const sup = suppressionNote(ctx, rows.flatMap((r) => [r.mix.total, ...r.mix.tiers.map((t) => t.n)]));
  if (sup) notes.push(sup);

  const tableRows: Cell[][] = rows.map((r) => [
    textCell(periodLabel(r.period, lang)),
    ...tierKeys.map((k) => {
      const t = r.mix.tiers.find((x) => x.tier === k);
      return t ? figCell(t.n, 'count', ctx) : textCell('');
    }),
    figCell(r.mix.total, 'count', ctx),
  ]);

  const description = L(
    lang,
    `堆积柱状图：每个相邻期间一根柱，按期末等级分段显示新增客户数。` + totals.map((t) => `${tick(t.period)}：${t.text}户`).join('；') + '。',
    `Stacked bars: one bar per period between adjacent snapshots, split by the new customers’ end tier. ` + totals.map((t) => `${tick(t.period)}: ${t.text}`).join('; ') + '.',
  );

  // Direct labels beside the last drawn bar, one per segment it has, kept apart.
  const M = { left: 56, right: 128, top: 26, bottom: 34 };
  const top = Math.max(1, ...knownTotals.map((t) => t.v)) * 1.1;
  const bottom = FRAME.height - M.bottom;
  // Each key sits level with its segment in the latest bar that has it.
  const keyed: StackSegment[] = [];
  for (const key of [...labels, withheldLabel]) {
    const seg = [...segs].reverse().find((x) => x.key === key);
    if (seg) keyed.push(seg);
  }
  const placed = stackDodge(keyed.map((s) => yPixel((s.y1 + s.y2) / 2, 0, top, M.top, bottom)), 14, M.top, bottom);
  const keyLabels = keyed.map((s, i) => ({ y: yValue(placed[i]!, 0, top, M.top, bottom), t: s.key, withheld: s.withheld, swatch: s.withheld ? '▨' : '■' }));
  const withheldBlock = (x: string) => {
    const sg = segs.find((y) => y.withheld && y.period === x);
    return sg ? sg.y2 - sg.y1 : null;
  };
  const step = Math.ceil(xs.length / 8);
  const ticks = xs.filter((_, i) => (xs.length - 1 - i) % step === 0);
  return {
    id,
    title,
    subtitle: L(lang, `新增客户数（户）· ${scopeAndSpan(ctx, rows[0]?.period.end, rows.at(-1)?.period.end)}`, `New customers · ${scopeAndSpan(ctx, rows[0]?.period.end, rows.at(-1)?.period.end)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '期间', 'Period'), numeric: false },
        ...labels.map((l) => ({ label: l, numeric: true })),
        { label: L(lang, '合计', 'Total'), numeric: true },
      ],
      rows: tableRows,
    },
    native: {
      kind: 'barStacked',
      categories: xs.map(tick),
      // As the page stacks them: no bar where the total is withheld, and the unpublished tiers as one block.
      series: [
        ...tierKeys.map((k, i) => ({
          name: labels[i]!,
          values: rows.map((r) => (valueOf(r.mix.total) === null ? null : valueOf(r.mix.tiers.find((t) => t.tier === k)?.n ?? null))),
          color: colors[i] ?? WITHHELD_FILL,
        })),
        ...(segs.some((sg) => sg.withheld)
          ? [{ name: withheldLabel, values: xs.map((x) => withheldBlock(x)), color: WITHHELD_FILL }]
          : []),
      ],
      valueFormat: 'count',
      valueTitle: L(lang, '新增客户数（户）', 'New customers'),
      withheld: rows.some((r) => isSuppressed(r.mix.total) || r.mix.tiers.some((t) => isSuppressed(t.n))),
    },
    figure: {
      plot: {
        ...frame(M),
        x: { domain: xs, label: null, padding: 0.3, tickFormat: tick, ticks },
        y: { domain: [0, top], ticks: 5, grid: true, tickFormat: (d: number) => count(d, lang), label: L(lang, '↑ 新增客户数', '↑ New customers') },
        color: { domain: labels, range: colors },
        marks: [
          hatchMark(id),
          Plot.barY(
            segs.filter((s) => !s.withheld),
            { x: 'period', y1: 'y1', y2: 'y2', fill: 'key', stroke: 'white', strokeWidth: 0.5 },
          ),
          Plot.barY(
            segs.filter((s) => s.withheld),
            { x: 'period', y1: 'y1', y2: 'y2', fill: `url(#${hatchId(id)})`, stroke: 'currentColor', strokeWidth: 0.75 },
          ),
          Plot.ruleY([0]),
          Plot.text(totals, { x: 'period', y: (d: { v: number | null }) => d.v ?? 0, text: 'text', dy: -7, lineAnchor: 'bottom' }),
          Plot.text(keyLabels.filter((k) => !k.withheld), { y: 'y', text: 'swatch', frameAnchor: 'right', dx: 8, textAnchor: 'start', fill: 't', fontSize: 14 }),
          Plot.text(keyLabels.filter((k) => k.withheld), { y: 'y', text: 'swatch', frameAnchor: 'right', dx: 8, textAnchor: 'start', fill: 'currentColor', fontSize: 14 }),
          Plot.text(keyLabels, { y: 'y', text: 't', frameAnchor: 'right', dx: 22, textAnchor: 'start', fill: 'currentColor' }),
        ],
      },
    },
  };
}

// ── (d) opened in the period vs re-appearing ─────────────────────────────────

/** Null where the published mix has no open-date split (no open_date in the input, or no new customer has one). */
export function openedChart(ctx: ChartContext, scope: ScopePeriod): ChartSpec | null {
  const { lang, meta } = ctx;
  const mix = scope.newMix;
  if (mix.openedInPeriod === null || mix.reappearing === null) return null;
  const id = 'new-opened';
  const o = valueOf(mix.openedInPeriod);
  const r = valueOf(mix.reappearing);
  const total = valueOf(mix.total);
  // New customers without an open_date: whatever the published total leaves.
  const undated = total !== null && o !== null && r !== null && total - o - r > 0 ? total - o - r : null;
  const denom = total ?? (o !== null && r !== null ? o + r : null);
  const share = (v: number | null) => (v === null || denom === null || denom === 0 ? null : v / denom);
  type Bar = { label: string; v: number | null; text: string; color: string };
  const bars: Bar[] = [
    { label: L(lang, '本期新开户', 'Opened in the period'), v: o, text: '', color: NEW_COLOR },
    { label: L(lang, '重新出现', 'Re-appearing'), v: r, text: '', color: FLOW_COLORS.transfer },
    ...(undated !== null ? [{ label: L(lang, '无开户日期', 'No open date'), v: undated, text: '', color: MEASURE_COLORS.reference }] : []),
  ];
  const figs: Fig[] = [mix.openedInPeriod, mix.reappearing];
  bars.forEach((b, i) => {
    const s = share(b.v);
    const n = i < 2 ? fig(figs[i]!, 'count', lang, meta.privacy.minCell) : count(b.v as number, lang);
    b.text = s === null ? n : L(lang, `${n}户（${percent(s, lang)}）`, `${n} (${percent(s, lang)})`);
  });
  const known = bars.filter((b): b is Bar & { v: number } => b.v !== null);

  const so = share(o);
  const sr = share(r);
  const title =
    denom === 0
      ? L(lang, '本期没有新增客户', 'No new customers in this period')
      : so !== null && sr !== null
        ? L(lang, `新增客户中${percent(so, lang)}为本期新开户，${percent(sr, lang)}为重新出现的老客户`, `${percent(so, lang)} of new customers opened their account in the period; ${percent(sr, lang)} re-appeared`)
        : L(lang, '新增客户：本期新开户与重新出现', 'New customers: opened in the period or re-appearing');

  const notes = [
    L(
      lang,
      '本期新开户：开户日期晚于期初快照。重新出现：开户日期在期初或更早，却不在期初快照中（例如期初时不在名单内）。',
      'Opened in the period: the open date is after the start snapshot. Re-appearing: opened on or before the start, yet absent from the start snapshot.',
    ),
    L(lang, '百分比为占新增客户合计的比例。', 'Percentages are shares of all new customers.'),
  ];
  if (undated !== null) notes.push(L(lang, '无开户日期 = 新增合计 − 本期新开户 − 重新出现。', 'No open date = total new − opened − re-appearing.'));
  const sup = suppressionNote(ctx, [mix.total, mix.openedInPeriod, mix.reappearing]);
  if (sup) notes.push(sup);

  const rows: Cell[][] = [
    [textCell(bars[0]!.label), figCell(mix.openedInPeriod, 'count', ctx), figCell(so ?? (isSuppressed(mix.openedInPeriod) ? mix.openedInPeriod : null), 'percent', ctx)],
    [textCell(bars[1]!.label), figCell(mix.reappearing, 'count', ctx), figCell(sr ?? (isSuppressed(mix.reappearing) ? mix.reappearing : null), 'percent', ctx)],
    ...(undated !== null ? [[textCell(bars[2]!.label), figCell(undated, 'count', ctx), figCell(share(undated), 'percent', ctx)]] : []),
    [textCell(L(lang, '新增合计', 'Total new')), figCell(mix.total, 'count', ctx), textCell('')],
  ];
  const description = L(
    lang,
    `条形图：新增客户按开户日期分为${bars.map((b) => `${b.label}${b.text}`).join('、')}。`,
    `Bars: new customers by open date — ${bars.map((b) => `${b.label}: ${b.text}`).join('; ')}.`,
  );
  const hi = Math.max(1, ...known.map((b) => b.v));
  return {
    id,
    title,
    subtitle: L(lang, `新增客户数（户）· ${scopeAndWhen(ctx, false)}`, `New customers · ${scopeAndWhen(ctx, false)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '类别', 'Kind'), numeric: false },
        { label: L(lang, '客户数', 'Customers'), numeric: true },
        { label: L(lang, '占新增客户', 'Share of new'), numeric: true },
      ],
      rows,
    },
    native: {
      kind: 'bar',
      direction: 'horizontal',
      categories: bars.map((b) => b.label),
      series: [{ name: L(lang, '新增客户数', 'New customers'), values: bars.map((b) => b.v), color: NEW_COLOR }],
      valueFormat: 'count',
      valueTitle: L(lang, '新增客户数（户）', 'New customers'),
      withheld: [mix.total, mix.openedInPeriod, mix.reappearing].some(isSuppressed),
    },
    figure: {
      plot: {
        width: FRAME.width,
        height: 60 + 44 * bars.length,
        marginLeft: L(lang, 90, 140),
        marginRight: 150,
        marginTop: 16,
        marginBottom: 30,
        style: { fontSize: '12px' },
        x: { domain: [0, hi], ticks: 5, grid: true, tickFormat: (d: number) => count(d, lang), label: null },
        y: { domain: bars.map((b) => b.label), label: null, padding: 0.3 },
        color: { domain: bars.map((b) => b.label), range: bars.map((b) => b.color) },
        marks: [
          Plot.barX(known, { y: 'label', x: 'v', fill: 'label' }),
          Plot.ruleX([0]),
          Plot.text(bars, { y: 'label', x: (d: Bar) => d.v ?? 0, text: 'text', dx: 6, textAnchor: 'start' }),
        ],
      },
    },
  };
}
