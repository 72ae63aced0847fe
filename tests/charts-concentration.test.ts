// Concentration charts (Lorenz, Pareto, top-p shares, Gini trend) checked against
// the fixture's published JSON: what is drawn, where, and what the titles claim.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { lorenzChart } from '../src/charts/lorenz.ts';
import { paretoChart } from '../src/charts/pareto.ts';
import { topSharesChart } from '../src/charts/topShares.ts';
import { giniTrendChart } from '../src/charts/giniTrend.ts';
import { renderSvg } from '../src/charts/render.ts';
import { MEASURE_COLORS } from '../src/charts/theme.ts';
import type { ChartContext } from '../src/charts/types.ts';
import { seriesScope, snapshotScope, type Report } from '../src/site/data.ts';
import { decimal, percent, type Lang } from '../src/lib/format.ts';
import type { Concentration, ScopeSnapshot, SeriesFile } from '../src/schema/output.ts';
import { fixtureReport } from './helpers/report.ts';
import { normaliseSvg } from './helpers/svg.ts';

let report: Report;
beforeAll(async () => {
  ({ report } = await fixtureReport());
});

const latest = () => report.meta().snapshots.at(-1)!;
const ctxOf = (lang: Lang, branch: string | null, asOf = latest()): ChartContext => ({ lang, meta: report.meta(), branch, period: null, asOf });
const scopeOf = (branch: string | null, date = latest()): ScopeSnapshot => snapshotScope(report.snapshot(date), branch);
const num = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`expected a published number, got ${JSON.stringify(v)}`);
  return v;
};
const doc = (svg: string) => parseHTML(`<div>${svg}</div>`).document;
/** Subpaths of an SVG path "M…L…", as [x, y] vertices. */
const subpaths = (d: string): [number, number][][] =>
  d
    .split('M')
    .filter(Boolean)
    .map((sub) => sub.split('L').map((pt) => pt.split(',').map(Number) as [number, number]));
const lineOf = (svg: string, stroke: string) => {
  const g = [...doc(svg).querySelectorAll('g[aria-label="line"]')].filter((x) => x.getAttribute('stroke') === stroke);
  return g.flatMap((x) => [...x.querySelectorAll('path')].map((p) => p.getAttribute('d') ?? ''));
};
/** The big dots (80 % markers): r = 4.5, filled with the measure's colour. */
const markers = (svg: string, fill: string) =>
  [...doc(svg).querySelectorAll('g[aria-label="dot"]')]
    .filter((g) => g.getAttribute('fill') === fill && g.getAttribute('stroke') === 'white')
    .flatMap((g) => [...g.querySelectorAll('circle')]);
const texts = (svg: string) => [...doc(svg).querySelectorAll('text')].map((t) => t.textContent ?? '');
const g3 = (x: number, lang: Lang = 'zh') => decimal(x, lang, 3);

/** A scope whose concentration is withheld the way the pipeline withholds it. */
function withheldScope(base: ScopeSnapshot): ScopeSnapshot {
  const few: Concentration = {
    withheld: 'too_few_customers',
    gini: { suppressed: 'frequency' },
    top1: { suppressed: 'frequency' },
    top5: { suppressed: 'frequency' },
    top10: { suppressed: 'frequency' },
    top20: { suppressed: 'frequency' },
    point80: { suppressed: 'frequency' },
    lorenz: [
      { p: 0, share: 0 },
      { p: 1, share: 1 },
    ],
  };
  const zero: Concentration = { withheld: 'zero_total', gini: null, top1: null, top5: null, top10: null, top20: null, point80: null, lorenz: [] };
  return { ...base, concentration: { aum: few, deposits: zero } };
}

