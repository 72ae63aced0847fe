// The 80/20 check as a Pareto curve: customers ranked from the largest balance
// along x, the cumulative share of the amount they hold up y, with reference lines
// at 20 % of customers and 80 % of the amount. Drawn from the published Lorenz
// points (the top 1 − p of customers hold 1 − share), so it shows no more than
// the Lorenz chart; the title answers the check only from the published 80 % point.
import * as Plot from '@observablehq/plot';
import type { ScopeSnapshot } from '../schema/output.ts';
import { percent, percentTick } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell } from './common.ts';
import { lorenzCurve } from './lorenz.ts';
import { MEASURE_COLORS, frame } from './theme.ts';
import { measureLabel, measureWord, type Measure } from './sectionKit.ts';
import type { Cell, ChartContext, ChartSpec, NativeChart } from './types.ts';

/** Below this share of customers holding 80 %, the book is "far" beyond 80/20 (half of 20 %). */
const FAR = 0.1;

/** Points of the Pareto curve, ascending x: the top x of customers hold y. */
export function paretoPoints(lorenz: { p: number; share: number }[]): { x: number; y: number }[] {
  return lorenz.map((pt) => ({ x: 1 - pt.p, y: 1 - pt.share })).sort((a, b) => a.x - b.x);
}

export function paretoChart(ctx: ChartContext, scope: ScopeSnapshot, measure: Measure): ChartSpec {
  const { lang } = ctx;
  const id = `pareto-${measure}`;
  const block = scope.concentration[measure];
  const curve = lorenzCurve(measure, block);
  const pts = paretoPoints(curve.points);
  const p80 = curve.point80?.share ?? null;
  const what = measureWord(measure, lang);
  const name = measureLabel(measure, lang);

  let title: string;
  if (p80 !== null) {
    const p = percent(p80, lang);
    const twenty = percent(0.2, lang);
    if (p === twenty) title = L(lang, `前${p}的客户持有80%的${what}，与“二八”相当`, `80% of ${what} sit with the top ${p} of customers — in line with 80/20`);
    else if (p80 < 0.2)
      title =
        p80 <= FAR
          ? L(lang, `前${p}的客户持有80%的${what}，远比“二八”集中`, `80% of ${what} sit with the top ${p} of customers — far beyond 80/20`)
          : L(lang, `前${p}的客户持有80%的${what}，比“二八”更集中`, `80% of ${what} sit with the top ${p} of customers — more concentrated than 80/20`);
    else title = L(lang, `前${p}的客户才持有80%的${what}，不及“二八”集中`, `It takes the top ${p} of customers to hold 80% of ${what} — less concentrated than 80/20`);
  } else title = L(lang, `按客户从大到小累计的${what}占比`, `Cumulative share of ${what}, customers ranked from the largest`);

  const notes: string[] = [
    L(
      lang,
      `由已公布的洛伦兹曲线点换算：金额最多的前x客户持有1 − (剩余客户的累计占比)；点间以直线相连。“二八”检验看持有80%${what}所需的最少客户占比是否低于20%。`,
      `Converted from the published Lorenz points: the top x of customers hold 1 − what the rest hold; points are joined by straight lines. The 80/20 check asks whether fewer than 20% of customers hold 80% of ${what}.`,
    ),
  ];
  if (curve.missing === 'too_few_customers')
    notes.push(L(lang, `客户少于${ctx.meta.privacy.minCell}户，不公布${what}的集中度。`, `Fewer than ${ctx.meta.privacy.minCell} customers: the concentration of ${what} is not published.`));
  else if (curve.missing === 'zero_total') notes.push(L(lang, `${what}合计为零，集中度无定义。`, `Total ${what} is zero, so concentration is undefined.`));
  else if (curve.missing === 'no_interior_point')
    notes.push(L(lang, `客户太少，无法公布曲线的中间点，未画出曲线。`, `Too few customers to publish any point between the ends of the curve, so none is drawn.`));
  if (block.withheld === null) {
    const sup = suppressionNote(ctx, [block.point80]);
    if (sup) notes.push(sup);
  }

  const rows: Cell[][] = pts.map((pt) => [textCell(name), figCell(pt.x, 'percent', ctx), figCell(pt.y, 'percent', ctx)]);
  if (p80 !== null) rows.push([textCell(L(lang, `${name} · 80%点`, `${name} · 80 % point`)), figCell(p80, 'percent', ctx), figCell(0.8, 'percent', ctx)]);
  else if (block.withheld === null)
    rows.push([textCell(L(lang, `${name} · 80%点`, `${name} · 80 % point`)), figCell(block.point80, 'percent', ctx), figCell(0.8, 'percent', ctx)]);

  const at20 = pts.find((pt) => Math.abs(pt.x - 0.2) < 1e-9);
  const description = L(
    lang,
    `帕累托曲线：横轴为按${what}从多到少排列的客户占比，纵轴为这些客户合计持有的${what}占比；虚线标出20%的客户与80%的${what}。` +
      (p80 !== null ? `前${percent(p80, lang)}的客户持有80%。` : '80%点未公布。') +
      (at20 ? `前20%的客户持有${percent(at20.y, lang)}。` : '') +
      (pts.length ? `共${pts.length}个公布点。` : '未画出曲线。'),
    `Pareto curve: customers ranked from the largest ${what} along x, the share of ${what} they hold together up y; dashed lines mark 20% of customers and 80% of ${what}. ` +
      (p80 !== null ? `The top ${percent(p80, lang)} of customers hold 80%. ` : 'The 80 % point is withheld. ') +
      (at20 ? `The top 20% hold ${percent(at20.y, lang)}. ` : '') +
      (pts.length ? `${pts.length} published points.` : 'No curve drawn.'),
  );

  // No curve, nothing to edit: the picture then shows why.
  const native: NativeChart | undefined = pts.length
    ? {
        kind: 'scatter',
        categories: [],
        x: pts.map((pt) => pt.x),
        series: [{ name, values: pts.map((pt) => pt.y), color: MEASURE_COLORS[measure] }],
        valueFormat: 'percent',
        valueTitle: L(lang, `持有${what}累计占比（%）`, `Cumulative share of ${what} (%)`),
        categoryTitle: L(lang, `客户占比（按${what}从多到少，%）`, `Share of customers, largest ${what} first (%)`),
        range: [0, 1],
        withheld: false,
        blanks: 'span',
      }
    : undefined;
  const mid = pts.length ? pts.reduce((best, pt) => (Math.abs(pt.x - 0.5) < Math.abs(best.x - 0.5) ? pt : best), pts[0]!) : null;
  const color = MEASURE_COLORS[measure];
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
        { label: L(lang, '客户占比（从多到少）', 'Share of customers (largest first)'), numeric: true },
        { label: L(lang, `持有${what}累计占比`, `Cumulative share of ${what}`), numeric: true },
      ],
      rows,
    },
    native,
    figure: {
      plot: {
        ...frame({ left: 56, right: 24, top: 30, bottom: 44 }),
        x: { domain: [0, 1], tickFormat: percentTick, ticks: 10, grid: true, label: L(lang, `客户占比（按${what}从多到少）→`, `Share of customers, largest ${what} first →`), labelOffset: 36 },
        y: { domain: [0, 1], tickFormat: percentTick, ticks: 5, grid: true, label: L(lang, `↑ 持有${what}累计占比`, `↑ Cumulative share of ${what}`) },
        marks: [
          Plot.ruleX([0.2], { stroke: MEASURE_COLORS.reference, strokeDasharray: '5 4' }),
          Plot.ruleY([0.8], { stroke: MEASURE_COLORS.reference, strokeDasharray: '5 4' }),
          Plot.text([{ x: 0.2, t: L(lang, '20%的客户', '20% of customers') }], { x: 'x', text: 't', frameAnchor: 'bottom', dy: -6, dx: 4, textAnchor: 'start', fill: MEASURE_COLORS.reference }),
          Plot.text([{ y: 0.8, t: L(lang, `80%的${what}`, `80% of ${what}`) }], { y: 'y', text: 't', frameAnchor: 'right', dy: 10, textAnchor: 'end', fill: MEASURE_COLORS.reference }),
          ...(pts.length
            ? [
                Plot.line(pts, { x: 'x', y: 'y', stroke: color, strokeWidth: 2.25 }),
                Plot.dot(pts, { x: 'x', y: 'y', r: 1.6, fill: color }),
                Plot.text([{ ...mid!, t: name }], { x: 'x', y: 'y', text: 't', dy: -10, textAnchor: 'middle', fill: 'currentColor', stroke: 'white', strokeWidth: 3, paintOrder: 'stroke' }),
              ]
            : []),
          ...(p80 !== null
            ? [
                Plot.dot([{ x: p80, y: 0.8 }], { x: 'x', y: 'y', r: 4.5, fill: color, stroke: 'white', strokeWidth: 1.5 }),
                Plot.text([{ x: p80, y: 0.8, t: L(lang, `前${percent(p80, lang)}的客户持有80%`, `Top ${percent(p80, lang)} hold 80%`) }], {
                  x: 'x',
                  y: 'y',
                  text: 't',
                  dx: 8,
                  dy: 14,
                  textAnchor: 'start',
                  fill: 'currentColor',
                  stroke: 'white',
                  strokeWidth: 3,
                  paintOrder: 'stroke',
                }),
              ]
            : []),
        ],
      },
    },
  };
}
