// The waterfall both bridges share (customers per tier, assets of the scope):
// start, the published steps in order, the withheld steps as one hatched
// "withheld (combined)" step sized end − start − Σ known steps (derivable from the
// published figures, so it reveals nothing new), and the end. Where the start or
// the end itself is withheld no bridge can be drawn: the known steps are listed
// as bars instead. Values are raw (customers or fen); `divisor` scales them for
// the axis.
import * as d3 from 'd3';
import * as Plot from '@observablehq/plot';
import type { Fig } from '../schema/output.ts';
import { isSuppressed, type Lang } from '../lib/format.ts';
import { L } from './common.ts';
import { hatchMark } from './render.ts';
import { FRAME, hatchId } from './theme.ts';
import { blockWidth, HALO, TOTAL_COLOR, wrapLabel } from './migrationCommon.ts';

export interface WaterfallStep {
  key: string;
  name: string;
  /** The label under the bar, where it should differ from the name (line breaks). */
  axis?: string;
  /** As published (a count or an amount, before the sign is applied). */
  value: Fig;
  /** +1 adds to the total, −1 takes from it. */
  sign: 1 | -1;
  color: string;
}

export interface WaterfallInput {
  id: string;
  lang: Lang;
  start: Fig;
  end: Fig;
  steps: WaterfallStep[];
  names: { start: string; end: string; withheld: string };
  /** Raw value → axis unit. */
  divisor: number;
  /** A raw value as the label on its bar (signed for steps). */
  text: (raw: number, signed: boolean) => string;
  /** An axis value (already divided) as a tick label, given the tick step. */
  tick: (v: number, step: number) => string;
  /** Counts: ticks only at whole numbers. */
  integer: boolean;
  /** The unit of the value axis ("人", "亿元"…). */
  unit: string;
}

export interface WaterfallBar {
  key: string;
  name: string;
  axis: string;
  kind: 'total' | 'step' | 'withheld';
  /** Raw levels the bar spans (a total spans base → value). */
  from: number;
  to: number;
  /** Signed change (a total's own value). */
  delta: number;
  color: string;
  text: string;
}

export type WaterfallModel =
  | {
      full: true;
      bars: WaterfallBar[];
      /** The level the totals are drawn from: 0, or above 0 when the axis is cut. */
      base: number;
      /** The published steps that went into the combined one. */
      combined: WaterfallStep[];
      combinedValue: number | null;
    }
  | { full: false; known: (WaterfallStep & { delta: number })[]; withheld: WaterfallStep[] };

export function waterfallModel(input: WaterfallInput): WaterfallModel {
  const known = input.steps.filter((s): s is WaterfallStep & { value: number } => typeof s.value === 'number');
  const withheld = input.steps.filter((s) => isSuppressed(s.value));
  if (typeof input.start !== 'number' || typeof input.end !== 'number')
    return { full: false, known: known.map((s) => ({ ...s, delta: s.sign * s.value })), withheld };
  const start = input.start;
  const end = input.end;
  const bars: WaterfallBar[] = [{ key: 'start', name: input.names.start, axis: input.names.start, kind: 'total', from: 0, to: start, delta: start, color: TOTAL_COLOR, text: input.text(start, false) }];
  let level = start;
  for (const s of known) {
    const delta = s.sign * s.value;
    bars.push({ key: s.key, name: s.name, axis: s.axis ?? s.name, kind: 'step', from: level, to: level + delta, delta, color: s.color, text: input.text(delta, true) });
    level += delta;
  }
  let combinedValue: number | null = null;
  if (withheld.length > 0) {
    combinedValue = end - level;
    bars.push({ key: 'withheld', name: input.names.withheld, axis: input.names.withheld, kind: 'withheld', from: level, to: end, delta: combinedValue, color: 'none', text: input.text(combinedValue, true) });
  }
  bars.push({ key: 'end', name: input.names.end, axis: input.names.end, kind: 'total', from: 0, to: end, delta: end, color: TOTAL_COLOR, text: input.text(end, false) });

  // Where the steps are small beside the totals, start the axis above zero so they can be seen.
  const levels = bars.flatMap((b) => (b.kind === 'total' ? [b.to] : [b.from, b.to]));
  const lo = Math.min(...levels);
  const hi = Math.max(...levels);
  let base = Math.min(0, lo);
  if (lo > 0 && hi - lo < 0.35 * hi) {
    const cut = lo - Math.max(hi - lo, hi * 0.01) * 0.8;
    const nice = d3.scaleLinear().domain([cut, hi]).nice(6).domain()[0] ?? 0;
    base = Math.max(0, Math.min(cut, nice));
  }
  for (const b of bars) if (b.kind === 'total') b.from = base;
  return { full: true, bars, base, combined: withheld, combinedValue };
}

