// Migration rates. (a) One 100 % bar per start tier (and the pooled mid-high and
// all-tier rows): the gross shares that moved up, moved down, were lost (or were
// transferred out) and stayed; the adjusted rates sit beside them in the data
// table. (b) The trend over consecutive periods: pooled up, down and loss rates,
// and the Shorrocks mobility index in a panel of its own (a different unit).
import * as d3 from 'd3';
import * as Plot from '@observablehq/plot';
import type { Ratio, Rates, ScopePeriod, SeriesFile } from '../schema/output.ts';
import { date, decimal, fig, isSuppressed, month, percent, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, scopeLabel, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { hatchMark, PLOT_CLASS } from './render.ts';
import { FLOW_COLORS, FRAME, hatchId } from './theme.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';
import { blockWidth, directionColor, directionLabel, INK, legendMark, SVG_NS, textWidth, type LegendItem } from './migrationCommon.ts';

type Segment = 'up' | 'down' | 'loss' | 'transferOut' | 'withheld' | 'stay';

const FONT = 12;
/** Stay is the bulk of every bar: a light tone, so the moves stand out. */
const STAY_OPACITY = 0.45;
/** Native charts have no opacity or hatching: stay as its tint over white, the withheld remainder as a pale fill the legend names. */
const STAY_FILL = '#d4d4d4';
const WITHHELD_FILL = '#f1ead6';

const segmentColor = (s: Segment, id: string): string =>
  s === 'up' ? directionColor('up') : s === 'down' ? directionColor('down') : s === 'loss' ? directionColor('lost') : s === 'transferOut' ? FLOW_COLORS.transfer : s === 'stay' ? FLOW_COLORS.stay : `url(#${hatchId(id)})`;
const segmentInk = (s: Segment): string => (s === 'up' || s === 'loss' ? INK.light : INK.dark);

function segmentLabel(s: Segment, lang: 'zh' | 'en'): string {
  switch (s) {
    case 'up':
      return directionLabel('up', lang);
    case 'down':
      return directionLabel('down', lang);
    case 'loss':
      return directionLabel('lost', lang);
    case 'transferOut':
      return directionLabel('transferOut', lang);
    case 'stay':
      return directionLabel('stay', lang);
    case 'withheld':
      return L(lang, '未公布（合计）', 'Withheld (combined)');
  }
}

/** "Mid-high customers: more moved up (3.21%) than down (2.10%)", where the figures say so. */
function upDownTitle(up: Ratio, down: Ratio, who: { zh: string; en: string }, lang: 'zh' | 'en'): string | null {
  const u = valueOf(up);
  const d = valueOf(down);
  if (u === null || d === null) return null;
  const [ru, rd] = [Math.round(u * 1e4), Math.round(d * 1e4)];
  const pu = percent(u, lang);
  const pd = percent(d, lang);
  if (ru === rd) return L(lang, `${who.zh}向上与向下迁徙率均为${pu}`, `As many ${who.en} moved up as down (${pu})`);
  return ru > rd
    ? L(lang, `${who.zh}向上迁徙率${pu}，高于向下的${pd}`, `More ${who.en} moved up (${pu}) than down (${pd})`)
    : L(lang, `${who.zh}向上迁徙率${pu}，低于向下的${pd}`, `Fewer ${who.en} moved up (${pu}) than down (${pd})`);
}

export function migrationRatesChart(ctx: ChartContext, scope: ScopePeriod): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'migration-rates';
  const atBranch = scope.branch !== null;
  const minCell = meta.privacy.minCell;
  const rowsIn: { key: string; label: string; rates: Rates; pooled: boolean }[] = [
    ...[...scope.tiers].reverse().map((t) => ({ key: t.tier, label: tierLabel(meta, t.tier, lang), rates: t.rates, pooled: false })),
    { key: 'pooled-midhigh', label: L(lang, '中高端合计', 'Mid-high, pooled'), rates: scope.pooled.midHigh, pooled: true },
    { key: 'pooled-all', label: L(lang, '全部客户合计', 'All tiers, pooled'), rates: scope.pooled.all, pooled: true },
  ];
  const order: Segment[] = ['up', 'down', 'loss', ...(atBranch ? (['transferOut'] as const) : []), 'withheld', 'stay'];

  interface Seg {
    row: string;
    seg: Segment;
    x1: number;
    x2: number;
    cx: number;
    share: number;
    fill: string;
    ink: string;
    text: string;
    aria: string;
  }
  const segs: Seg[] = [];
  const empty: { row: string; text: string }[] = [];
  const sideNotes: { row: string; text: string }[] = [];
  for (const r of rowsIn) {
    const g = r.rates.gross;
    const values: Partial<Record<Segment, Ratio>> = { up: g.up, down: g.down, loss: g.loss, stay: g.stay, ...(atBranch ? { transferOut: g.transferOut } : {}) };
    const f = (v: Ratio | undefined) => fig(v ?? null, 'percent', lang, minCell);
    sideNotes.push({ row: r.label, text: `↑${f(g.up)}  ↓${f(g.down)}` });
    if (g.stay === null) {
      empty.push({ row: r.label, text: L(lang, '无期初客户', 'No customers at the start') });
      continue;
    }
    const known = Object.values(values).filter((v): v is number => typeof v === 'number');
    const anyWithheld = Object.values(values).some((v) => v !== undefined && isSuppressed(v));
    const remainder = anyWithheld ? Math.max(0, 1 - known.reduce((s, v) => s + v, 0)) : 0;
    let x = 0;
    for (const s of order) {
      const v = s === 'withheld' ? (anyWithheld ? remainder : null) : valueOf(values[s] ?? null);
      if (v === null) continue;
      const text = percent(v, lang);
      // A withheld remainder is drawn (it is 100% less the published rates) but never labelled with a figure.
      const shown = s !== 'withheld' && v >= 0.07 ? text : '';
      const aria = s === 'withheld' ? `${r.label} · ${segmentLabel(s, lang)}` : `${r.label} · ${segmentLabel(s, lang)}: ${text}`;
      segs.push({ row: r.label, seg: s, x1: x, x2: x + v, cx: x + v / 2, share: v, fill: segmentColor(s, id), ink: segmentInk(s), text: shown, aria });
      x += v;
    }
  }

  // ── Words ─────────────────────────────────────────────────────────────────
  const title =
    upDownTitle(scope.pooled.midHigh.gross.up, scope.pooled.midHigh.gross.down, { zh: '中高端客户', en: 'mid-high customers' }, lang) ??
    upDownTitle(scope.pooled.all.gross.up, scope.pooled.all.gross.down, { zh: '客户', en: 'customers' }, lang) ??
    L(lang, '各等级客户的迁徙率（毛口径）', 'Migration rates by tier (gross basis)');
  const notes = [
    L(
      lang,
      `图中为毛口径：分母是该等级全部期初客户，含期间流失${atBranch ? '和转出' : ''}的客户，向上 + 向下 + 流失${atBranch ? ' + 转出' : ''} + 保持 = 100%，标题数字也用这一口径。调整口径（见数据表）的分母只含期末仍在${atBranch ? '本网点' : '本行'}的客户，向上 + 向下 + 保持 = 100%。`,
      `The bars use the gross basis: the denominator is every customer the tier had at the start, including those lost${atBranch ? ' or transferred out' : ''}, so up + down + lost${atBranch ? ' + transferred out' : ''} + stayed = 100%; the title uses it too. The adjusted rates (data table) divide by the customers still with ${atBranch ? 'the branch' : 'the bank'} at the end, so up + down + stayed = 100%.`,
    ),
    L(lang, '最高等级不能再向上、最低等级不能再向下，显示为“—”而不是0%。合计行先加总人数再相除，不是各等级比率的平均。', 'The top tier cannot move up and the bottom tier cannot move down: “—”, not 0%. Pooled rows divide summed counts; they are not averages of the tier rates.'),
  ];
  if (segs.some((s) => s.seg === 'withheld'))
    notes.push(L(lang, '斜线段是未公布比率所占的剩余部分（= 100% − 已公布各项），不标数字。', 'A hatched segment is the room the withheld rates take together (100% − the published ones); it carries no figure.'));
  if (empty.length > 0) notes.push(L(lang, '期初没有客户的等级不画条形。', 'A tier with no customers at the start has no bar.'));
  const all = rowsIn.flatMap((r) => [...Object.values(r.rates.gross), ...Object.values(r.rates.adjusted)]);
  const sup = suppressionNote(ctx, all);
  if (sup) notes.push(sup);

  const f = (v: Ratio) => fig(v, 'percent', lang, minCell);
  const description = L(
    lang,
    `100%堆积条形图（毛口径），每个期初等级一行：${rowsIn.map((r) => `${r.label}向上${f(r.rates.gross.up)}、向下${f(r.rates.gross.down)}、流失${f(r.rates.gross.loss)}${atBranch ? `、转出${f(r.rates.gross.transferOut)}` : ''}、保持${f(r.rates.gross.stay)}`).join('；')}。`,
    `100% stacked bars (gross basis), one per start tier: ${rowsIn.map((r) => `${r.label} up ${f(r.rates.gross.up)}, down ${f(r.rates.gross.down)}, lost ${f(r.rates.gross.loss)}${atBranch ? `, transferred out ${f(r.rates.gross.transferOut)}` : ''}, stayed ${f(r.rates.gross.stay)}`).join('; ')}.`,
  );

  const g = L(lang, '毛口径', 'gross');
  const adj = L(lang, '调整口径', 'adjusted');
  const columns = [
    { label: L(lang, '期初等级', 'Start tier'), numeric: false },
    { label: `${L(lang, '向上', 'Up')}（${g}）`, numeric: true },
    { label: `${L(lang, '向上', 'Up')}（${adj}）`, numeric: true },
    { label: `${L(lang, '向下', 'Down')}（${g}）`, numeric: true },
    { label: `${L(lang, '向下', 'Down')}（${adj}）`, numeric: true },
    { label: `${L(lang, '保持', 'Stayed')}（${g}）`, numeric: true },
    { label: `${L(lang, '保持', 'Stayed')}（${adj}）`, numeric: true },
    { label: `${L(lang, '流失', 'Lost')}（${g}）`, numeric: true },
    ...(atBranch ? [{ label: `${L(lang, '转出', 'Transferred out')}（${g}）`, numeric: true }] : []),
  ].map((c) => (lang === 'en' ? { ...c, label: c.label.replace('（', ' (').replace('）', ')') } : c));
  const rows: Cell[][] = rowsIn.map((r) => [
    textCell(r.label),
    figCell(r.rates.gross.up, 'percent', ctx),
    figCell(r.rates.adjusted.up, 'percent', ctx),
    figCell(r.rates.gross.down, 'percent', ctx),
    figCell(r.rates.adjusted.down, 'percent', ctx),
    figCell(r.rates.gross.stay, 'percent', ctx),
    figCell(r.rates.adjusted.stay, 'percent', ctx),
    figCell(r.rates.gross.loss, 'percent', ctx),
    ...(atBranch ? [figCell(r.rates.gross.transferOut, 'percent', ctx)] : []),
  ]);

  // ── Layout ────────────────────────────────────────────────────────────────
  const legend: LegendItem[] = order.filter((s) => s !== 'withheld' || segs.some((x) => x.seg === 'withheld')).map((s) => ({ label: segmentLabel(s, lang), fill: segmentColor(s, id), opacity: s === 'stay' ? STAY_OPACITY : undefined }));
  const marginLeft = Math.ceil(Math.max(...rowsIn.map((r) => blockWidth(r.label, FONT))) + 12);
  const marginRight = Math.ceil(Math.max(...sideNotes.map((s) => textWidth(s.text, 11))) + 14);
  const labelled = segs.filter((s) => s.text !== '');
  return {
    id,
    title,
    subtitle: L(lang, `占该等级期初客户数（%，毛口径）· ${scopeAndWhen(ctx, false)}`, `% of the tier’s customers at the start (gross basis) · ${scopeAndWhen(ctx, false)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: { columns, rows },
    // The drawn segments, so the editable bars are exactly the page's (the withheld remainder included).
    native: {
      kind: 'barStacked100',
      direction: 'horizontal',
      categories: rowsIn.map((r) => r.label),
      series: order.flatMap((seg) => {
        const values = rowsIn.map((r) => segs.find((x) => x.row === r.label && x.seg === seg)?.share ?? null);
        const color = seg === 'withheld' ? WITHHELD_FILL : seg === 'stay' ? STAY_FILL : segmentColor(seg, id);
        return values.some((v) => v !== null) ? [{ name: segmentLabel(seg, lang), values, color }] : [];
      }),
      valueFormat: 'percent',
      valueTitle: L(lang, '占该等级期初客户数（%，毛口径）', '% of the tier’s customers at the start (gross)'),
      withheld: rowsIn.some((r) => Object.values(r.rates.gross).some((v) => v !== null && isSuppressed(v))),
    },
    figure: {
      plot: {
        ...FRAME,
        marginLeft,
        marginRight,
        marginTop: 44,
        marginBottom: 26,
        style: { fontSize: `${FONT}px` },
        x: { domain: [0, 1], label: null, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], tickFormat: (v: number) => `${decimal(v * 100, lang, 0)}%` },
        // A blank row sets the pooled rows apart from the tiers.
        y: { domain: [...rowsIn.filter((r) => !r.pooled).map((r) => r.label), ' ', ...rowsIn.filter((r) => r.pooled).map((r) => r.label)], label: null, padding: 0.3, tickSize: 0 },
        marks: [
          hatchMark(id),
          legendMark(legend, 4, 12, FONT),
          Plot.barX(segs.filter((s) => s.seg === 'stay'), { y: 'row', x1: 'x1', x2: 'x2', fill: 'fill', fillOpacity: STAY_OPACITY, ariaLabel: 'aria', className: 'mig-stay' }),
          Plot.barX(segs.filter((s) => s.seg !== 'stay'), { y: 'row', x1: 'x1', x2: 'x2', fill: 'fill', stroke: 'currentColor', strokeOpacity: 0.15, ariaLabel: 'aria', className: 'mig-moves' }),
          Plot.text(labelled, { y: 'row', x: 'cx', text: 'text', fill: 'ink', fontSize: 11, ariaHidden: 'true' }),
          Plot.text(empty, { y: 'row', x: 0, text: 'text', textAnchor: 'start', dx: 4, fontStyle: 'italic' }),
          Plot.text(sideNotes, { y: 'row', x: 1, text: 'text', textAnchor: 'start', dx: 8, fontSize: 11 }),
        ],
      },
    },
  };
}

// ── (b) The trend ─────────────────────────────────────────────────────────────

type SeriesScope = SeriesFile['scopes'][number];
type Line = 'up' | 'down' | 'loss';

export function migrationTrendChart(ctx: ChartContext, series: SeriesScope): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'migration-trend';
  const minCell = meta.privacy.minCell;
  const periods = series.periods;
  const ends = periods.map((p) => p.end);
  const lines: { key: Line; label: string; color: string }[] = [
    { key: 'up', label: L(lang, '向上 ↑', 'Up ↑'), color: directionColor('up') },
    { key: 'down', label: L(lang, '向下 ↓', 'Down ↓'), color: directionColor('down') },
    { key: 'loss', label: L(lang, '流失', 'Lost'), color: directionColor('lost') },
  ];
  const points = lines.flatMap((l) => periods.map((p) => ({ line: l.key, end: p.end, v: valueOf(p[l.key]), color: l.color })));
  const known = points.filter((p): p is typeof p & { v: number } => p.v !== null);
  const mob = periods.map((p) => ({ end: p.end, v: valueOf(p.mobility) }));
  const mobKnown = mob.filter((p): p is { end: string; v: number } => p.v !== null);
  const withheldCount = periods.reduce((s, p) => s + [p.up, p.down, p.loss, p.mobility].filter(isSuppressed).length, 0);

  // ── Words ─────────────────────────────────────────────────────────────────
  const last = periods.at(-1);
  const latest = last && upDownTitle(last.up, last.down, { zh: '最近一期客户', en: 'customers' }, lang);
  const title = latest
    ? L(lang, latest, `Latest period: ${latest.charAt(0).toLowerCase()}${latest.slice(1)}`)
    : L(lang, '各期向上、向下迁徙率与流失率', 'Up, down and loss rates by period');
  const notes = [
    L(
      lang,
      '每一期是相邻两个快照之间的毛口径比率（分母为期初客户数，含流失的客户），各等级人数加总后再相除；较年初等较长期间不在此图中。',
      'Each point is the gross rate between two consecutive snapshots (denominator: customers at the start, lost ones included), pooled over tiers by summing counts; longer periods such as year to date are not in this chart.',
    ),
    L(
      lang,
      '流动性指数（Shorrocks）=（m − 各等级调整口径留存率之和）÷（m − 1），m为有留存客户的等级数：0表示没有客户变动等级，越大表示等级变动越多。',
      'Mobility index (Shorrocks) = (m − the sum of the tiers’ adjusted stay rates) ÷ (m − 1), m being the tiers with retained customers: 0 means nobody changed tier; higher means more movement.',
    ),
  ];
  if (withheldCount > 0)
    notes.push(L(lang, `${withheldCount}个数值因隐私保护未公布，折线在该处断开。`, `${withheldCount} values are withheld; the lines break there.`));
  if (periods.length > 0 && mobKnown.length === 0)
    notes.push(L(lang, '流动性指数各期均未公布：它由各等级留存人数算出，某一等级人数过少时随之隐藏。', 'The mobility index is withheld in every period: it is computed from each tier’s retained customers and is hidden whenever one tier’s count is too small.'));
  const sup = suppressionNote(ctx, periods.flatMap((p) => [p.up, p.down, p.loss, p.mobility]));
  if (sup) notes.push(sup);

  const f = (v: Ratio) => fig(v, 'percent', lang, minCell);
  const idx = (v: Ratio) => (typeof v === 'number' ? decimal(v, lang, 3) : fig(v, 'percent', lang, minCell));
  const description = L(
    lang,
    `折线图，横轴为每期的期末月份：${periods.map((p) => `${month(p.end, lang)}向上${f(p.up)}、向下${f(p.down)}、流失${f(p.loss)}、流动性指数${idx(p.mobility)}`).join('；')}。`,
    `Line chart by period end month: ${periods.map((p) => `${month(p.end, lang)} up ${f(p.up)}, down ${f(p.down)}, lost ${f(p.loss)}, mobility ${idx(p.mobility)}`).join('; ')}.`,
  );
  const indexCell = (v: Ratio): Cell => (typeof v === 'number' ? { text: decimal(v, lang, 3), value: v, kind: 'decimal' } : { ...figCell(v, 'percent', ctx), kind: 'decimal' });
  const rows: Cell[][] = periods.map((p) => [textCell(month(p.end, lang)), figCell(p.up, 'percent', ctx), figCell(p.down, 'percent', ctx), figCell(p.loss, 'percent', ctx), indexCell(p.mobility)]);

  // ── Drawing: two panels sharing the x axis ─────────────────────────────────
  const width = FRAME.width;
  const topH = 250;
  const botH = FRAME.height - topH;
  const marginLeft = 56;
  const directLabels = (vals: { v: number; text: string; color: string; end: string }[], yMax: number, h: number, mt: number, mb: number) => {
    // Labels at the last published point, pushed apart to at least 14 px.
    const inner = h - mt - mb;
    const px = (v: number) => mt + (1 - v / yMax) * inner;
    const sorted = vals.map((d) => ({ ...d, py: px(d.v) })).sort((a, b) => a.py - b.py);
    for (let i = 1; i < sorted.length; i++) sorted[i]!.py = Math.max(sorted[i]!.py, sorted[i - 1]!.py + 14);
    const overflow = (sorted.at(-1)?.py ?? 0) - (h - mb);
    if (overflow > 0) for (const d of sorted) d.py -= overflow;
    return sorted.map((d) => ({ ...d, y: (1 - (d.py - mt) / inner) * yMax }));
  };
  const lastOf = <T extends { end: string; v: number }>(xs: T[]) => xs.at(-1);
  const ends_ = known.length ? lines.map((l) => lastOf(known.filter((p) => p.line === l.key))).filter((p) => p !== undefined) : [];
  const rateMax = Math.max(0.001, ...known.map((p) => p.v)) * 1.2;
  const rateStep = d3.tickStep(0, rateMax, 5);
  const rateDigits = Math.max(0, Math.min(2, Math.ceil(-Math.log10(rateStep * 100))));
  const mobMax = Math.max(0.01, ...mobKnown.map((p) => p.v)) * 1.25;
  const mobDigits = Math.max(0, Math.min(3, Math.ceil(-Math.log10(d3.tickStep(0, mobMax, 3)))));
  const labelW = Math.max(...lines.map((l) => textWidth(`${l.label} 00.00%`, 11)), textWidth(L(lang, '指数 0.000', 'Index 0.000'), 11));
  const marginRight = Math.ceil(labelW + 16);
  const tickW = Math.max(...ends.map((e) => textWidth(month(e, lang), FONT))) + 10;
  const thin = Math.max(1, Math.ceil((tickW * ends.length) / (width - marginLeft - marginRight)));
  const xTicks = ends.filter((_e, i) => i % thin === 0 || i === ends.length - 1);
  const current = ctx.period?.consecutive ? ctx.period.end : null;
  const x = { type: 'point' as const, domain: ends, label: null, ticks: xTicks, tickFormat: (e: string) => month(e, lang), padding: 0.3 };
  const rateLabels = directLabels(
    ends_.map((p) => ({ v: p.v, end: p.end, color: p.color, text: `${lines.find((l) => l.key === p.line)!.label} ${percent(p.v, lang)}` })),
    rateMax,
    topH,
    40,
    10,
  );
  const mobLast = lastOf(mobKnown);
  const currentMarks = (yTop: number) =>
    current ? [Plot.ruleX([current], { stroke: 'currentColor', strokeOpacity: 0.25, strokeWidth: 6 }), Plot.text([{ x: current, y: yTop, t: L(lang, '本期', 'This period') }], { x: 'x', y: 'y', text: 't', dy: -6, lineAnchor: 'bottom', fontSize: 10 })] : [];

  const topPlot: Plot.PlotOptions = {
    width,
    height: topH,
    marginLeft,
    marginRight,
    marginTop: 40,
    marginBottom: 10,
    style: { fontSize: `${FONT}px` },
    // The month labels are drawn once, under the lower panel.
    x: { ...x, axis: null },
    y: { domain: [0, rateMax], label: L(lang, '比率（%）', 'Rate (%)'), grid: true, ticks: d3.ticks(0, rateMax, 5), tickFormat: (v: number) => `${decimal(v * 100, lang, rateDigits)}%` },
    marks: [
      ...currentMarks(rateMax),
      ...lines.map((l) => Plot.line(points.filter((p) => p.line === l.key), { x: 'end', y: 'v', stroke: l.color, strokeWidth: 2, className: `mig-line-${l.key}` })),
      Plot.dot(known, { x: 'end', y: 'v', fill: 'color', r: 3, ariaHidden: 'true' }),
      Plot.text(rateLabels, { x: 'end', y: 'y', text: 'text', fill: 'color', textAnchor: 'start', dx: 10, fontSize: 11, fontWeight: 'bold', className: 'mig-line-labels' }),
      ...(known.length === 0 ? [Plot.text([{ t: L(lang, '各期比率均未公布', 'Every rate is withheld') }], { text: 't', frameAnchor: 'middle' })] : []),
    ],
  };
  const botPlot: Plot.PlotOptions = {
    width,
    height: botH,
    marginLeft,
    marginRight,
    marginTop: 26,
    marginBottom: 26,
    style: { fontSize: `${FONT}px` },
    x,
    y: mobKnown.length
      ? { domain: [0, mobMax], label: L(lang, '流动性指数', 'Mobility index'), grid: true, ticks: d3.ticks(0, mobMax, 3), tickFormat: (v: number) => decimal(v, lang, mobDigits) }
      : { domain: [0, 1], label: L(lang, '流动性指数', 'Mobility index'), ticks: [] },
    marks: [
      ...currentMarks(mobMax),
      Plot.line(mob, { x: 'end', y: 'v', stroke: 'currentColor', strokeWidth: 2, className: 'mig-line-mobility' }),
      Plot.dot(mobKnown, { x: 'end', y: 'v', fill: 'currentColor', r: 3, ariaHidden: 'true' }),
      ...(mobLast ? [Plot.text([{ ...mobLast, t: L(lang, `指数 ${decimal(mobLast.v, lang, 3)}`, `Index ${decimal(mobLast.v, lang, 3)}`) }], { x: 'end', y: 'v', text: 't', textAnchor: 'start', dx: 10, fontSize: 11, fontWeight: 'bold' })] : []),
      ...(mobKnown.length === 0 ? [Plot.text([{ t: L(lang, '流动性指数各期均未公布', 'The mobility index is withheld in every period') }], { text: 't', frameAnchor: 'middle', fontStyle: 'italic' })] : []),
    ],
  };

  const draw = (document: Document): Element => {
    const svg = document.createElementNS(SVG_NS, 'svg');
    for (const [k, v] of Object.entries({ class: PLOT_CLASS, viewBox: `0 0 ${width} ${FRAME.height}`, width, height: FRAME.height, fill: 'currentColor', 'font-size': FONT }))
      svg.setAttribute(k, String(v));
    const place = (opts: Plot.PlotOptions, y: number) => {
      const el = Plot.plot({ ...opts, document, className: PLOT_CLASS } as Plot.PlotOptions) as unknown as Element;
      el.setAttribute('x', '0');
      el.setAttribute('y', String(y));
      el.setAttribute('overflow', 'visible');
      svg.appendChild(el);
    };
    place(topPlot, 0);
    place(botPlot, topH);
    return svg;
  };

  const span = periods.length ? `${date(periods[0]!.start, lang)}${L(lang, '至', ' – ')}${date(periods.at(-1)!.end, lang)}` : '';
  return {
    id,
    title,
    subtitle: L(lang, `比率（%）与流动性指数，逐期 · ${scopeLabel(meta, ctx.branch, lang)} · ${span}`, `Rates (%) and mobility index, period by period · ${scopeLabel(meta, ctx.branch, lang)} · ${span}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '期末月份', 'Period end'), numeric: false },
        { label: L(lang, '向上迁徙率', 'Moved up'), numeric: true },
        { label: L(lang, '向下迁徙率', 'Moved down'), numeric: true },
        { label: L(lang, '流失率', 'Lost'), numeric: true },
        { label: L(lang, '流动性指数', 'Mobility index'), numeric: true },
      ],
      rows,
    },
    native: {
      kind: 'line',
      categories: ends.map((e) => month(e, lang)),
      series: [
        ...lines.map((l) => ({ name: l.label, values: periods.map((p) => valueOf(p[l.key])), color: l.color })),
        // A different unit: its own axis, as the page gives it its own panel.
        { name: L(lang, '流动性指数', 'Mobility index'), values: mob.map((p) => p.v), color: INK.dark, secondary: true },
      ],
      valueFormat: 'percent',
      valueTitle: L(lang, '比率（%）', 'Rate (%)'),
      secondary: { format: 'decimal', title: L(lang, '流动性指数', 'Mobility index') },
      withheld: withheldCount > 0,
    },
    figure: { draw },
  };
}
