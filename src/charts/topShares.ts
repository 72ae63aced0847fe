// How much the largest customers hold: the share of assets and of deposits held
// by the top 1, 5, 10 and 20 % of customers, as grouped bars on a 0–100 % scale.
// A withheld share is written "—" at the baseline, never drawn as a zero bar.
import * as Plot from '@observablehq/plot';
import type { Ratio, ScopeSnapshot } from '../schema/output.ts';
import { fig, isSuppressed, percent, percentTick, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell } from './common.ts';
import { MEASURE_COLORS, frame } from './theme.ts';
import { MEASURES, measureLabel, measureWord, type Measure } from './sectionKit.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';

export const TOP_KEYS = [
  { key: 'top1', pct: 1 },
  { key: 'top5', pct: 5 },
  { key: 'top10', pct: 10 },
  { key: 'top20', pct: 20 },
] as const;

type Bar = { group: string; measure: Measure; label: string; v: number | null; text: string };

export function topSharesChart(ctx: ChartContext, scope: ScopeSnapshot): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'top-shares';
  const groupLabel = (pct: number) => L(lang, `前${pct}%客户`, `Top ${pct}%`);
  const figOf = (m: Measure, key: (typeof TOP_KEYS)[number]['key']): Ratio => {
    const c = scope.concentration[m];
    return c.withheld === null ? c[key] : null;
  };
  const bars: Bar[] = TOP_KEYS.flatMap(({ key, pct }) =>
    MEASURES.map((m) => {
      const f = figOf(m, key);
      return { group: groupLabel(pct), measure: m, label: measureLabel(m, lang), v: valueOf(f), text: fig(f, 'percent', lang, meta.privacy.minCell) };
    }),
  );
  const known = bars.filter((b): b is Bar & { v: number } => b.v !== null);

  // Title: the narrowest group with a published share.
  let title = L(lang, '头部客户持有的金融资产与存款占比', 'Share of assets and deposits held by the largest customers');
  for (const { key, pct } of TOP_KEYS) {
    const a = valueOf(figOf('aum', key));
    const d = valueOf(figOf('deposits', key));
    if (a === null && d === null) continue;
    if (a !== null && d !== null)
      title = L(lang, `前${pct}%的客户持有${percent(a, lang)}的金融资产、${percent(d, lang)}的存款`, `The top ${pct}% of customers hold ${percent(a, lang)} of assets and ${percent(d, lang)} of deposits`);
    else {
      const m: Measure = a !== null ? 'aum' : 'deposits';
      title = L(lang, `前${pct}%的客户持有${percent((a ?? d) as number, lang)}的${measureWord(m, lang)}`, `The top ${pct}% of customers hold ${percent((a ?? d) as number, lang)} of ${measureWord(m, lang)}`);
    }
    break;
  }

  const notes: string[] = [
    L(
      lang,
      '前p%客户占比 = 金额最多的前p%客户（人数向上取整）合计持有的金额 ÷ 全部金额。',
      'Top-p share = the amount held by the largest p% of customers (rounded up to whole customers) ÷ the total.',
    ),
  ];
  for (const m of MEASURES) {
    const w = scope.concentration[m].withheld;
    if (w === 'too_few_customers')
      notes.push(L(lang, `客户少于${meta.privacy.minCell}户，不公布${measureWord(m, lang)}的集中度。`, `Fewer than ${meta.privacy.minCell} customers: the concentration of ${measureWord(m, lang)} is not published.`));
    else if (w === 'zero_total') notes.push(L(lang, `${measureWord(m, lang)}合计为零，占比无定义。`, `Total ${measureWord(m, lang)} is zero, so the shares are undefined.`));
  }
  const sup = suppressionNote(ctx, TOP_KEYS.flatMap(({ key }) => MEASURES.map((m) => figOf(m, key))));
  if (sup) notes.push(sup);
  if (TOP_KEYS.some(({ key }) => MEASURES.some((m) => isSuppressed(figOf(m, key)))))
    notes.push(
      L(
        lang,
        `头部客户不足${meta.privacy.minCell}户的占比不公布：否则可推算出单个客户的金额。`,
        `A top share that would describe fewer than ${meta.privacy.minCell} customers is withheld: it could reveal one customer’s balance.`,
      ),
    );

  const rows: Cell[][] = TOP_KEYS.map(({ key, pct }) => [textCell(groupLabel(pct)), ...MEASURES.map((m) => figCell(figOf(m, key), 'percent', ctx))]);
  const description = L(
    lang,
    `分组柱状图：每组为前1%、5%、10%、20%客户，组内左为金融资产占比、右为存款占比。` +
      TOP_KEYS.map(({ pct }, i) => `${groupLabel(pct)}：${bars[2 * i]!.text} / ${bars[2 * i + 1]!.text}`).join('；') +
      '。',
    `Grouped bars: one group each for the top 1%, 5%, 10% and 20% of customers; in each, the share of assets on the left and of deposits on the right. ` +
      TOP_KEYS.map(({ pct }, i) => `${groupLabel(pct)}: ${bars[2 * i]!.text} / ${bars[2 * i + 1]!.text}`).join('; ') +
      '.',
  );

  const groups = TOP_KEYS.map(({ pct }) => groupLabel(pct));
  const labels = MEASURES.map((m) => measureLabel(m, lang));
  return {
    id,
    title,
    subtitle: L(lang, `占全部金额的比例（%）· ${scopeAndWhen(ctx)}`, `Share of the total (%) · ${scopeAndWhen(ctx)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '客户群', 'Customers'), numeric: false },
        ...MEASURES.map((m) => ({ label: L(lang, `${measureLabel(m, lang)}占比`, `Share of ${measureWord(m, lang)}`), numeric: true })),
      ],
      rows,
    },
    native: {
      kind: 'bar',
      categories: groups,
      series: MEASURES.map((m, i) => ({ name: labels[i]!, values: TOP_KEYS.map(({ key }) => valueOf(figOf(m, key))), color: MEASURE_COLORS[m] })),
      valueFormat: 'percent',
      valueTitle: L(lang, '占全部金额的比例（%）', 'Share of the total (%)'),
      range: [0, 1],
      withheld: MEASURES.some((m) => scope.concentration[m].withheld === 'too_few_customers' || TOP_KEYS.some(({ key }) => isSuppressed(figOf(m, key)))),
    },
    figure: {
      plot: {
        ...frame({ left: 48, right: 12, top: 30, bottom: 36 }),
        fx: { domain: groups, label: null, padding: 0.12, axis: 'top' },
        x: { domain: labels, label: null, padding: 0.12, axis: 'bottom' },
        y: { domain: [0, 1], insetTop: 20, tickFormat: percentTick, ticks: 5, grid: true, label: null },
        color: { domain: labels, range: MEASURES.map((m) => MEASURE_COLORS[m]) },
        marks: [
          Plot.barY(known, { fx: 'group', x: 'label', y: 'v', fill: 'label' }),
          Plot.ruleY([0]),
          Plot.text(bars, { fx: 'group', x: 'label', y: (d: Bar) => d.v ?? 0, text: 'text', dy: -7, lineAnchor: 'bottom' }),
        ],
      },
    },
  };
}
