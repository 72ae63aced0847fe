// Where the assets (AUM) came from: start total − lost customers' assets (at
// start) + new customers' assets (at end) + the change of retained customers, by
// their start tier (+ transferred in − transferred out at branch scope) = end.
import type { Fig, ScopePeriod } from '../schema/output.ts';
import { amount, amountScale, decimal, fig, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { FLOW_COLORS, MEASURE_COLORS } from './theme.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';
import { waterfallModel, waterfallPlot, type WaterfallInput, type WaterfallStep, waterfallNotes } from './migrationWaterfall.ts';

const negate = (v: Fig): Fig => (typeof v === 'number' ? -v : v);

export function assetBridgeChart(ctx: ChartContext, scope: ScopePeriod): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'migration-asset-bridge';
  const a = scope.assetBridge;
  const atBranch = scope.branch !== null;
  const minCell = meta.privacy.minCell;
  const changeName = (tier: string) => L(lang, `留存·${tierLabel(meta, tier, lang)}`, `Retained: ${tierLabel(meta, tier, lang)}`);
  const steps: WaterfallStep[] = [
    { key: 'lost', name: L(lang, '流失客户', 'Lost customers'), value: a.lost, sign: -1, color: FLOW_COLORS.lost },
    { key: 'new', name: L(lang, '新增客户', 'New customers'), value: a.new, sign: 1, color: FLOW_COLORS.new },
    ...a.retainedChange.map((c) => ({
      key: `change-${c.tier}`,
      name: changeName(c.tier),
      axis: L(lang, `${tierLabel(meta, c.tier, lang)}\n留存变动`, `Retained\n${tierLabel(meta, c.tier, lang)}`),
      value: c.change,
      sign: 1 as const,
      // Increase or decrease; the signed label says which, the colour repeats it.
      color: (valueOf(c.change) ?? 0) < 0 ? FLOW_COLORS.down : MEASURE_COLORS.aum,
    })),
    ...(atBranch
      ? [
          { key: 'transferIn', name: L(lang, '转入客户', 'Transferred in'), value: a.transferIn, sign: 1 as const, color: FLOW_COLORS.transfer },
          { key: 'transferOut', name: L(lang, '转出客户', 'Transferred out'), value: a.transferOut, sign: -1 as const, color: FLOW_COLORS.transfer },
        ]
      : []),
  ];
  const known = [a.start, a.end, ...steps.map((s) => s.value)].map(valueOf).filter((v): v is number => v !== null);
  const scale = amountScale(Math.max(0, ...known.map(Math.abs)), lang);
  const input: WaterfallInput = {
    id,
    lang,
    start: a.start,
    end: a.end,
    steps,
    names: { start: L(lang, '期初', 'Start'), end: L(lang, '期末', 'End'), withheld: L(lang, '隐藏项合计', 'Withheld (combined)') },
    divisor: scale.divisor,
    text: (fen, signed) => decimal(fen / scale.divisor, lang, 2, signed),
    tick: (v, step) => decimal(v, lang, step >= 1 ? 0 : Math.min(2, Math.ceil(-Math.log10(step)))),
    integer: false,
    unit: scale.unit,
  };
  const model = waterfallModel(input);

  // ── Words ─────────────────────────────────────────────────────────────────
  const A = (fen: number, signed = false) => amount(fen, lang, signed);
  const f = (v: Fig, signed = false) => fig(v, 'amount', lang, minCell, signed);
  let title: string;
  if (!model.full) title = L(lang, '金融资产变动桥无法完整绘制：期初或期末总额未公布', 'The asset bridge cannot be drawn in full: the start or end total is withheld');
  else {
    const diff = (a.end as number) - (a.start as number);
    const head =
      diff === 0
        ? L(lang, '金融资产与期初持平', 'Assets unchanged from the start')
        : L(lang, `金融资产较期初${diff > 0 ? '增加' : '减少'}${A(Math.abs(diff))}`, `Assets ${diff > 0 ? 'up' : 'down'} ${A(Math.abs(diff))} on the start`);
    const detail =
      typeof a.new === 'number' && typeof a.lost === 'number'
        ? L(lang, `：新增客户带来${A(a.new)}，流失客户带走${A(a.lost)}`, `: new customers brought ${A(a.new)}, lost customers took ${A(a.lost)}`)
        : '';
    title = head + detail;
  }

  const notes: string[] = [
    L(
      lang,
      `期初 − 流失客户的资产（按期初计）+ 新增客户的资产（按期末计）+ 留存客户的资产变动（按期初等级拆分）${atBranch ? ' + 转入 − 转出' : ''} = 期末。`,
      `Start − lost customers’ assets (valued at the start) + new customers’ assets (valued at the end) + the change of retained customers (split by their start tier)${atBranch ? ' + transferred in − transferred out' : ''} = end.`,
    ),
    L(lang, `柱上的数字以${scale.unit}为单位，带正负号的是变动；数据表给出完整金额。`, `Bar labels are in ${scale.unit}; signed figures are changes. The data table gives each amount in full.`),
  ];
  notes.push(...waterfallNotes(model, lang, (v) => A(v), { zh: '总额', en: 'total' }));
  const sup = suppressionNote(ctx, [a.start, a.end, ...steps.map((s) => s.value)]);
  if (sup) notes.push(sup);

  const stepText = (s: WaterfallStep) => `${s.name} ${f(s.sign < 0 ? negate(s.value) : s.value, true)}`;
  const description = L(
    lang,
    `${model.full ? '瀑布图' : '条形图'}：金融资产期初${f(a.start)}，${steps.map(stepText).join('，')}${model.full && model.combinedValue !== null ? `，隐藏项合计${A(model.combinedValue, true)}` : ''}，期末${f(a.end)}。`,
    `${model.full ? 'Waterfall' : 'Bar chart'}: assets started at ${f(a.start)}; ${steps.map(stepText).join('; ')}${model.full && model.combinedValue !== null ? `; withheld (combined) ${A(model.combinedValue, true)}` : ''}; ended at ${f(a.end)}.`,
  );

  const rows: Cell[][] = [
    [textCell(input.names.start), figCell(a.start, 'amount', ctx)],
    ...steps.map((s) => [textCell(s.name), figCell(s.sign < 0 ? negate(s.value) : s.value, 'amount', ctx, true)]),
    ...(model.full && model.combinedValue !== null ? [[textCell(input.names.withheld), { text: A(model.combinedValue, true), value: model.combinedValue, kind: 'amount' as const }]] : []),
    [textCell(input.names.end), figCell(a.end, 'amount', ctx)],
  ];

  return {
    id,
    title,
    subtitle: L(lang, `金融资产（${scale.unit}）· ${scopeAndWhen(ctx, false)}`, `Assets (${scale.unit}) · ${scopeAndWhen(ctx, false)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: { columns: [{ label: L(lang, '项目', 'Item'), numeric: false }, { label: L(lang, '金额', 'Amount'), numeric: true }], rows },
    figure: { plot: waterfallPlot(input, model) },
  };
}
