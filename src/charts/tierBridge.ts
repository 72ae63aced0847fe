// The bridge of one tier's customer count: start + new + in from below + in from
// above (+ transferred in) − moved up − moved down − lost (− transferred out) =
// end, as a waterfall. Net change (end − start) is what the bridge explains; it is
// never called "new".
import type { Fig, ScopePeriod } from '../schema/output.ts';
import { count, decimal, fig } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { FLOW_COLORS } from './theme.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';
import { safeKey, tierKeys } from './migrationCommon.ts';
import { waterfallModel, waterfallPlot, type WaterfallInput, type WaterfallStep, waterfallNotes } from './migrationWaterfall.ts';

type Term = 'new' | 'inUp' | 'inDown' | 'transferIn' | 'outUp' | 'outDown' | 'lost' | 'transferOut';

const TERMS: { term: Term; sign: 1 | -1; color: string; zh: string; en: string }[] = [
  { term: 'new', sign: 1, color: FLOW_COLORS.new, zh: '新增', en: 'New' },
  { term: 'inUp', sign: 1, color: FLOW_COLORS.up, zh: '下级升入 ↑', en: 'In from below ↑' },
  { term: 'inDown', sign: 1, color: FLOW_COLORS.down, zh: '上级降入 ↓', en: 'In from above ↓' },
  { term: 'transferIn', sign: 1, color: FLOW_COLORS.transfer, zh: '转入', en: 'Transferred in' },
  { term: 'outUp', sign: -1, color: FLOW_COLORS.up, zh: '升至上级 ↑', en: 'Moved up ↑' },
  { term: 'outDown', sign: -1, color: FLOW_COLORS.down, zh: '降至下级 ↓', en: 'Moved down ↓' },
  { term: 'lost', sign: -1, color: FLOW_COLORS.lost, zh: '流失', en: 'Lost' },
  { term: 'transferOut', sign: -1, color: FLOW_COLORS.transfer, zh: '转出', en: 'Transferred out' },
];

const negate = (v: Fig): Fig => (typeof v === 'number' ? -v : v);

