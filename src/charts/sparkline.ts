// A one-line history for a KPI card: no axes, the last value dotted; withheld
// points break the line instead of dropping to zero.
import * as Plot from '@observablehq/plot';
import { count, percent, type Lang } from '../lib/format.ts';
import { L } from './common.ts';
import type { ChartSpec } from './types.ts';

export interface SparkInput {
  id: string;
  label: string;
  lang: Lang;
  kind: 'count' | 'percent';
  points: { x: string; y: number | null }[];
  source: string;
}

export function sparklineChart({ id, label, lang, kind, points, source }: SparkInput): ChartSpec {
  const fmt = (v: number | null) => (v === null ? '—' : kind === 'count' ? count(v, lang) : percent(v, lang));
  const data = points.map((p, i) => ({ i, x: p.x, y: p.y }));
  const known = data.filter((d) => d.y !== null) as { i: number; x: string; y: number }[];
  const first = known[0];
  const last = known.at(-1);
  const description =
    first && last
      ? L(lang, `${label}走势：${first.x} ${fmt(first.y)}，${last.x} ${fmt(last.y)}。`, `${label} trend: ${fmt(first.y)} on ${first.x}, ${fmt(last.y)} on ${last.x}.`)
      : L(lang, `${label}：无可公布的历史数据。`, `${label}: no publishable history.`);
  const ys = known.map((d) => d.y);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const pad = hi === lo ? Math.abs(hi) * 0.05 || 1 : (hi - lo) * 0.1;
  return {
    id: `spark-${id}`,
    title: L(lang, `${label}走势`, `${label} over time`),
    subtitle: '',
    source,
    description,
    notes: [],
    table: {
      columns: [
        { label: L(lang, '日期', 'Date'), numeric: false },
        { label, numeric: true },
      ],
      rows: data.map((d) => [
        { text: d.x, value: d.x },
        { text: fmt(d.y), value: d.y },
      ]),
    },
    figure: {
      plot: {
        width: 240,
        height: 48,
        margin: 4,
        axis: null,
        x: { domain: [0, Math.max(1, data.length - 1)] },
        y: { domain: known.length ? [lo - pad, hi + pad] : [0, 1] },
        marks: known.length
          ? [
              Plot.lineY(data, { x: 'i', y: (d: { y: number | null }) => d.y ?? Number.NaN, stroke: 'currentColor', strokeWidth: 1.5 }),
              Plot.dot(last ? [last] : [], { x: 'i', y: 'y', r: 2.5, fill: 'currentColor' }),
            ]
          : [],
      },
    },
  };
}