describe('Lorenz chart', () => {
  it('draws each published curve through exactly its published points, with the 80 % marker at x = 1 − point80, y = 20 %', () => {
    const scope = scopeOf(null);
    const svg = renderSvg(lorenzChart(ctxOf('zh', null), scope));
    // The line of equality gives the frame: its ends are (0,0) and (1,1).
    const [eq] = lineOf(svg, MEASURE_COLORS.reference);
    const [[x0, y0], [x1, y1]] = subpaths(eq!)[0]! as [[number, number], [number, number]];
    const px = (p: number, s: number) => [x0 + p * (x1 - x0), y0 + s * (y1 - y0)];
    for (const m of ['aum', 'deposits'] as const) {
      const c = scope.concentration[m];
      const paths = lineOf(svg, MEASURE_COLORS[m]);
      expect(paths).toHaveLength(1);
      const [vertices] = subpaths(paths[0]!);
      expect(vertices).toHaveLength(c.lorenz.length);
      c.lorenz.forEach((pt, i) => {
        const [ex, ey] = px(pt.p, pt.share);
        expect(vertices![i]![0]).toBeCloseTo(ex!, 1);
        expect(vertices![i]![1]).toBeCloseTo(ey!, 1);
      });
      const [marker] = markers(svg, MEASURE_COLORS[m]);
      const [mx, my] = px(1 - num(c.point80), 0.2);
      expect(Number(marker!.getAttribute('cx'))).toBeCloseTo(mx!, 1);
      expect(Number(marker!.getAttribute('cy'))).toBeCloseTo(my!, 1);
    }
    // Direct labels say who holds 80 %.
    expect(texts(svg)).toContain(`${percent(num(scope.concentration.aum.point80), 'zh')}的客户持有80%的金融资产`);
    expect(texts(svg)).toContain(`${percent(num(scope.concentration.deposits.point80), 'zh')}的客户持有80%的存款`);
  });

  it('states the Gini comparison from the JSON in the title, in both languages', () => {
    const scope = scopeOf(null);
    const gA = num(scope.concentration.aum.gini);
    const gD = num(scope.concentration.deposits.gini);
    // The fixture bank's assets are the more concentrated (0.963 vs 0.949).
    expect(gA).toBeGreaterThan(gD);
    expect(lorenzChart(ctxOf('zh', null), scope).title).toBe(`金融资产比存款更集中：基尼系数${g3(gA)}对${g3(gD)}`);
    expect(lorenzChart(ctxOf('en', null), scope).title).toBe(`Assets are more concentrated than deposits: Gini ${g3(gA, 'en')} vs ${g3(gD, 'en')}`);
  });

  it('draws no curve for a branch whose Lorenz curve has no published interior point, and says why', () => {
    // B009 has 17 customers: only the ends (0,0) and (1,1) are published, and point80 is withheld.
    const scope = scopeOf('B009');
    expect(scope.concentration.aum.lorenz).toHaveLength(2);
    expect(typeof scope.concentration.aum.point80).toBe('object');
    const spec = lorenzChart(ctxOf('zh', 'B009'), scope);
    const svg = renderSvg(spec);
    expect(lineOf(svg, MEASURE_COLORS.aum)).toHaveLength(0);
    expect(lineOf(svg, MEASURE_COLORS.deposits)).toHaveLength(0);
    expect(markers(svg, MEASURE_COLORS.aum)).toHaveLength(0);
    expect(spec.notes.join(' ')).toMatch(/无法.*公布金融资产曲线的中间点，未画出曲线/);
    expect(spec.notes.join(' ')).toContain('为保护客户隐私');
    // Its Gini is published (17 ≥ minCell customers), so the title may still compare.
    const gA = num(scope.concentration.aum.gini);
    const gD = num(scope.concentration.deposits.gini);
    expect(spec.title).toContain(`${g3(Math.max(gA, gD))}对${g3(Math.min(gA, gD))}`);
    expect(spec.table.rows).toHaveLength(0);
  });

  it('falls back to a neutral title and explains withheld blocks (too few customers, zero total)', () => {
    const spec = lorenzChart(ctxOf('zh', 'B038'), withheldScope(scopeOf('B038')));
    expect(spec.title).toBe('金融资产与存款的洛伦兹曲线');
    const notes = spec.notes.join(' ');
    expect(notes).toContain('客户少于10户，不公布金融资产的集中度');
    expect(notes).toContain('存款合计为零，集中度无定义');
    const svg = renderSvg(spec);
    expect(lineOf(svg, MEASURE_COLORS.aum)).toHaveLength(0);
    expect(lineOf(svg, MEASURE_COLORS.deposits)).toHaveLength(0);
  });

  it('lists exactly the drawn vertices and markers in its table', () => {
    const scope = scopeOf(null);
    const spec = lorenzChart(ctxOf('en', null), scope);
    const n = scope.concentration.aum.lorenz.length + scope.concentration.deposits.lorenz.length + 2;
    expect(spec.table.rows).toHaveLength(n);
    const last = spec.table.rows.at(-1)!;
    expect(last[1]!.value).toBeCloseTo(1 - num(scope.concentration.deposits.point80), 12);
    expect(last[2]!.value).toBe(0.2);
  });

  it('matches the SVG snapshot (zh, whole bank)', async () => {
    const svg = renderSvg(lorenzChart(ctxOf('zh', null), scopeOf(null)));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/lorenz-zh.svg');
  });
});

