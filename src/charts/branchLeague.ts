// Branches side by side: the mid-high share of customers per branch as a dot on a
// common scale, with the bank's share as the reference line, so a reader sees at
// once which branches carry a richer book than the bank.
import * as Plot from '@observablehq/plot';
import { compareShares, isSuppressed, percent, percentTick, valueOf } from '../lib/format.ts';
import type { LeagueRow } from '../site/league.ts';
import { figCell, L, scopeAndWhen, scopeLabel, sourceLine, suppressionNote, textCell } from './common.ts';
import { MEASURE_COLORS } from './theme.ts';
import type { ChartContext, ChartSpec } from './types.ts';

export function branchLeagueChart(ctx: ChartContext, rows: LeagueRow[]): ChartSpec {
  const { lang, meta } = ctx;
  const bank = rows.find((r) => r.branch === null);
  const branches = rows.filter((r) => r.branch !== null);
  const bankShare = bank ? valueOf(bank.midHighShare) : null;
  const pts = branches
    .map((r) => ({ label: scopeLabel(meta, r.branch, lang), v: valueOf(r.midHighShare) }))
    .filter((d): d is { label: string; v: number } => d.v !== null)
    .sort((a, b) => b.v - a.v || (a.label < b.label ? -1 : 1));
  const above = bankShare === null ? 0 : pts.filter((p) => compareShares(p.v, bankShare, lang) > 0).length;
  const withheld = branches.length - pts.length;
  const title =
    bankShare !== null && pts.length
      ? L(lang, `${pts.length}个网点中有${above}个的中高端客户占比高于全行的${percent(bankShare, lang)}`, `${above} of ${pts.length} branches have a larger mid-high share than the bank’s ${percent(bankShare, lang)}`)
      : L(lang, '各网点中高端客户占比', 'Mid-high share of customers by branch');
  const notes: string[] = [];
  if (withheld > 0)
    notes.push(L(lang, `${withheld}个网点的占比因隐私保护未公布，未画出。`, `${withheld} branches have a withheld share and are not drawn.`));
  const sup = suppressionNote(ctx, branches.map((r) => r.midHighShare));
  if (sup) notes.push(sup);
  const height = Math.max(200, 22 * pts.length + 60);
  // Branches without a published share stay in the editable chart as blank rows, last, so none silently drops out.
  const blank = branches
    .filter((r) => valueOf(r.midHighShare) === null)
    .map((r) => scopeLabel(meta, r.branch, lang))
    .sort();
  return {
    id: 'branch-mid-high-share',
    title,
    subtitle: L(lang, `中高端客户占客户数比例（%）· ${scopeAndWhen({ ...ctx, branch: null })}`, `Mid-high share of customers (%) · ${scopeAndWhen({ ...ctx, branch: null })}`),
    source: sourceLine(ctx),
    description: L(
      lang,
      `点图：每个网点一行，按中高端客户占比从高到低排列；竖线为全行水平${bankShare !== null ? percent(bankShare, lang) : ''}。`,
      `Dot plot: one row per branch, sorted by mid-high share, highest first; the vertical line is the bank’s ${bankShare !== null ? percent(bankShare, lang) : 'share'}.`,
    ),
    notes,
    table: {
      columns: [
        { label: L(lang, '网点', 'Branch'), numeric: false },
        { label: L(lang, '中高端客户占比', 'Mid-high share'), numeric: true },
      ],
      rows: [
        ...(bank ? [[textCell(scopeLabel(meta, null, lang)), figCell(bank.midHighShare, 'percent', ctx)]] : []),
        ...branches.map((r) => [textCell(scopeLabel(meta, r.branch, lang)), figCell(r.midHighShare, 'percent', ctx)]),
      ],
    },
    native: {
      kind: 'bar',
      direction: 'horizontal',
      categories: [...pts.map((p) => p.label), ...blank],
      series: [{ name: L(lang, '中高端客户占比', 'Mid-high share'), values: [...pts.map((p) => p.v), ...blank.map(() => null)], color: MEASURE_COLORS.aum }],
      valueFormat: 'percent',
      valueTitle:
        bankShare !== null
          ? L(lang, `中高端客户占比（%；全行${percent(bankShare, lang)}）`, `Mid-high share (%; bank ${percent(bankShare, lang)})`)
          : L(lang, '中高端客户占比（%）', 'Mid-high share (%)'),
      withheld: branches.some((r) => isSuppressed(r.midHighShare)),
    },
    figure: {
      plot: {
        width: 720,
        height,
        marginLeft: 130,
        marginRight: 70,
        style: { fontSize: '12px' },
        x: { label: null, tickFormat: percentTick, grid: true, nice: true, zero: true },
        y: { domain: pts.map((p) => p.label), label: null },
        marks: [
          ...(bankShare !== null
            ? [
                Plot.ruleX([bankShare], { stroke: MEASURE_COLORS.reference, strokeDasharray: '4 3' }),
                Plot.text([{ x: bankShare, t: L(lang, `全行 ${percent(bankShare, lang)}`, `Bank ${percent(bankShare, lang)}`) }], { x: 'x', text: 't', frameAnchor: 'top', dy: -4, textAnchor: 'start', dx: 4 }),
              ]
            : []),
          Plot.ruleY(pts, { y: 'label', x1: 0, x2: 'v', stroke: MEASURE_COLORS.customers, strokeOpacity: 0.5 }),
          Plot.dot(pts, { y: 'label', x: 'v', fill: MEASURE_COLORS.aum, r: 4 }),
          Plot.text(pts, { y: 'label', x: 'v', text: (d: { v: number }) => percent(d.v, lang), dx: 8, textAnchor: 'start' }),
        ],
      },
    },
  };
}
