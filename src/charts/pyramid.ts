// Tier pyramid: back-to-back bars per tier, customer share on the left and asset
// (or deposit) share on the right, so the inversion — few customers, most money —
// is the first thing a reader sees.
import * as Plot from '@observablehq/plot';
import type { ScopeSnapshot } from '../schema/output.ts';
import { isSuppressed, percent, percentTick, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { hatchMark } from './render.ts';
import { MEASURE_COLORS, frame } from './theme.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';

export type PyramidMeasure = 'aum' | 'deposits';

export function pyramidChart(ctx: ChartContext, scope: ScopeSnapshot, measure: PyramidMeasure): ChartSpec {
  const { lang, meta } = ctx;
  const id = `pyramid-${measure}`;
  const shareKey = measure === 'aum' ? 'aumShare' : 'depositsShare';
  const avgKey = measure === 'aum' ? 'avgAum' : 'avgDeposits';
  const measureName = measure === 'aum' ? L(lang, '金融资产', 'assets') : L(lang, '存款', 'deposits');
  const tiers = scope.tiers.map((t) => ({ ...t, label: tierLabel(meta, t.tier, lang) }));
  const order = tiers.map((t) => t.label).reverse();

  const left = tiers.map((t) => ({ label: t.label, v: valueOf(t.nShare) }));
  const right = tiers.map((t) => ({ label: t.label, v: valueOf(t[shareKey]) }));
  const known = (rows: { label: string; v: number | null }[]) => rows.filter((r) => r.v !== null) as { label: string; v: number }[];
  const text = (v: number | null) => (v === null ? '—' : percent(v, lang));

  const mhN = valueOf(scope.midHigh.nShare);
  const mhS = valueOf(scope.midHigh[shareKey]);
  const title =
    mhN !== null && mhS !== null
      ? L(
          lang,
          `中高端客户占客户数的${percent(mhN, lang)}，却持有${percent(mhS, lang)}的${measureName}`,
          `Mid-high customers are ${percent(mhN, lang)} of customers but hold ${percent(mhS, lang)} of ${measureName}`,
        )
      : L(lang, `各等级客户数与${measureName}占比`, `Customer and ${measureName} share by tier`);

  const cols = [
    L(lang, '客户等级', 'Tier'),
    L(lang, '客户数', 'Customers'),
    L(lang, '客户数占比', 'Customer share'),
    measure === 'aum' ? L(lang, '金融资产', 'Assets (AUM)') : L(lang, '存款余额', 'Deposits'),
    L(lang, `${measureName}占比`, `${measure === 'aum' ? 'Asset' : 'Deposit'} share`),
    L(lang, '户均', 'Per customer'),
    ...(measure === 'aum' ? [L(lang, '贡献度指数', 'Contribution index')] : []),
  ];
  const rows: Cell[][] = [];
  const all: Parameters<typeof suppressionNote>[1] = [];
  for (const t of tiers) {
    rows.push([
      textCell(t.label),
      figCell(t.n, 'count', ctx),
      figCell(t.nShare, 'percent', ctx),
      figCell(t[measure], 'amount', ctx),
      figCell(t[shareKey], 'percent', ctx),
      figCell(t[avgKey], 'amount', ctx),
      ...(measure === 'aum' ? [figCell(t.contributionIndex, 'multiple', ctx)] : []),
    ]);
    all.push(t.n, t.nShare, t[measure], t[shareKey], t[avgKey]);
    for (const b of t.subBands) {
      rows.push([
        textCell(`　${tierLabel(meta, b.band, lang)}`),
        figCell(b.n, 'count', ctx),
        figCell(b.nShare, 'percent', ctx),
        figCell(b[measure], 'amount', ctx),
        figCell(b[shareKey], 'percent', ctx),
        figCell(b[avgKey], 'amount', ctx),
        ...(measure === 'aum' ? [textCell('')] : []),
      ]);
      all.push(b.n, b[measure]);
    }
  }
  rows.push([
    textCell(L(lang, '合计', 'Total')),
    figCell(scope.customers, 'count', ctx),
    figCell(1, 'percent', ctx),
    figCell(scope[measure], 'amount', ctx),
    figCell(1, 'percent', ctx),
    figCell(scope[avgKey], 'amount', ctx),
    ...(measure === 'aum' ? [figCell(1, 'multiple', ctx)] : []),
  ]);
  all.push(scope.customers, scope[measure]);

  const notes = [
    L(lang, '占比按全精度计算、显示时四舍五入到两位小数，合计可能不恰好等于100.00%。', 'Shares are rounded for display only, so they may not add to exactly 100.00%.'),
    ...(measure === 'aum'
      ? [L(lang, '贡献度指数 = 该等级户均金融资产 ÷ 全部客户户均金融资产。', 'Contribution index = the tier’s average assets ÷ the average over all customers.')]
      : []),
  ];
  const note = suppressionNote(ctx, all);
  if (note) notes.push(note);

  const description = L(
    lang,
    `背靠背条形图：左侧为各等级客户数占比，右侧为各等级${measureName}占比。` +
      tiers.map((t, i) => `${t.label}：${text(left[i]!.v)} / ${text(right[i]!.v)}`).join('；') +
      '。',
    `Back-to-back bars: customer share by tier on the left, ${measureName} share on the right. ` +
      tiers.map((t, i) => `${t.label}: ${text(left[i]!.v)} / ${text(right[i]!.v)}`).join('; ') +
      '.',
  );

  // Room beyond the longest bar for its label, whatever the mix.
  const longest = Math.max(0.05, ...known(left).map((r) => r.v), ...known(right).map((r) => r.v));
  const edge = Math.min(1, longest) * 1.25;
  const labelled = (rows: { label: string; v: number | null }[], side: -1 | 1) =>
    rows.map((r) => ({ label: r.label, x: r.v === null ? 0 : side * r.v, text: text(r.v), side }));
  return {
    id,
    title,
    subtitle: L(lang, `占比（%）· ${scopeAndWhen(ctx)}`, `Share (%) · ${scopeAndWhen(ctx)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: { columns: cols.map((label, i) => ({ label, numeric: i > 0 })), rows },
    // Side-by-side rather than back-to-back: negative customer shares would be wrong data in the editable sheet.
    native: {
      kind: 'bar',
      direction: 'horizontal',
      categories: [...order],
      series: [
        { name: L(lang, '客户数占比', 'Share of customers'), values: [...left].reverse().map((r) => r.v), color: MEASURE_COLORS.customers },
        { name: L(lang, `${measureName}占比`, `Share of ${measureName}`), values: [...right].reverse().map((r) => r.v), color: MEASURE_COLORS[measure] },
      ],
      valueFormat: 'percent',
      valueTitle: L(lang, '占比（%）', 'Share (%)'),
      withheld: tiers.some((t) => isSuppressed(t.nShare) || isSuppressed(t[shareKey])),
    },
    figure: {
      plot: {
        ...frame({ left: 100, right: 60, top: 34 }),
        x: { domain: [-edge, edge], tickFormat: (d: number) => percentTick(Math.abs(d)), label: null, ticks: 8 },
        y: { domain: order, label: null, padding: 0.25 },
        marks: [
          hatchMark(id),
          Plot.barX(known(left), { y: 'label', x: (d: { v: number }) => -d.v, fill: MEASURE_COLORS.customers }),
          Plot.barX(known(right), { y: 'label', x: 'v', fill: MEASURE_COLORS[measure] }),
          Plot.ruleX([0]),
          Plot.text(labelled(left, -1), { y: 'label', x: 'x', text: 'text', textAnchor: 'end', dx: -4 }),
          Plot.text(labelled(right, 1), { y: 'label', x: 'x', text: 'text', textAnchor: 'start', dx: 4 }),
          Plot.text([{ x: -edge / 2, t: L(lang, '← 客户数占比', '← Share of customers') }], { x: 'x', text: 't', frameAnchor: 'top', dy: -22, fontWeight: 'bold' }),
          Plot.text([{ x: edge / 2, t: L(lang, `${measureName}占比 →`, `Share of ${measureName} →`) }], { x: 'x', text: 't', frameAnchor: 'top', dy: -22, fontWeight: 'bold' }),
        ],
      },
    },
  };
}
