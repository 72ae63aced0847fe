// Lorenz curves of assets and deposits on one chart: customers from the smallest
// balance up along x, the share of the amount they hold up y. Only the published
// points are drawn, joined by straight lines (no point is invented between them);
// each curve is labelled where it reaches its 80 % point (the few largest
// customers who hold 80 % of the amount), so the curve and the 80/20 check are read
// together.
import * as Plot from '@observablehq/plot';
import type { Concentration, ScopeSnapshot } from '../schema/output.ts';
import { percent, percentTick, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell } from './common.ts';
import { FRAME, MEASURE_COLORS, frame } from './theme.ts';
import { compareGini, giniText, MEASURES, measureLabel, measureWord, type Measure } from './sectionKit.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';

const M = { left: 56, right: 20, top: 24, bottom: 44 } as const;
const INNER = { width: FRAME.width - M.left - M.right, height: FRAME.height - M.top - M.bottom };

export interface LorenzCurve {
  measure: Measure;
  /** Published points, ascending p; empty when the curve is not drawn. */
  points: { p: number; share: number }[];
  /** The 80 % point as drawn: x = 1 − point80, y = 0.2; null when withheld. */
  point80: { x: number; y: number; share: number } | null;
  /** Why no curve is drawn, if none is. */
  missing: 'too_few_customers' | 'zero_total' | 'no_interior_point' | null;
}

/** What the chart draws for one measure, from the published block alone. */
export function lorenzCurve(measure: Measure, c: Concentration): LorenzCurve {
  const p80 = c.withheld === null ? valueOf(c.point80) : null;
  const point80 = p80 === null ? null : { x: 1 - p80, y: 0.2, share: p80 };
  if (c.withheld !== null) return { measure, points: [], point80: null, missing: c.withheld };
  const points = [...c.lorenz].sort((a, b) => a.p - b.p);
  // Two points are the ends (0,0) and (1,1): joined, they would draw the line of equality.
  if (!points.some((pt) => pt.p > 0 && pt.p < 1)) return { measure, points: [], point80, missing: 'no_interior_point' };
  return { measure, points, point80, missing: null };
}

type Callout = { measure: Measure; anchor: { x: number; y: number }; label: { x: number; y: number }; text: string };

const cross = (a: { x: number; y: number }, b: { x: number; y: number }, c: { x: number; y: number }, d: { x: number; y: number }) => {
  const o = (p: typeof a, q: typeof a, r: typeof a) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
};

/** Labels in the open space above the curves, one row each, joined to their curve by a leader that crosses no other. */
function callouts(curves: LorenzCurve[], lang: 'zh' | 'en'): Callout[] {
  const items = curves
    .filter((c) => c.points.length > 0 || c.point80)
    .map((c) => {
      // The 80 % marker if there is one, else the drawn vertex nearest to y = 20 %.
      const interior = c.points.filter((pt) => pt.p > 0 && pt.p < 1);
      const near = interior.reduce((best, pt) => (Math.abs(pt.share - 0.2) < Math.abs(best.share - 0.2) ? pt : best), interior[0] ?? { p: 0.5, share: 0 });
      const anchor = c.point80 ? { x: c.point80.x, y: c.point80.y } : { x: near.p, y: near.share };
      const text = c.point80
        ? L(lang, `${percent(c.point80.share, lang)}的客户持有80%的${measureWord(c.measure, lang)}`, `${percent(c.point80.share, lang)} of customers hold 80% of ${measureWord(c.measure, lang)}`)
        : measureLabel(c.measure, lang);
      return { measure: c.measure, anchor, text };
    });
  if (items.length === 0) return [];
  const left = Math.min(...items.map((i) => i.anchor.x));
  const top = Math.max(...items.map((i) => i.anchor.y));
  const x = Math.max(0.3, Math.min(0.88, left - 0.1));
  const rows = items.map((_, k) => Math.min(0.9, top + 0.2 - k * 0.1));
  const place = (order: typeof items) => order.map((it, k) => ({ ...it, label: { x, y: rows[k]! } }));
  const first = place(items);
  if (first.length === 2 && cross(first[0]!.label, first[0]!.anchor, first[1]!.label, first[1]!.anchor)) return place([...items].reverse());
  return first;
}