const FONT = 12;
const AXIS_FONT = 11;

/** Plot options drawing the model: a waterfall, or the list of known steps. */
export function waterfallPlot(input: WaterfallInput, model: WaterfallModel): Plot.PlotOptions {
  const { id, lang, divisor } = input;
  const hatch = `url(#${hatchId(id)})`;
  if (!model.full) {
    const rows = model.known.map((s) => ({ name: s.name, x: Math.abs(s.delta) / divisor, color: s.color, text: input.text(s.delta, true) }));
    const marginLeft = Math.ceil(Math.max(60, ...rows.map((r) => blockWidth(r.name, FONT))) + 12);
    const max = Math.max(0, ...rows.map((r) => r.x));
    const domainMax = max > 0 ? max * 1.25 : 1;
    const listStep = Math.max(d3.tickStep(0, domainMax, 5), input.integer ? 1 : 0);
    const listTicks = d3.range(0, domainMax + listStep / 2, listStep).filter((t) => t <= domainMax);
    return {
      ...FRAME,
      height: Math.min(FRAME.height, Math.max(140, 34 * rows.length + 70)),
      marginLeft,
      marginRight: 20,
      marginTop: 30,
      style: { fontSize: `${FONT}px` },
      x: { domain: [0, domainMax], label: null, grid: true, ticks: listTicks, tickFormat: (v: number) => input.tick(v, listStep) },
      y: { domain: rows.map((r) => r.name), label: null, padding: 0.3 },
      marks: [
        Plot.barX(rows, { y: 'name', x: 'x', fill: 'color', className: 'mig-known-step' }),
        Plot.text(rows, { y: 'name', x: 'x', text: 'text', textAnchor: 'start', dx: 4 }),
        Plot.text([{ t: L(lang, '变动桥无法完整绘制，只列出已公布的变动项（长度为绝对值）', 'The bridge cannot be drawn in full: published steps only (length = size)') }], { text: 't', frameAnchor: 'top-left', dy: -22, dx: -marginLeft + 4, fontStyle: 'italic' }),
        ...(rows.length === 0 ? [Plot.text([{ t: L(lang, '没有已公布的变动项', 'No published step') }], { text: 't', frameAnchor: 'middle' })] : []),
      ],
    };
  }

  const bars = model.bars.map((b, i) => ({
    ...b,
    x1: i + 0.12,
    x2: i + 0.88,
    cx: i + 0.5,
    y1: b.from / divisor,
    y2: b.to / divisor,
    top: Math.max(b.from, b.to) / divisor,
    aria: `${b.name}: ${b.text}`,
  }));
  const n = bars.length;
  const slot = (FRAME.width - 70 - 10) / n;
  const axisLabels = bars.map((b) => ({ cx: b.cx, t: wrapLabel(b.axis, slot - 4, AXIS_FONT) }));
  const lines = Math.max(1, ...axisLabels.map((a) => a.t.split('\n').length));
  const base = model.base / divisor;
  const hi = Math.max(...bars.map((b) => b.top));
  const top = hi + (hi - base) * 0.1;
  const step = Math.max(d3.tickStep(base, top, 5), input.integer ? 1 : 0);
  const ticks = d3.range(Math.ceil(base / step) * step, top + step / 2, step).filter((t) => t <= top);
  const connectors = bars.slice(0, -1).map((b, i) => ({ x1: b.x2, x2: bars[i + 1]!.x1, y: b.y2 }));
  // A torn edge across the foot of each cut total: a zigzag in the card's colour.
  const cut = model.base > 0;
  const amp = (top - base) * 0.012;
  const zig = cut
    ? bars
        .filter((b) => b.kind === 'total')
        .flatMap((b) => d3.range(7).map((k) => ({ bar: b.key, x: b.x1 + ((b.x2 - b.x1) * k) / 6, y: base + (top - base) * 0.04 + (k % 2 ? amp : -amp) })))
    : [];
  const withheld = bars.filter((b) => b.kind === 'withheld');
  return {
    ...FRAME,
    marginLeft: 70,
    marginRight: 10,
    marginTop: 26,
    marginBottom: 14 * lines + 12,
    style: { fontSize: `${FONT}px` },
    x: { domain: [0, n], axis: null },
    y: { domain: [base, top], label: input.unit, grid: true, ticks, tickFormat: (v: number) => input.tick(v, step) },
    marks: [
      hatchMark(id),
      Plot.rect(bars.filter((b) => b.kind === 'total'), { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'color', ariaLabel: 'aria', className: 'mig-total' }),
      Plot.rect(bars.filter((b) => b.kind === 'step'), { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'color', ariaLabel: 'aria', className: 'mig-step' }),
      Plot.rect(withheld, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: hatch, stroke: 'currentColor', strokeOpacity: 0.6, ariaLabel: 'aria', className: 'mig-withheld' }),
      Plot.link(connectors, { x1: 'x1', x2: 'x2', y1: 'y', y2: 'y', stroke: 'currentColor', strokeOpacity: 0.5, strokeDasharray: '2 2', ariaHidden: 'true' }),
      ...(cut ? [Plot.line(zig, { x: 'x', y: 'y', z: 'bar', stroke: HALO, strokeWidth: 3, ariaHidden: 'true' })] : []),
      Plot.text(bars, { x: 'cx', y: 'top', text: 'text', lineAnchor: 'bottom', dy: -4, fontSize: AXIS_FONT, ariaHidden: 'true' }),
      Plot.text(axisLabels, { x: 'cx', y: base, text: 't', lineAnchor: 'top', dy: 6, fontSize: AXIS_FONT, ariaHidden: 'true' }),
      Plot.ruleY([base]),
    ],
  };
}

