// Colours and shared chart vocabulary. Tiers are ordered, so they get an ordered
// (sequential) ColorBrewer scheme that survives greyscale printing and the common
// colour-vision deficiencies; direction is never told by red/green alone (red means
// "up" in Chinese markets) — up/down always carry a label and an arrow.
import * as d3 from 'd3';
import type { Meta } from '../schema/output.ts';

export function tierColors(meta: Meta): string[] {
  const n = meta.tiers.length;
  const scheme = (d3.schemeYlGnBu as readonly (readonly string[])[])[Math.min(9, n + 1)];
  if (scheme && n + 1 <= 9) return scheme.slice(1, n + 1);
  return d3.quantize((t) => d3.interpolateYlGnBu(0.2 + 0.8 * t), n);
}

export const FLOW_COLORS = {
  up: '#2166ac',
  down: '#e08214',
  stay: '#9e9e9e',
  new: '#7b3294',
  lost: '#6b6b6b',
  transfer: '#b8860b',
} as const;

export const MEASURE_COLORS = { customers: '#41b6c4', aum: '#253494', deposits: '#1d91c0', reference: '#888888' } as const;

export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** The chart frame: 16:9 like a slide, so exports and pages share one layout. */
export const FRAME = { width: 720, height: 405 } as const;

export const hatchId = (chartId: string) => `ts-hatch-${chartId}`;

/** The frame with one chart's margins: Plot cannot measure text, so each chart sizes its own for its labels. */
export function frame(m: { top?: number; right?: number; bottom?: number; left?: number }) {
  return {
    ...FRAME,
    ...(m.top === undefined ? {} : { marginTop: m.top }),
    ...(m.right === undefined ? {} : { marginRight: m.right }),
    ...(m.bottom === undefined ? {} : { marginBottom: m.bottom }),
    ...(m.left === undefined ? {} : { marginLeft: m.left }),
    style: { fontSize: '12px' },
  };
}
