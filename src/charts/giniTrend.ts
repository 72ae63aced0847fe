// Gini coefficients of assets and deposits at every snapshot up to the page's
// date: two labelled lines with a dot per published value. A withheld or undefined
// value breaks its line; it is never drawn at 0.
import * as Plot from '@observablehq/plot';
import type { SeriesFile } from '../schema/output.ts';
import { date, isSuppressed, valueOf, utcDate } from '../lib/format.ts';
import { L, sourceLine, suppressionNote, textCell } from './common.ts';
import { FRAME, MEASURE_COLORS, frame } from './theme.ts';
import { compareGini, dodge, giniCell, giniText, MEASURES, measureLabel, measureWord, monthTick, scopeAndSpan, timeDomain, thinTicks, yPixel, yValue, type Measure } from './sectionKit.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';

type SeriesScope = SeriesFile['scopes'][number];
const KEY = { aum: 'giniAum', deposits: 'giniDeposits' } as const;
const M = { left: 52, right: 118, top: 24, bottom: 34 } as const;

export function giniTrendChart(ctx: ChartContext, series: SeriesScope): ChartSpec {
  const { lang } = ctx;
  const id = 'gini-trend';
  const snaps = series.snapshots.filter((s) => s.date <= ctx.asOf);
  const dates = snaps.map((s) => s.date);
  const points = MEASURES.flatMap((m) => snaps.map((s) => ({ measure: m, date: utcDate(s.date), iso: s.date, v: valueOf(s[KEY[m]]) })));
  const known = points.filter((p): p is typeof p & { v: number } => p.v !== null);

  // Title from the first and last snapshot, only when both are published.
  const ends = (m: Measure) => {
    const first = snaps[0];
    const last = snaps.at(-1);
    if (!first || !last || first === last) return null;
    const a = valueOf(first[KEY[m]]);
    const b = valueOf(last[KEY[m]]);
    return a === null || b === null ? null : { a, b };
  };
  const e = ends('aum');
  const d = ends('deposits');
  const move = (m: Measure, x: { a: number; b: number }, lead: boolean) => {
    const cmp = compareGini(x.b, x.a, lang);
    const what = lead ? measureLabel(m, lang) : L(lang, measureLabel(m, lang), measureWord(m, lang));
    const [a, b] = [giniText(x.a, lang), giniText(x.b, lang)];
    return cmp === 0
      ? L(lang, `${what}基尼系数保持在${b}`, `${what} Gini unchanged at ${b}`)
      : cmp > 0
        ? L(lang, `${what}基尼系数从${a}升至${b}`, `${what} Gini up from ${a} to ${b}`)
        : L(lang, `${what}基尼系数从${a}降至${b}`, `${what} Gini down from ${a} to ${b}`);
  };
  const title =
    e && d
      ? `${move('aum', e, true)}${L(lang, '，', '; ')}${move('deposits', d, false)}`
      : e
        ? move('aum', e, true)
        : d
          ? move('deposits', d, true)
          : L(lang, '金融资产与存款基尼系数走势', 'Gini coefficients of assets and deposits over time');

  const notes: string[] = [
    L(lang, '基尼系数0表示人人相同，越接近1越集中于少数客户。', 'A Gini coefficient of 0 means everyone holds the same; the closer to 1, the more is held by a few customers.'),
  ];
  const gaps = points.filter((p) => p.v === null).length;
  if (gaps > 0)
    notes.push(L(lang, '未公布或无定义的数值使折线断开，不画作0。', 'A withheld or undefined value breaks the line; it is not drawn as 0.'));
  const sup = suppressionNote(ctx, snaps.flatMap((s) => [s.giniAum, s.giniDeposits]));
  if (sup) notes.push(sup);
  if (snaps.length < 2) notes.push(L(lang, '只有一个快照，尚无走势。', 'There is only one snapshot, so there is no trend yet.'));

  const rows: Cell[][] = snaps.map((s) => [textCell(date(s.date, lang)), giniCell(s.giniAum, ctx), giniCell(s.giniDeposits, ctx)]);

  const lastOf = (m: Measure) => known.filter((p) => p.measure === m).at(-1);
  const firstOf = (m: Measure) => known.find((p) => p.measure === m);
  const description = L(
    lang,
    `折线图：各快照的金融资产与存款基尼系数。` +
      MEASURES.map((m) => {
        const f = firstOf(m);
        const l = lastOf(m);
        return f && l ? `${measureLabel(m, lang)}：${date(f.iso, lang)} ${giniText(f.v, lang)}，${date(l.iso, lang)} ${giniText(l.v, lang)}` : `${measureLabel(m, lang)}：未公布`;
      }).join('；') +
      '。',
    `Line chart: Gini coefficients of assets and deposits at each snapshot. ` +
      MEASURES.map((m) => {
        const f = firstOf(m);
        const l = lastOf(m);
        return f && l ? `${measureLabel(m, lang)}: ${giniText(f.v, lang)} on ${date(f.iso, lang)}, ${giniText(l.v, lang)} on ${date(l.iso, lang)}` : `${measureLabel(m, lang)}: withheld`;
      }).join('; ') +
      '.',
  );

  // y domain around the values (a Gini trend lives in the second decimal), then end labels kept apart.
  const vs = known.map((p) => p.v);
  const lo0 = vs.length ? Math.min(...vs) : 0;
  const hi0 = vs.length ? Math.max(...vs) : 1;
  const lo = Math.max(0, Math.floor((lo0 - 0.005) * 100) / 100);
  const hi = Math.min(1, Math.ceil((hi0 + 0.005) * 100) / 100);
  const top = M.top;
  const bottom = FRAME.height - M.bottom;
  const ends2 = MEASURES.map(lastOf).filter((p): p is NonNullable<typeof p> => p !== undefined);
  const placed = dodge(
    ends2.map((p) => yPixel(p.v, lo, hi, top, bottom)),
    15,
    top,
    bottom,
  );
  const endLabels = ends2.map((p, i) => ({ ...p, y: yValue(placed[i]!, lo, hi, top, bottom), t: `${measureLabel(p.measure, lang)} ${giniText(p.v, lang)}` }));
  return {
    id,
    title,
    subtitle: L(lang, `基尼系数（0–1）· ${scopeAndSpan(ctx, dates[0], dates.at(-1))}`, `Gini coefficient (0–1) · ${scopeAndSpan(ctx, dates[0], dates.at(-1))}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '快照日期', 'Snapshot'), numeric: false },
        ...MEASURES.map((m) => ({ label: L(lang, `${measureLabel(m, lang)}基尼系数`, `Gini of ${measureWord(m, lang)}`), numeric: true })),
      ],
      rows,
    },
    native: {
      kind: 'line',
      categories: snaps.map((s) => date(s.date, lang)),
      series: MEASURES.map((m) => ({ name: measureLabel(m, lang), values: snaps.map((s) => valueOf(s[KEY[m]])), color: MEASURE_COLORS[m] })),
      valueFormat: 'decimal',
      valueTitle: L(lang, '基尼系数', 'Gini coefficient'),
      range: [lo, hi],
      withheld: snaps.some((s) => isSuppressed(s.giniAum) || isSuppressed(s.giniDeposits)),
    },
    figure: {
      plot: {
        ...frame(M),
        x: {
          type: 'utc',
          domain: timeDomain(dates),
          ticks: thinTicks(dates, 8),
          tickFormat: monthTick(lang),
          label: null,
          inset: 10,
        },
        y: { domain: [lo, hi], ticks: 5, grid: true, tickFormat: (v: number) => giniText(v, lang), label: L(lang, '↑ 基尼系数', '↑ Gini coefficient') },
        marks: [
          ...MEASURES.map((m) =>
            Plot.line(
              points.filter((p) => p.measure === m),
              { x: 'date', y: 'v', stroke: MEASURE_COLORS[m], strokeWidth: 2.25 },
            ),
          ),
          ...MEASURES.map((m) => Plot.dot(known.filter((p) => p.measure === m), { x: 'date', y: 'v', r: 3, fill: MEASURE_COLORS[m] })),
          Plot.text(endLabels, { x: 'date', y: 'y', text: 't', dx: 10, textAnchor: 'start', fill: 'currentColor' }),
        ],
      },
    },
  };
}