export function lorenzChart(ctx: ChartContext, scope: ScopeSnapshot): ChartSpec {
  const { lang } = ctx;
  const id = 'lorenz';
  const curves = MEASURES.map((m) => lorenzCurve(m, scope.concentration[m]));
  const gini = (m: Measure) => {
    const c = scope.concentration[m];
    return c.withheld === null ? valueOf(c.gini) : null;
  };
  const gA = gini('aum');
  const gD = gini('deposits');

  let title: string;
  if (gA !== null && gD !== null) {
    const cmp = compareGini(gA, gD, lang);
    title =
      cmp === 0
        ? L(lang, `金融资产与存款的基尼系数同为${giniText(gA, lang)}`, `Assets and deposits have the same Gini coefficient, ${giniText(gA, lang)}`)
        : cmp > 0
          ? L(lang, `金融资产比存款更集中：基尼系数${giniText(gA, lang)}对${giniText(gD, lang)}`, `Assets are more concentrated than deposits: Gini ${giniText(gA, lang)} vs ${giniText(gD, lang)}`)
          : L(lang, `存款比金融资产更集中：基尼系数${giniText(gD, lang)}对${giniText(gA, lang)}`, `Deposits are more concentrated than assets: Gini ${giniText(gD, lang)} vs ${giniText(gA, lang)}`);
  } else if (gA !== null || gD !== null) {
    const m: Measure = gA !== null ? 'aum' : 'deposits';
    const g = (gA ?? gD) as number;
    title = L(lang, `${measureLabel(m, lang)}的基尼系数为${giniText(g, lang)}`, `The Gini coefficient of ${measureWord(m, lang)} is ${giniText(g, lang)}`);
  } else title = L(lang, '金融资产与存款的洛伦兹曲线', 'Lorenz curves of assets and deposits');

  // Notes: why a curve is missing, how it is drawn, what is withheld.
  const notes: string[] = [
    L(
      lang,
      `曲线只连接已公布的点：为保护隐私，只公布使每一段都覆盖至少${ctx.meta.privacy.minCell}户客户的点，点与点之间以直线相连。`,
      `Each curve joins the published points only: a point is published where every segment keeps at least ${ctx.meta.privacy.minCell} customers, and points are joined by straight lines.`,
    ),
  ];
  for (const c of curves) {
    const what = measureWord(c.measure, lang);
    if (c.missing === 'too_few_customers')
      notes.push(L(lang, `客户少于${ctx.meta.privacy.minCell}户，不公布${what}的集中度，未画出曲线。`, `Fewer than ${ctx.meta.privacy.minCell} customers: the concentration of ${what} is not published and no curve is drawn.`));
    else if (c.missing === 'zero_total')
      notes.push(L(lang, `${what}合计为零，集中度无定义，未画出曲线。`, `Total ${what} is zero, so concentration is undefined and no curve is drawn.`));
    else if (c.missing === 'no_interior_point')
      notes.push(
        L(
          lang,
          `客户太少，无法在每段至少${ctx.meta.privacy.minCell}户的前提下公布${what}曲线的中间点，未画出曲线（只连两端会与完全平均线重合，造成误读）。`,
          `Too few customers to publish any point of the ${what} curve between its ends with ${ctx.meta.privacy.minCell} customers per segment, so no curve is drawn (joining the ends alone would draw the line of equality).`,
        ),
      );
    else if (c.points.length < 12)
      notes.push(
        L(
          lang,
          `${measureLabel(c.measure, lang)}曲线只有${c.points.length}个公布点；点间直线位于真实曲线之上，会低估集中程度。`,
          `The ${what} curve has only ${c.points.length} published points; straight lines between them lie above the true curve and understate concentration.`,
        ),
      );
  }
  if (curves.some((c) => c.point80))
    notes.push(
      L(
        lang,
        '圆点为80%点：金额最多的客户中，合计持有80%所需的最少客户占比；在曲线上位于横轴1 − 该占比、纵轴20%处。',
        'The dots are the 80 % points: the smallest share of customers, largest first, who hold 80 % of the amount; on the curve they sit at x = 1 − that share, y = 20%.',
      ),
    );
  const withheldCells = MEASURES.flatMap((m) => {
    const c = scope.concentration[m];
    return c.withheld === null ? [c.gini, c.point80] : [];
  });
  const sup = suppressionNote(ctx, withheldCells);
  if (sup) notes.push(sup);

  // The table: exactly the vertices and markers drawn.
  const rows: Cell[][] = [];
  for (const c of curves) {
    for (const pt of c.points) rows.push([textCell(measureLabel(c.measure, lang)), figCell(pt.p, 'percent', ctx), figCell(pt.share, 'percent', ctx)]);
  }
  for (const c of curves) {
    if (!c.point80) continue;
    rows.push([
      textCell(L(lang, `${measureLabel(c.measure, lang)} · 80%点（前${percent(c.point80.share, lang)}的客户）`, `${measureLabel(c.measure, lang)} · 80 % point (top ${percent(c.point80.share, lang)} of customers)`)),
      figCell(c.point80.x, 'percent', ctx),
      figCell(c.point80.y, 'percent', ctx),
    ]);
  }

  const describe = (c: LorenzCurve) => {
    const name = measureLabel(c.measure, lang);
    const g = gini(c.measure);
    const parts: string[] = [];
    if (g !== null) parts.push(L(lang, `基尼系数${giniText(g, lang)}`, `Gini ${giniText(g, lang)}`));
    if (c.point80) parts.push(L(lang, `${percent(c.point80.share, lang)}的客户持有80%`, `${percent(c.point80.share, lang)} of customers hold 80%`));
    const p90 = c.points.find((pt) => Math.abs(pt.p - 0.9) < 1e-9);
    if (p90) parts.push(L(lang, `金额最少的90%客户合计持有${percent(p90.share, lang)}`, `the bottom 90% of customers hold ${percent(p90.share, lang)}`));
    if (c.points.length === 0) parts.push(L(lang, '未画出曲线', 'no curve drawn'));
    else parts.push(L(lang, `${c.points.length}个公布点`, `${c.points.length} published points`));
    return L(lang, `${name}：${parts.join('，')}`, `${name}: ${parts.join(', ')}`);
  };
  const description = L(
    lang,
    `洛伦兹曲线：横轴为按金额从少到多排列的客户累计占比，纵轴为这些客户持有的金额累计占比；对角虚线为完全平均线，曲线越贴近右下角越集中。${curves.map(describe).join('；')}。`,
    `Lorenz curves: customers ordered from the smallest balance up along x, the cumulative share of the amount they hold up y; the dashed diagonal is perfect equality, and the closer a curve hugs the bottom-right corner, the more concentrated. ${curves.map(describe).join('; ')}.`,
  );

  const drawn = curves.filter((c) => c.points.length > 0);
  const markers = curves.filter((c) => c.point80);
  const labels = callouts(curves, lang);
  const angle = (-Math.atan(INNER.height / INNER.width) * 180) / Math.PI;
  // Both curves on one x grid: each is blank where the other has a point, and spans the blank.
  const xs = [...new Set([0, 1, ...drawn.flatMap((c) => c.points.map((pt) => pt.p))])].sort((a, b) => a - b);
  const onGrid = (c: LorenzCurve) => {
    const at = new Map(c.points.map((pt) => [pt.p, pt.share]));
    return xs.map((x) => at.get(x) ?? null);
  };
  return {
    id,
    title,
    subtitle: L(lang, `累计占比（%）· ${scopeAndWhen(ctx)}`, `Cumulative share (%) · ${scopeAndWhen(ctx)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '曲线', 'Curve'), numeric: false },
        { label: L(lang, '客户累计占比（从少到多）', 'Cumulative share of customers (smallest first)'), numeric: true },
        { label: L(lang, '金额累计占比', 'Cumulative share of the amount'), numeric: true },
      ],
      rows,
    },
    native: {
      kind: 'scatter',
      categories: [],
      x: xs,
      series: [
        ...curves.map((c) => ({ name: measureLabel(c.measure, lang), values: onGrid(c), color: MEASURE_COLORS[c.measure] })),
        { name: L(lang, '完全平均线', 'Line of equality'), values: xs, color: MEASURE_COLORS.reference },
      ],
      valueFormat: 'percent',
      valueTitle: L(lang, '持有金额累计占比（%）', 'Cumulative share of the amount (%)'),
      categoryTitle: L(lang, '客户累计占比（按金额从少到多，%）', 'Share of customers, smallest balance first (%)'),
      range: [0, 1],
      withheld: curves.some((c) => c.missing === 'too_few_customers'),
      blanks: 'span',
    },
    figure: {
      plot: {
        ...frame(M),
        x: { domain: [0, 1], tickFormat: percentTick, ticks: 10, grid: true, label: L(lang, '客户累计占比（按金额从少到多）→', 'Share of customers, smallest balance first →'), labelOffset: 36 },
        y: { domain: [0, 1], tickFormat: percentTick, ticks: 5, grid: true, label: L(lang, '↑ 持有金额累计占比', '↑ Cumulative share of the amount') },
        marks: [
          Plot.line(
            [
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ],
            { x: 'x', y: 'y', stroke: MEASURE_COLORS.reference, strokeDasharray: '5 4' },
          ),
          Plot.text([{ x: 0.3, y: 0.3, t: L(lang, '完全平均线', 'Line of equality') }], {
            x: 'x',
            y: 'y',
            text: 't',
            rotate: angle,
            dy: -7,
            fill: MEASURE_COLORS.reference,
          }),
          ...drawn.map((c) => Plot.line(c.points, { x: 'p', y: 'share', stroke: MEASURE_COLORS[c.measure], strokeWidth: 2.25 })),
          ...drawn.map((c) => Plot.dot(c.points, { x: 'p', y: 'share', r: 1.6, fill: MEASURE_COLORS[c.measure] })),
          ...labels.map((l) =>
            Plot.link([l], { x1: (d: Callout) => d.label.x, y1: (d: Callout) => d.label.y, x2: (d: Callout) => d.anchor.x, y2: (d: Callout) => d.anchor.y, stroke: MEASURE_COLORS[l.measure], strokeWidth: 1.25 }),
          ),
          ...markers.map((c) => Plot.dot([c.point80!], { x: 'x', y: 'y', r: 4.5, fill: MEASURE_COLORS[c.measure], stroke: 'white', strokeWidth: 1.5 })),
          Plot.text(labels, { x: (d: Callout) => d.label.x, y: (d: Callout) => d.label.y, text: 'text', textAnchor: 'end', dx: -4, fill: 'currentColor', stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' }),
        ],
      },
    },
  };
}