/**
 * The notes every waterfall shares: the combined withheld step, a cut axis, a
 * bridge that cannot be drawn in full. `base` formats the axis start; `what` names
 * the withheld end ("人数"/"count" or "总额"/"total").
 */
export function waterfallNotes(model: WaterfallModel, lang: Lang, base: (v: number) => string, what: { zh: string; en: string }): string[] {
  const notes: string[] = [];
  if (model.full && model.combined.length > 0)
    notes.push(
      L(
        lang,
        `${model.combined.length}项（${model.combined.map((s) => s.name).join('、')}）因隐私保护未公布，合为一根斜线柱“隐藏项合计”：其大小 = 期末 − 期初 − 已公布各项，本可由公布的数字算出，不泄露新的信息。`,
        `${model.combined.length} steps (${model.combined.map((s) => s.name).join(', ')}) are withheld and shown together as one hatched “withheld (combined)” step: end − start − the published steps, which the published figures already give, so it reveals nothing new.`,
      ),
    );
  if (model.full && model.base > 0)
    notes.push(L(lang, `纵轴从${base(model.base)}开始：期初和期末柱在锯齿处截断，以便看清各项变动。`, `The axis starts at ${base(model.base)}: the start and end bars are cut at the zigzag so that the steps can be seen.`));
  if (!model.full)
    notes.push(L(lang, `期初或期末${what.zh}未公布，变动桥无法完整绘制；图中只按大小列出已公布的变动项。`, `The start or end ${what.en} is withheld, so the bridge cannot be drawn in full; the chart lists the published steps by size only.`));
  return notes;
}
