// The transition matrix as a heat map: one row per start tier (plus the new
// customers, and transfers in at branch scope), one column per end tier (plus the
// lost customers, and transfers out). Two bases from one function: gross divides
// by every customer the tier had at the start (the headline rates), adjusted by
// those retained. Tiers run low → high top to bottom and left to right, so the
// cells above the diagonal moved up and the cells below it moved down.
import * as d3 from 'd3';
import * as Plot from '@observablehq/plot';
import type { Fig, Ratio, ScopePeriod } from '../schema/output.ts';
import { fig, isSuppressed, percent, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { hatchMark } from './render.ts';
import { FRAME, hatchId } from './theme.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';
import { blockWidth, HALO, INK, tierKeys, wrapLabel } from './migrationCommon.ts';

export type MatrixBasis = 'gross' | 'adjusted';

type CellKind = 'shaded' | 'count' | 'withheld' | 'undefined';

interface HeatCell {
  from: string;
  to: string;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  /** Centre of the cell, for its text. */
  cx: number;
  cy: number;
  kind: CellKind;
  diagonal: boolean;
  text: string;
  shade: string;
  ink: string;
  aria: string;
  n: Fig;
  share: Ratio;
}

/** Gap between the tier block and the extra rows/columns (new, lost, transfers), in cells. */
const GAP = 0.25;
const FONT = 12;
const CELL_FONT = 12;

/** Fill for a share: a sequential grey on a square-root scale, so 1 % and 5 % still differ. */
const shadeOf = (share: number): string => d3.interpolateGreys(0.03 + 0.85 * Math.sqrt(Math.max(0, Math.min(1, share))));
const inkOf = (share: number): string => (0.03 + 0.85 * Math.sqrt(Math.max(0, Math.min(1, share))) > 0.5 ? INK.light : INK.dark);

export function transitionHeatmapChart(ctx: ChartContext, scope: ScopePeriod, basis: MatrixBasis): ChartSpec {
  const { lang, meta } = ctx;
  const id = `migration-heatmap-${basis}`;
  const atBranch = scope.branch !== null;
  const tiers = tierKeys(meta);
  const m = tiers.length;
  const gross = basis === 'gross';
  const rowKeys = gross ? [...tiers, 'new', ...(atBranch ? ['transfer_in'] : [])] : tiers;
  const colKeys = gross ? [...tiers, 'lost', ...(atBranch ? ['transfer_out'] : [])] : tiers;
  const pos = (i: number) => (i < m ? i : i + GAP);
  const width = pos(colKeys.length - 1) + 1;
  const height = pos(rowKeys.length - 1) + 1;
  const label = (k: string) => tierLabel(meta, k, lang);

  const found = new Map(scope.transitions.map((t) => [`${t.from}→${t.to}`, t]));
  const cells: HeatCell[] = [];
  rowKeys.forEach((from, i) => {
    colKeys.forEach((to, j) => {
      const t = found.get(`${from}→${to}`);
      if (!t) return; // no such flow: new customers cannot be lost in the same period
      const entry = from === 'new' || from === 'transfer_in';
      const share: Ratio = entry ? null : gross ? t.grossShare : t.adjustedShare;
      const count = fig(t.n, 'count', lang, meta.privacy.minCell);
      let kind: CellKind;
      let text: string;
      if (isSuppressed(t.n) || isSuppressed(share)) {
        kind = 'withheld';
        text = entry ? count : `${fig(share, 'percent', lang, meta.privacy.minCell)}\n${count}`;
      } else if (entry) {
        kind = 'count';
        text = count;
      } else if (share === null) {
        kind = 'undefined';
        text = `—\n${count}`;
      } else {
        kind = 'shaded';
        text = `${percent(share, lang)}\n${count}`;
      }
      const v = valueOf(share);
      cells.push({
        from,
        to,
        x1: pos(j),
        x2: pos(j) + 1,
        y1: pos(i),
        y2: pos(i) + 1,
        cx: pos(j) + 0.5,
        cy: pos(i) + 0.5,
        kind,
        diagonal: from === to,
        text,
        shade: kind === 'shaded' && v !== null ? shadeOf(v) : 'none',
        ink: kind === 'shaded' && v !== null ? inkOf(v) : 'currentColor',
        aria: `${label(from)} → ${label(to)}: ${text.replace('\n', ', ')}`,
        n: t.n,
        share,
      });
    });
  });

  // ── Title, notes, description ────────────────────────────────────────────
  const pooled = scope.pooled.all;
  const [up, down, loss, stay] = [
    valueOf(gross ? pooled.gross.up : pooled.adjusted.up),
    valueOf(gross ? pooled.gross.down : pooled.adjusted.down),
    valueOf(pooled.gross.loss),
    valueOf(pooled.adjusted.stay),
  ];
  const p = (x: number) => percent(x, lang);
  const title = gross
    ? up !== null && down !== null && loss !== null
      ? L(lang, `期初客户中${p(up)}向上迁徙、${p(down)}向下迁徙，${p(loss)}流失`, `Of customers at the start, ${p(up)} moved up, ${p(down)} moved down and ${p(loss)} were lost`)
      : L(lang, '客户等级迁徙矩阵（毛口径）', 'Tier transition matrix (gross basis)')
    : up !== null && down !== null && stay !== null
      ? L(lang, `留存客户中${p(stay)}保持原等级，${p(up)}向上、${p(down)}向下迁徙`, `Of retained customers, ${p(stay)} stayed in their tier, ${p(up)} moved up and ${p(down)} moved down`)
      : L(lang, '留存客户等级迁徙矩阵（调整口径）', 'Tier transition matrix of retained customers (adjusted basis)');
  const subtitle = gross
    ? L(lang, `毛口径：占该等级期初客户数（%）与人数 · ${scopeAndWhen(ctx, false)}`, `Gross basis: % of the tier’s customers at the start, and customers · ${scopeAndWhen(ctx, false)}`)
    : L(lang, `调整口径：占该等级留存客户数（%）与人数 · ${scopeAndWhen(ctx, false)}`, `Adjusted basis: % of the tier’s retained customers, and customers · ${scopeAndWhen(ctx, false)}`);

  const where = atBranch ? L(lang, '本网点', 'the branch') : L(lang, '本行', 'the bank');
  const notes: string[] = [
    gross
      ? L(
          lang,
          `毛口径：每格 = 该格人数 ÷ 该等级期初客户数（含期间流失${atBranch ? '和转出' : ''}的客户），所以一行连同“流失”${atBranch ? '“转出”' : ''}列合计为100%。迁徙率的标题数字都用这一口径。`,
          `Gross basis: each cell is its customers ÷ every customer the tier had at the start, including those who were lost${atBranch ? ' or transferred out' : ''} during the period, so a row adds to 100% with the Lost${atBranch ? ' and Transferred out' : ''} column${atBranch ? 's' : ''}. The headline migration rates use this basis.`,
        )
      : L(
          lang,
          `调整口径：每格 = 该格人数 ÷ 该等级期初客户中期末仍在${where}的客户数，不计流失${atBranch ? '和转出' : ''}的客户，一行合计为100%。标题中的迁徙率为毛口径（分母含流失客户），见另一张矩阵。`,
          `Adjusted basis: each cell is its customers ÷ the tier’s customers who were still with ${where} at the end, leaving out those lost${atBranch ? ' or transferred out' : ''}, so a row adds to 100%. The headline rates use the gross basis (lost customers included), shown in the other matrix.`,
        ),
    L(
      lang,
      '等级自上而下、自左向右由低到高。加框的对角线格是保持原等级的客户；对角线右上方的格是向上迁徙，左下方的格是向下迁徙。',
      'Tiers run from low to high, top to bottom and left to right. The outlined cells on the diagonal stayed in their tier; cells above (right of) the diagonal moved up, cells below (left of) it moved down.',
    ),
    ...(gross
      ? [
          L(
            lang,
            `“新增”行只列人数：新增客户期初不在册，没有期初分母。${atBranch ? '“转入”“转出”是在网点之间转移的客户，不计为新增或流失。' : ''}`,
            `The New row shows counts only: new customers were not there at the start, so they have no start denominator.${atBranch ? ' Transferred in/out are customers who moved between branches; they are neither new nor lost.' : ''}`,
          ),
        ]
      : []),
    L(lang, '颜色越深占比越大（平方根刻度，让小比例之间的差别也看得出）；斜线格为隐藏的数值。', 'Darker cells hold a larger share (square-root scale, so small shares still differ); hatched cells are withheld.'),
  ];
  const sup = suppressionNote(ctx, cells.flatMap((c) => [c.n, c.share]));
  if (sup) notes.push(sup);

  const rates = (t: ScopePeriod['tiers'][number]) => {
    const r = gross ? t.rates.gross : t.rates.adjusted;
    const f = (v: Ratio) => fig(v, 'percent', lang, meta.privacy.minCell);
    return gross
      ? L(lang, `${label(t.tier)}：保持${f(r.stay)}，向上${f(r.up)}，向下${f(r.down)}，流失${f(t.rates.gross.loss)}`, `${label(t.tier)}: stayed ${f(r.stay)}, up ${f(r.up)}, down ${f(r.down)}, lost ${f(t.rates.gross.loss)}`)
      : L(lang, `${label(t.tier)}：保持${f(r.stay)}，向上${f(r.up)}，向下${f(r.down)}`, `${label(t.tier)}: stayed ${f(r.stay)}, up ${f(r.up)}, down ${f(r.down)}`);
  };
  const newRow = gross
    ? L(
        lang,
        `新增客户按期末等级：${cells.filter((c) => c.from === 'new').map((c) => `${label(c.to)}${fig(c.n, 'count', lang, meta.privacy.minCell)}户`).join('，')}。`,
        `New customers by end tier: ${cells.filter((c) => c.from === 'new').map((c) => `${label(c.to)} ${fig(c.n, 'count', lang, meta.privacy.minCell)}`).join(', ')}.`,
      )
    : '';
  const description = L(
    lang,
    `热力图（${gross ? '毛口径' : '调整口径'}）：行是期初等级，列是期末等级${gross ? '和流失' : ''}，每格写明占比与人数，对角线为保持原等级。${scope.tiers.map(rates).join('；')}。${newRow}`,
    `Heat map (${gross ? 'gross' : 'adjusted'} basis): rows are start tiers, columns end tiers${gross ? ' and Lost' : ''}; each cell gives the share and the customers, the diagonal is staying in the tier. ${scope.tiers.map(rates).join('; ')}. ${newRow}`,
  ).trim();

  const rows: Cell[][] = cells.map((c) => [
    textCell(label(c.from)),
    textCell(label(c.to)),
    figCell(c.n, 'count', ctx),
    c.from === 'new' || c.from === 'transfer_in' ? { text: '—', value: null } : figCell(c.share, 'percent', ctx),
  ]);

  // ── Layout ────────────────────────────────────────────────────────────────
  const rowLabels = rowKeys.map(label);
  const marginLeft = Math.ceil(Math.max(56, ...rowLabels.map((l) => blockWidth(l, FONT))) + 14);
  const marginRight = 8;
  const colWidth = (FRAME.width - marginLeft - marginRight) / width;
  const colLabels = colKeys.map((k) => wrapLabel(label(k), colWidth - 6, FONT));
  const colLines = Math.max(...colLabels.map((l) => l.split('\n').length));
  const marginTop = 14 * colLines + 30;
  const rowTitle = L(lang, '期初等级 ↓', 'Start tier ↓');
  const colTitle = L(lang, '期末等级 →', 'End tier →');
  const byKind = (k: CellKind) => cells.filter((c) => c.kind === k);
  const ink = (c: HeatCell[], light: boolean) => c.filter((x) => (x.ink === INK.light) === light);

  return {
    id,
    title,
    subtitle,
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '期初等级', 'Start tier'), numeric: false },
        { label: L(lang, '期末等级', 'End tier'), numeric: false },
        { label: L(lang, '人数', 'Customers'), numeric: true },
        { label: gross ? L(lang, '占比（毛口径）', 'Share (gross)') : L(lang, '占比（调整口径）', 'Share (adjusted)'), numeric: true },
      ],
      rows,
    },
    figure: {
      plot: {
        ...FRAME,
        marginLeft,
        marginRight,
        marginTop,
        marginBottom: 6,
        style: { fontSize: `${FONT}px` },
        x: { domain: [0, width], axis: null },
        y: { domain: [0, height], axis: null, reverse: true },
        marks: [
          hatchMark(id),
          Plot.rect(byKind('shaded'), { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'shade', stroke: 'currentColor', strokeOpacity: 0.15, ariaLabel: 'aria', className: 'mig-share' }),
          Plot.rect(byKind('withheld'), { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: `url(#${hatchId(id)})`, stroke: 'currentColor', strokeOpacity: 0.3, ariaLabel: 'aria', className: 'mig-withheld' }),
          Plot.rect([...byKind('count'), ...byKind('undefined')], { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'none', stroke: 'currentColor', strokeOpacity: 0.3, ariaLabel: 'aria', className: 'mig-count' }),
          // The diagonal: a dark frame and a light inner line, visible on light and dark cells alike.
          Plot.rect(cells.filter((c) => c.diagonal), { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', inset: 1.5, fill: 'none', stroke: INK.dark, strokeWidth: 3, className: 'mig-diagonal' }),
          Plot.rect(cells.filter((c) => c.diagonal), { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', inset: 4.5, fill: 'none', stroke: INK.light, strokeWidth: 1.25, strokeDasharray: '3 2', ariaHidden: 'true' }),
          Plot.text(ink(byKind('shaded'), false), { x: 'cx', y: 'cy', text: 'text', fill: INK.dark, fontSize: CELL_FONT, lineHeight: 1.25, ariaHidden: 'true' }),
          Plot.text(ink(byKind('shaded'), true), { x: 'cx', y: 'cy', text: 'text', fill: INK.light, fontSize: CELL_FONT, lineHeight: 1.25, ariaHidden: 'true' }),
          Plot.text([...byKind('withheld'), ...byKind('count'), ...byKind('undefined')], {
            x: 'cx',
            y: 'cy',
            text: 'text',
            fill: 'currentColor',
            fontSize: CELL_FONT,
            lineHeight: 1.25,
            stroke: HALO,
            strokeWidth: 3,
            paintOrder: 'stroke',
            ariaHidden: 'true',
          }),
          Plot.text(rowKeys.map((k, i) => ({ y: pos(i) + 0.5, t: label(k) })), { x: 0, y: 'y', text: 't', textAnchor: 'end', dx: -8 }),
          Plot.text(colKeys.map((_k, j) => ({ x: pos(j) + 0.5, t: colLabels[j]! })), { x: 'x', y: 0, text: 't', lineAnchor: 'bottom', dy: -6 }),
          Plot.text([{ t: rowTitle }], { x: 0, y: 0, text: 't', textAnchor: 'end', lineAnchor: 'bottom', dx: -8, dy: -(14 * colLines + 12), fontWeight: 'bold' }),
          Plot.text([{ t: colTitle }], { x: 0, y: 0, text: 't', textAnchor: 'start', lineAnchor: 'bottom', dy: -(14 * colLines + 12), fontWeight: 'bold' }),
        ],
      },
    },
  };
}
