// Helpers shared by the concentration and new-customer charts: measure names,
// comparisons worded only as far as the displayed figures support them, time
// axes for series, and label placement that keeps direct labels apart.
import type { Ratio } from '../schema/output.ts';
import { date, decimal, month, utcDate, type Lang } from '../lib/format.ts';
import { figCell, L, scopeLabel } from './common.ts';
import type { Cell, ChartContext } from './types.ts';

export type Measure = 'aum' | 'deposits';
export const MEASURES: readonly Measure[] = ['aum', 'deposits'];

/** The measure inside a sentence: "金融资产" / "assets". */
export const measureWord = (m: Measure, lang: Lang): string =>
  m === 'aum' ? L(lang, '金融资产', 'assets') : L(lang, '存款', 'deposits');

/** The measure as a label: "金融资产" / "Assets". */
export const measureLabel = (m: Measure, lang: Lang): string =>
  m === 'aum' ? L(lang, '金融资产', 'Assets') : L(lang, '存款', 'Deposits');

/** Gini coefficients are shown with three decimals: monthly changes live in the third. */
export const giniText = (g: number, lang: Lang): string => decimal(g, lang, 3);

/** A table cell for a Gini coefficient: three decimals, "—" when withheld or undefined. */
export function giniCell(v: Ratio, ctx: ChartContext): Cell {
  const cell = figCell(v, 'percent', ctx);
  return typeof v === 'number' ? { ...cell, text: giniText(v, ctx.lang), kind: 'decimal' } : { ...cell, kind: 'decimal' };
}

/** Same idea for Gini coefficients, at their three displayed decimals. */
export function compareGini(a: number, b: number, lang: Lang): -1 | 0 | 1 {
  if (giniText(a, lang) === giniText(b, lang)) return 0;
  return a > b ? 1 : -1;
}


/** A time domain over the dates; a single date gets a month either side so it sits in the middle. */
export function timeDomain(dates: readonly string[]): [Date, Date] {
  const first = dates[0];
  const last = dates.at(-1);
  if (first === undefined || last === undefined) return [utcDate('2000-01-01'), utcDate('2000-12-31')];
  if (first === last) {
    const t = utcDate(first).getTime();
    return [new Date(t - 15 * 864e5), new Date(t + 15 * 864e5)];
  }
  return [utcDate(first), utcDate(last)];
}

/** Axis ticks for a monthly series: every date, thinned to at most `max` (the last always kept). */
export function thinTicks(dates: readonly string[], max: number): Date[] {
  if (dates.length <= max) return dates.map(utcDate);
  const step = Math.ceil(dates.length / max);
  const last = dates.length - 1;
  return dates.filter((_, i) => (last - i) % step === 0).map(utcDate);
}

export const monthTick = (lang: Lang) => (d: Date) => month(d.toISOString().slice(0, 10), lang);

/** "全行 · 2024年12月31日至2025年3月31日": scope and the span a trend covers. */
export function scopeAndSpan(ctx: ChartContext, first: string | undefined, last: string | undefined): string {
  const scope = scopeLabel(ctx.meta, ctx.branch, ctx.lang);
  if (first === undefined || last === undefined) return scope;
  if (first === last) return `${scope} · ${date(first, ctx.lang)}`;
  const span = L(ctx.lang, `${date(first, 'zh')}至${date(last, 'zh')}`, `${date(first, 'en')} – ${date(last, 'en')}`);
  return `${scope} · ${span}`;
}

/**
 * Label positions (pixels, any order) pushed apart to at least `gap` while staying
 * within [min, max] where there is room: the usual dodge for end-of-line labels.
 */
export function dodge(ideal: readonly number[], gap: number, min: number, max: number): number[] {
  const order = ideal.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v || a.i - b.i);
  const pos = order.map((o) => Math.min(max, Math.max(min, o.v)));
  for (let k = 1; k < pos.length; k++) pos[k] = Math.max(pos[k]!, pos[k - 1]! + gap);
  const over = (pos.at(-1) ?? min) - max;
  if (over > 0) {
    pos[pos.length - 1] = max;
    for (let k = pos.length - 2; k >= 0; k--) pos[k] = Math.min(pos[k]!, pos[k + 1]! - gap);
  }
  const out = new Array<number>(ideal.length);
  order.forEach((o, k) => (out[o.i] = pos[k]!));
  return out;
}

/**
 * Labels that must keep their order, listed bottom to top (the order of a stack):
 * each sits at its ideal pixel position or higher, at least `gap` above the one
 * below; if the top one leaves the frame, the whole column moves down.
 */
export function stackDodge(ideal: readonly number[], gap: number, top: number, bottom: number): number[] {
  const pos = ideal.map((v) => Math.min(bottom, v));
  for (let k = 1; k < pos.length; k++) pos[k] = Math.min(pos[k]!, pos[k - 1]! - gap);
  const over = top - (pos.at(-1) ?? top);
  if (over > 0) for (let k = pos.length - 1; k >= 0; k--) pos[k] = k === pos.length - 1 ? top : Math.max(pos[k]! , pos[k + 1]! + gap);
  return pos;
}

/** Pixel position of a value on a linear y scale [lo, hi] drawn between top and bottom. */
export const yPixel = (v: number, lo: number, hi: number, top: number, bottom: number): number =>
  bottom - ((v - lo) / (hi - lo)) * (bottom - top);
/** The inverse of yPixel. */
export const yValue = (px: number, lo: number, hi: number, top: number, bottom: number): number =>
  lo + ((bottom - px) / (bottom - top)) * (hi - lo);