describe('Pareto chart', () => {
  it('draws the published Lorenz points turned round (top 1 − p hold 1 − share) and marks the 80 % point', () => {
    const scope = scopeOf(null);
    const c = scope.concentration.aum;
    const svg = renderSvg(paretoChart(ctxOf('zh', null), scope, 'aum'));
    const paths = lineOf(svg, MEASURE_COLORS.aum);
    expect(paths).toHaveLength(1);
    const [vertices] = subpaths(paths[0]!);
    expect(vertices).toHaveLength(c.lorenz.length);
    // The curve spans (0,0)–(1,1), so its extent is the unit square.
    const xs = vertices!.map((v) => v[0]);
    const ys = vertices!.map((v) => v[1]);
    const [xa, xb, ya, yb] = [Math.min(...xs), Math.max(...xs), Math.max(...ys), Math.min(...ys)];
    const unit = (v: [number, number]) => [(v[0] - xa) / (xb - xa), (v[1] - ya) / (yb - ya)];
    const expected = c.lorenz.map((pt) => [1 - pt.p, 1 - pt.share]).sort((a, b) => a[0]! - b[0]!);
    vertices!.forEach((v, i) => {
      const [ux, uy] = unit(v);
      expect(ux).toBeCloseTo(expected[i]![0]!, 3);
      expect(uy).toBeCloseTo(expected[i]![1]!, 3);
    });
    const [m] = markers(svg, MEASURE_COLORS.aum);
    const [mx, my] = unit([Number(m!.getAttribute('cx')), Number(m!.getAttribute('cy'))]);
    expect(mx).toBeCloseTo(num(c.point80), 3);
    expect(my).toBeCloseTo(0.8, 3);
  });

  it('answers the 80/20 check in the title with format.percent of point80', () => {
    const scope = scopeOf(null);
    const p80 = num(scope.concentration.aum.point80);
    expect(p80).toBeLessThan(0.1); // the fixture bank: about 2 %
    expect(paretoChart(ctxOf('zh', null), scope, 'aum').title).toBe(`前${percent(p80, 'zh')}的客户持有80%的金融资产，远比“二八”集中`);
    expect(paretoChart(ctxOf('en', null), scope, 'aum').title).toBe(`80% of assets sit with the top ${percent(p80, 'en')} of customers — far beyond 80/20`);
    const d80 = num(scope.concentration.deposits.point80);
    expect(paretoChart(ctxOf('zh', null), scope, 'deposits').title).toBe(`前${percent(d80, 'zh')}的客户持有80%的存款，远比“二八”集中`);
  });

  it('claims only what point80 supports: more, in line with, or less concentrated than 80/20', () => {
    const base = scopeOf(null);
    const withP80 = (p: number): ScopeSnapshot => ({ ...base, concentration: { ...base.concentration, aum: { ...base.concentration.aum, point80: p } } });
    expect(paretoChart(ctxOf('en', null), withP80(0.15), 'aum').title).toBe('80% of assets sit with the top 15.00% of customers — more concentrated than 80/20');
    expect(paretoChart(ctxOf('en', null), withP80(0.200004), 'aum').title).toBe('80% of assets sit with the top 20.00% of customers — in line with 80/20');
    expect(paretoChart(ctxOf('zh', null), withP80(0.35), 'aum').title).toBe('前35.00%的客户才持有80%的金融资产，不及“二八”集中');
  });

  it('keeps a neutral title and draws no marker where point80 is withheld (branch B002)', () => {
    const scope = scopeOf('B002');
    expect(scope.concentration.aum.point80).toEqual({ suppressed: 'frequency' });
    const spec = paretoChart(ctxOf('zh', 'B002'), scope, 'aum');
    expect(spec.title).toBe('按客户从大到小累计的金融资产占比');
    const svg = renderSvg(spec);
    expect(markers(svg, MEASURE_COLORS.aum)).toHaveLength(0);
    expect(subpaths(lineOf(svg, MEASURE_COLORS.aum)[0]!)[0]).toHaveLength(scope.concentration.aum.lorenz.length);
    const row = spec.table.rows.at(-1)!;
    expect(row[1]).toMatchObject({ text: '—', value: null, suppressed: 'frequency' });
    expect(spec.notes.join(' ')).toContain('为保护客户隐私');
  });

  it('matches the SVG snapshot (zh, whole bank, assets)', async () => {
    const svg = renderSvg(paretoChart(ctxOf('zh', null), scopeOf(null), 'aum'));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/pareto-aum-zh.svg');
  });
});