export function tierBridgeChart(ctx: ChartContext, scope: ScopePeriod, tier: string): ChartSpec {
  const { lang, meta } = ctx;
  const flow = scope.tiers.find((t) => t.tier === tier);
  if (!flow) throw new Error(`tier bridge: no tier ${tier} in scope ${scope.branch ?? 'bank'}`);
  const id = `migration-bridge-${safeKey(tier)}`;
  const keys = tierKeys(meta);
  const index = keys.indexOf(tier);
  const bottom = index === 0;
  const top = index === keys.length - 1;
  const atBranch = scope.branch !== null;
  const name = tierLabel(meta, tier, lang);
  const minCell = meta.privacy.minCell;

  // Structurally impossible terms are left out: nothing arrives from below the lowest tier.
  const possible = (t: Term) =>
    !((t === 'inUp' || t === 'outDown') && bottom) && !((t === 'inDown' || t === 'outUp') && top) && (atBranch || (t !== 'transferIn' && t !== 'transferOut'));
  const steps: WaterfallStep[] = TERMS.filter((t) => possible(t.term)).map((t) => ({
    key: t.term,
    name: L(lang, t.zh, t.en),
    value: flow[t.term],
    sign: t.sign,
    color: t.color,
  }));
  const input: WaterfallInput = {
    id,
    lang,
    start: flow.start,
    end: flow.end,
    steps,
    names: { start: L(lang, '期初', 'Start'), end: L(lang, '期末', 'End'), withheld: L(lang, '隐藏项合计', 'Withheld (combined)') },
    divisor: 1,
    text: (v, signed) => count(v, lang, signed),
    tick: (v, step) => decimal(v, lang, step >= 1 ? 0 : Math.min(2, Math.ceil(-Math.log10(step)))),
    integer: true,
    unit: L(lang, '人', 'customers'),
  };
  const model = waterfallModel(input);

  // ── Words ─────────────────────────────────────────────────────────────────
  const net = flow.netChange;
  const f = (v: Fig) => fig(v, 'count', lang, minCell);
  // A withheld net change may be negative: "—", never "< 10".
  const netText = typeof net === 'number' ? count(net, lang, true) : '—';
  let title: string;
  if (!model.full) title = L(lang, `${name}的客户数变动桥无法完整绘制：期初或期末人数未公布`, `${name}: the bridge cannot be drawn in full, as the start or end count is withheld`);
  else if (typeof net !== 'number') title = L(lang, `${name}客户数变动`, `${name}: change in customers`);
  else {
    const head =
      net === 0
        ? L(lang, `${name}客户数与期初持平`, `${name}: as many customers as at the start`)
        : L(lang, `${name}净${net > 0 ? '增加' : '减少'}${count(Math.abs(net), lang)}户`, `${name}: ${count(Math.abs(net), lang)} ${net > 0 ? 'more' : 'fewer'} ${Math.abs(net) === 1 ? 'customer' : 'customers'}, net`);
    const detail =
      typeof flow.new === 'number' && typeof flow.lost === 'number'
        ? L(lang, `：新增${count(flow.new, lang)}户，流失${count(flow.lost, lang)}户`, ` (${count(flow.new, lang)} new, ${count(flow.lost, lang)} lost)`)
        : '';
    title = head + detail;
  }

  const notes: string[] = [
    L(
      lang,
      `期初 + 新增 + 下级升入 + 上级降入${atBranch ? ' + 转入' : ''} − 升至上级 − 降至下级 − 流失${atBranch ? ' − 转出' : ''} = 期末。净变动 = 期末 − 期初，它不等于新增客户数。`,
      `Start + new + in from below + in from above${atBranch ? ' + transferred in' : ''} − moved up − moved down − lost${atBranch ? ' − transferred out' : ''} = end. Net change = end − start; it is not the number of new customers.`,
    ),
  ];
  notes.push(...waterfallNotes(model, lang, (v) => count(v, lang), { zh: '人数', en: 'count' }));
  const sup = suppressionNote(ctx, [flow.start, flow.end, ...steps.map((s) => s.value)]);
  if (sup) notes.push(sup);

  const stepText = (s: WaterfallStep) => `${s.name} ${fig(s.sign < 0 ? negate(s.value) : s.value, 'count', lang, minCell, true)}`;
  const description = L(
    lang,
    `${model.full ? '瀑布图' : '条形图'}：${name}期初${f(flow.start)}户，${steps.map(stepText).join('，')}${model.full && model.combinedValue !== null ? `，隐藏项合计${count(model.combinedValue, lang, true)}` : ''}，期末${f(flow.end)}户；净变动${netText}${typeof net === 'number' ? '户' : ''}。`,
    `${model.full ? 'Waterfall' : 'Bar chart'}: ${name} started with ${f(flow.start)} customers; ${steps.map(stepText).join('; ')}${model.full && model.combinedValue !== null ? `; withheld (combined) ${count(model.combinedValue, lang, true)}` : ''}; ended with ${f(flow.end)}. Net change ${netText}.`,
  );

  const rows: Cell[][] = [
    [textCell(input.names.start), figCell(flow.start, 'count', ctx)],
    ...steps.map((s) => [textCell(s.name), figCell(s.sign < 0 ? negate(s.value) : s.value, 'count', ctx, true)]),
    ...(model.full && model.combinedValue !== null ? [[textCell(input.names.withheld), { text: count(model.combinedValue, lang, true), value: model.combinedValue, kind: 'count' as const }]] : []),
    [textCell(input.names.end), figCell(flow.end, 'count', ctx)],
    [textCell(L(lang, '净变动（期末 − 期初）', 'Net change (end − start)')), { ...figCell(net, 'count', ctx, true), text: netText }],
  ];

  return {
    id,
    title,
    subtitle: L(lang, `${name} · 人数 · ${scopeAndWhen(ctx, false)}`, `${name} · customers · ${scopeAndWhen(ctx, false)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: { columns: [{ label: L(lang, '项目', 'Item'), numeric: false }, { label: L(lang, '人数', 'Customers'), numeric: true }], rows },
    figure: { plot: waterfallPlot(input, model) },
  };
}