describe('top-share bars', () => {
  const KEYS = ['top1', 'top5', 'top10', 'top20'] as const;

  it('draws eight bars whose heights are proportional to the JSON shares, labelled with them', () => {
    const scope = scopeOf(null);
    const svg = renderSvg(topSharesChart(ctxOf('en', null), scope));
    const rects = [...doc(svg).querySelectorAll('g[aria-label="bar"] rect')];
    const values = KEYS.flatMap((k) => [num(scope.concentration.aum[k]), num(scope.concentration.deposits[k])]);
    expect(rects).toHaveLength(8);
    const heights = rects.map((r) => Number(r.getAttribute('height')));
    heights.forEach((h, i) => expect(h / heights[0]!).toBeCloseTo(values[i]! / values[0]!, 3));
    expect(rects.map((r) => r.getAttribute('fill'))).toEqual(KEYS.flatMap(() => [MEASURE_COLORS.aum, MEASURE_COLORS.deposits]));
    const labels = texts(svg);
    for (const v of values) expect(labels).toContain(percent(v, 'en'));
  });

  it('puts the top-1 % shares in the title', () => {
    const scope = scopeOf(null);
    const a = num(scope.concentration.aum.top1);
    const d = num(scope.concentration.deposits.top1);
    expect(topSharesChart(ctxOf('zh', null), scope).title).toBe(`前1%的客户持有${percent(a, 'zh')}的金融资产、${percent(d, 'zh')}的存款`);
  });

  it('writes withheld shares as "—" and never draws them as zero bars (branch B023)', () => {
    const scope = scopeOf('B023');
    for (const k of KEYS) expect(scope.concentration.aum[k]).toEqual({ suppressed: 'frequency' });
    const spec = topSharesChart(ctxOf('zh', 'B023'), scope);
    const svg = renderSvg(spec);
    expect(doc(svg).querySelectorAll('g[aria-label="bar"] rect')).toHaveLength(0);
    expect(texts(svg).filter((t) => t === '—')).toHaveLength(8);
    expect(spec.title).toBe('头部客户持有的金融资产与存款占比');
    expect(spec.notes.join(' ')).toContain('为保护客户隐私');
    for (const row of spec.table.rows) for (const cell of row.slice(1)) expect(cell).toMatchObject({ text: '—', value: null, suppressed: 'frequency' });
  });

  it('draws only the measure that is published when the other is withheld', () => {
    const base = scopeOf(null);
    const scope: ScopeSnapshot = { ...base, concentration: { aum: base.concentration.aum, deposits: withheldScope(base).concentration.deposits } };
    const spec = topSharesChart(ctxOf('en', null), scope);
    const svg = renderSvg(spec);
    const rects = [...doc(svg).querySelectorAll('g[aria-label="bar"] rect')];
    expect(rects).toHaveLength(4);
    expect(new Set(rects.map((r) => r.getAttribute('fill')))).toEqual(new Set([MEASURE_COLORS.aum]));
    expect(texts(svg).filter((t) => t === '—')).toHaveLength(4);
    expect(spec.title).toBe(`The top 1% of customers hold ${percent(num(base.concentration.aum.top1), 'en')} of assets`);
    expect(spec.notes.join(' ')).toContain('Total deposits is zero');
  });

  it('matches the SVG snapshot (en, whole bank)', async () => {
    const svg = renderSvg(topSharesChart(ctxOf('en', null), scopeOf(null)));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/top-shares-en.svg');
  });
});

describe('Gini trend', () => {
  type Scope = SeriesFile['scopes'][number];
  const seriesOf = (branch: string | null): Scope => seriesScope(report.series(), branch);

  it('draws one vertex and one dot per snapshot for each measure, up to the page date', () => {
    const series = seriesOf(null);
    const svg = renderSvg(giniTrendChart(ctxOf('zh', null), series));
    for (const m of ['aum', 'deposits'] as const) {
      const [d] = lineOf(svg, MEASURE_COLORS[m]);
      expect(subpaths(d!)).toHaveLength(1);
      expect(subpaths(d!)[0]).toHaveLength(series.snapshots.length);
    }
    expect(doc(svg).querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(2 * series.snapshots.length);
    // An earlier page date cuts the series there.
    const early = renderSvg(giniTrendChart(ctxOf('zh', null, report.meta().snapshots[1]), series));
    expect(subpaths(lineOf(early, MEASURE_COLORS.aum)[0]!)[0]).toHaveLength(2);
  });

  it('states the first-to-last change of both Gini coefficients in the title and labels the line ends', () => {
    const s = seriesOf(null).snapshots;
    const [a0, a1, d0, d1] = [num(s[0]!.giniAum), num(s.at(-1)!.giniAum), num(s[0]!.giniDeposits), num(s.at(-1)!.giniDeposits)];
    // Both rose over the fixture's quarter at three decimals: 0.962 → 0.963 and 0.948 → 0.949.
    expect([g3(a0), g3(a1), g3(d0), g3(d1)]).toEqual(['0.962', '0.963', '0.948', '0.949']);
    const spec = giniTrendChart(ctxOf('zh', null), seriesOf(null));
    expect(spec.title).toBe(`金融资产基尼系数从${g3(a0)}升至${g3(a1)}，存款基尼系数从${g3(d0)}升至${g3(d1)}`);
    const labels = texts(renderSvg(spec));
    expect(labels).toContain(`金融资产 ${g3(a1)}`);
    expect(labels).toContain(`存款 ${g3(d1)}`);
  });

  it('breaks the line at a withheld value instead of drawing it at 0, and keeps a neutral title when an end is withheld', () => {
    const base = seriesOf('B009');
    const snapshots = base.snapshots.map((s, i) => (i === 1 ? { ...s, giniAum: { suppressed: 'frequency' as const } } : i === 3 ? { ...s, giniDeposits: null } : s));
    const spec = giniTrendChart(ctxOf('en', 'B009'), { ...base, snapshots });
    const svg = renderSvg(spec);
    const aum = subpaths(lineOf(svg, MEASURE_COLORS.aum)[0]!);
    expect(aum.map((p) => p.length)).toEqual([1, 2]);
    const dep = subpaths(lineOf(svg, MEASURE_COLORS.deposits)[0]!);
    expect(dep.map((p) => p.length)).toEqual([3]);
    expect(doc(svg).querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(6);
    // B009's asset Gini fell over the quarter, 0.898 → 0.892; deposits have no published last value.
    const [first, last] = [num(snapshots[0]!.giniAum), num(snapshots[3]!.giniAum)];
    expect([g3(first, 'en'), g3(last, 'en')]).toEqual(['0.898', '0.892']);
    expect(spec.title).toBe(`Assets Gini down from ${g3(first, 'en')} to ${g3(last, 'en')}`);
    expect(spec.notes.join(' ')).toContain('breaks the line');
    expect(spec.table.rows[1]![1]).toMatchObject({ text: '—', value: null, suppressed: 'frequency' });
    expect(spec.table.rows[3]![2]).toMatchObject({ text: '—', value: null });
  });

  it('matches the SVG snapshot (zh, whole bank)', async () => {
    const svg = renderSvg(giniTrendChart(ctxOf('zh', null), seriesOf(null)));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/gini-trend-zh.svg');
  });
});
