// New-customer charts checked against the fixture's published period files and
// series: bar lengths, stacked totals, withheld cells, and what the titles claim.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { consecutiveMixes, newByTierChart, newMidHighTrendChart, newMixChart, openedChart } from '../src/charts/newMix.ts';
import { renderSvg } from '../src/charts/render.ts';
import { FLOW_COLORS, MEASURE_COLORS } from '../src/charts/theme.ts';
import type { ChartContext } from '../src/charts/types.ts';
import { periodScope, seriesScope, type Report } from '../src/site/data.ts';
import { count, percent, type Lang } from '../src/lib/format.ts';
import type { Period, ScopePeriod } from '../src/schema/output.ts';
import { fixtureReport } from './helpers/report.ts';
import { normaliseSvg } from './helpers/svg.ts';

let report: Report;
beforeAll(async () => {
  ({ report } = await fixtureReport());
});

const headline = (): Period => report.meta().periods.find((p) => p.headline)!;
const ctxOf = (lang: Lang, branch: string | null, period: Period = headline()): ChartContext => ({ lang, meta: report.meta(), branch, period, asOf: period.end });
const scopeOf = (branch: string | null, period: Period = headline()): ScopePeriod => periodScope(report.period(period.id), branch);
const num = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`expected a published number, got ${JSON.stringify(v)}`);
  return v;
};
const doc = (svg: string) => parseHTML(`<div>${svg}</div>`).document;
const texts = (svg: string) => [...doc(svg).querySelectorAll('text')].map((t) => t.textContent ?? '');
const barRects = (svg: string) => [...doc(svg).querySelectorAll('g[aria-label="bar"] rect')];
const subpaths = (d: string): [number, number][][] =>
  d
    .split('M')
    .filter(Boolean)
    .map((sub) => sub.split('L').map((pt) => pt.split(',').map(Number) as [number, number]));
const lineOf = (svg: string, stroke: string) =>
  [...doc(svg).querySelectorAll('g[aria-label="line"]')]
    .filter((x) => x.getAttribute('stroke') === stroke)
    .flatMap((x) => [...x.querySelectorAll('path')].map((p) => p.getAttribute('d') ?? ''));

describe('new-customer mix vs the stock (one period)', () => {
  it('draws a bar per published share with lengths proportional to the JSON, and "—" for each withheld one', () => {
    const scope = scopeOf(null);
    const svg = renderSvg(newMixChart(ctxOf('zh', null), scope));
    const rects = barRects(svg);
    // Facets in tier order, new before stock within each.
    const published = scope.newMix.tiers.flatMap((t) => [t.share, t.stockShare]).filter((v): v is number => typeof v === 'number');
    expect(rects).toHaveLength(published.length);
    const heights = rects.map((r) => Number(r.getAttribute('height')));
    heights.forEach((h, i) => expect(h / heights[0]!).toBeCloseTo(published[i]! / published[0]!, 3));
    expect(rects.filter((r) => r.getAttribute('fill') === FLOW_COLORS.new)).toHaveLength(scope.newMix.tiers.filter((t) => typeof t.share === 'number').length);
    const withheld = scope.newMix.tiers.flatMap((t) => [t.share, t.stockShare]).filter((v) => typeof v === 'object' && v !== null).length;
    expect(withheld).toBeGreaterThan(0); // the fixture's headline period withholds some of them
    expect(texts(svg).filter((t) => t === '—')).toHaveLength(withheld);
    for (const v of published) expect(texts(svg)).toContain(percent(v, 'zh'));
  });

  it('compares the mid-high shares in the title and lists the counts in the table', () => {
    const scope = scopeOf(null);
    const n = num(scope.newMix.midHighShare);
    const s = num(scope.newMix.stockMidHighShare);
    expect(n).toBeGreaterThan(s);
    expect(newMixChart(ctxOf('zh', null), scope).title).toBe(`新增客户中中高端占${percent(n, 'zh')}，高于存量的${percent(s, 'zh')}`);
    const spec = newMixChart(ctxOf('en', null), scope);
    expect(spec.title).toBe(`${percent(n, 'en')} of new customers are mid-high, above ${percent(s, 'en')} of all customers`);
    scope.newMix.tiers.forEach((t, i) => {
      const cell = spec.table.rows[i]![1]!;
      if (typeof t.n === 'number') expect(cell).toMatchObject({ value: t.n, text: count(t.n, 'en') });
      else expect(cell).toMatchObject({ value: null, suppressed: t.n.suppressed });
    });
    expect(spec.table.rows.at(-1)![1]).toMatchObject({ value: num(scope.newMix.total) });
  });

  it('says "in line with" when the difference rounds to 0.00 pp, and stays neutral when a share is withheld', () => {
    const base = scopeOf(null);
    const withShares = (a: number, b: number): ScopePeriod => ({ ...base, newMix: { ...base.newMix, midHighShare: a, stockMidHighShare: b } });
    // 4.37% vs 4.38% on display, but 0.0001 pp apart.
    expect(newMixChart(ctxOf('en', null), withShares(0.043749, 0.04375)).title).toBe('4.37% of new customers are mid-high, in line with 4.38% of all customers');
    expect(newMixChart(ctxOf('zh', null), withShares(0.0412, 0.0438)).title).toBe('新增客户中中高端占4.12%，低于存量的4.38%');
    const b002 = scopeOf('B002');
    expect(b002.newMix.midHighShare).toEqual({ suppressed: 'frequency' });
    const spec = newMixChart(ctxOf('zh', 'B002'), b002);
    expect(spec.title).toBe('新增客户与存量客户的等级结构');
    expect(spec.notes.join(' ')).toContain('为保护客户隐私');
    // B009 gained no customer over the quarter: its shares of new customers are undefined, not withheld.
    const b009 = scopeOf('B009');
    expect(b009.newMix.total).toBe(0);
    const none = newMixChart(ctxOf('en', 'B009'), b009);
    expect(none.title).toBe('No new customers in this period');
    expect(barRects(renderSvg(none)).filter((r) => r.getAttribute('fill') === FLOW_COLORS.new)).toHaveLength(0);
  });

  it('matches the SVG snapshot (zh, whole bank)', async () => {
    const svg = renderSvg(newMixChart(ctxOf('zh', null), scopeOf(null)));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/new-mix-zh.svg');
  });
});

describe('mid-high share of new customers vs the stock, over periods', () => {
  it('draws both lines through every consecutive period and counts the periods above in the title', () => {
    const series = seriesScope(report.series(), null);
    const svg = renderSvg(newMidHighTrendChart(ctxOf('zh', null), series));
    for (const stroke of [FLOW_COLORS.new, MEASURE_COLORS.reference]) {
      const [d] = lineOf(svg, stroke);
      expect(subpaths(d!).map((p) => p.length)).toEqual([series.periods.length]);
    }
    // Fixture: 4.84% vs 4.32%, 5.05% vs 4.37%, 4.22% vs 4.38% — new above the stock in two of three periods.
    const pairs = series.periods.map((p) => [percent(num(p.newMidHighShare), 'zh'), percent(num(p.stockMidHighShare), 'zh')]);
    expect(pairs).toEqual([
      ['4.84%', '4.32%'],
      ['5.05%', '4.37%'],
      ['4.22%', '4.38%'],
    ]);
    expect(newMidHighTrendChart(ctxOf('zh', null), series).title).toBe('3期中有2期新增客户的中高端占比高于存量');
    expect(newMidHighTrendChart(ctxOf('en', null), series).title).toBe('New customers were more often mid-high than all customers in 2 of 3 periods');
    const last = series.periods.at(-1)!;
    expect(texts(svg)).toContain(`新增客户 ${percent(num(last.newMidHighShare), 'zh')}`);
    expect(texts(svg)).toContain(`存量客户 ${percent(num(last.stockMidHighShare), 'zh')}`);
  });

  it('draws nothing for withheld or undefined shares (branch B009) and keeps a neutral title', () => {
    const series = seriesScope(report.series(), 'B009');
    expect(series.periods.every((p) => p.newMidHighShare === null)).toBe(true);
    const spec = newMidHighTrendChart(ctxOf('zh', 'B009'), series);
    const svg = renderSvg(spec);
    const drawn = [...lineOf(svg, FLOW_COLORS.new), ...lineOf(svg, MEASURE_COLORS.reference)].filter((d) => d !== '');
    expect(drawn).toHaveLength(0);
    expect(doc(svg).querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(0);
    expect(spec.title).toBe('新增客户与存量客户的中高端占比');
    expect(spec.notes.join(' ')).toContain('折线断开');
  });

  it('matches the SVG snapshot (en, whole bank)', async () => {
    const svg = renderSvg(newMidHighTrendChart(ctxOf('en', null), seriesScope(report.series(), null)));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/new-mid-high-trend-en.svg');
  });
});

describe('new customers by tier, per consecutive period', () => {
  /** Rects grouped by bar (their x), in document order of first appearance. */
  const stacks = (svg: string) => {
    const byX = new Map<string, { h: number; hatched: boolean }[]>();
    for (const r of barRects(svg)) {
      const x = r.getAttribute('x')!;
      byX.set(x, [...(byX.get(x) ?? []), { h: Number(r.getAttribute('height')), hatched: (r.getAttribute('fill') ?? '').startsWith('url(') || (r.parentElement?.getAttribute('fill') ?? '').startsWith('url(') }]);
    }
    return [...byX.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, rs]) => rs);
  };

  it('stacks to newMix.total in every period, hatching only what the total leaves after the published tiers', () => {
    const rows = consecutiveMixes(report, null, headline().end);
    expect(rows.map((r) => r.period.id)).toEqual(['2024-12-31_2025-01-31', '2025-01-31_2025-02-28', '2025-02-28_2025-03-31']);
    const svg = renderSvg(newByTierChart(ctxOf('zh', null), rows));
    const bars = stacks(svg);
    expect(bars).toHaveLength(3);
    const totals = rows.map((r) => num(r.mix.total));
    const sums = bars.map((rs) => rs.reduce((a, r) => a + r.h, 0));
    sums.forEach((s, i) => expect(s / sums[0]!).toBeCloseTo(totals[i]! / totals[0]!, 4));
    rows.forEach((r, i) => {
      const published = r.mix.tiers.map((t) => t.n).filter((n): n is number => typeof n === 'number' && n > 0);
      const rest = num(r.mix.total) - published.reduce((a, b) => a + b, 0);
      const plain = bars[i]!.filter((x) => !x.hatched);
      const hatched = bars[i]!.filter((x) => x.hatched);
      expect(plain).toHaveLength(published.length);
      expect(hatched).toHaveLength(rest > 0 ? 1 : 0);
      if (rest > 0) expect(hatched[0]!.h / sums[i]!).toBeCloseTo(rest / num(r.mix.total), 4);
    });
    // The fixture's first period hides potential, mid and high: 2,088 − 1,770 = 318 in one hatched block.
    expect(num(rows[0]!.mix.total) - num(rows[0]!.mix.tiers[0]!.n)).toBe(318);
    for (const t of totals) expect(texts(svg)).toContain(count(t, 'zh'));
  });

  it('states the range of totals and the majority tier in the title', () => {
    const rows = consecutiveMixes(report, null, headline().end);
    const totals = rows.map((r) => num(r.mix.total));
    const [lo, hi] = [Math.min(...totals), Math.max(...totals)];
    // "Most of them ordinary" only when every period publishes an ordinary share above one half.
    const majority = rows.every((r) => typeof r.mix.tiers[0]!.share === 'number' && r.mix.tiers[0]!.share > 0.5);
    const zh = `各期新增${count(lo, 'zh')}至${count(hi, 'zh')}户客户`;
    const en = `Each period brought ${count(lo, 'en')}–${count(hi, 'en')} new customers`;
    expect(newByTierChart(ctxOf('zh', null), rows).title).toBe(majority ? `${zh}，每期过半为普通客户` : zh);
    expect(newByTierChart(ctxOf('en', null), rows).title).toBe(majority ? `${en}, most of them Ordinary` : en);
    // And the claim itself, on a period list where it holds: the published ones.
    const shown = rows.filter((r) => typeof r.mix.tiers[0]!.share === 'number');
    expect(shown.length).toBeGreaterThan(0);
    if (shown.length > 1) {
      const t = shown.map((r) => num(r.mix.total));
      const most = shown.every((r) => num(r.mix.tiers[0]!.share) > 0.5);
      expect(newByTierChart(ctxOf('en', null), shown).title).toBe(
        `Each period brought ${count(Math.min(...t), 'en')}–${count(Math.max(...t), 'en')} new customers${most ? ', most of them Ordinary' : ''}`,
      );
    }
  });

  it('omits bars whose total is withheld, never drawing them as zero (branch B023)', () => {
    const rows = consecutiveMixes(report, 'B023', headline().end);
    expect(rows.map((r) => r.mix.total)).toEqual([{ suppressed: 'frequency' }, { suppressed: 'frequency' }, 0]);
    const spec = newByTierChart(ctxOf('zh', 'B023'), rows);
    const svg = renderSvg(spec);
    expect(barRects(svg)).toHaveLength(0);
    expect(texts(svg).filter((t) => t === '< 10')).toHaveLength(2);
    expect(spec.title).toBe('各期新增客户的等级构成');
    expect(spec.notes.join(' ')).toContain('2期的新增合计未公布');
    expect(spec.table.rows.map((r) => r.at(-1)!.text)).toEqual(['< 10', '< 10', '0']);
  });

  it('says so when no period of the scope has a new customer (branch B009)', () => {
    const rows = consecutiveMixes(report, 'B009', headline().end);
    expect(rows.map((r) => r.mix.total)).toEqual([0, 0, 0]);
    const spec = newByTierChart(ctxOf('zh', 'B009'), rows);
    expect(spec.title).toBe('3期均没有新增客户');
    expect(barRects(renderSvg(spec))).toHaveLength(0);
  });

  it('matches the SVG snapshot (zh, whole bank)', async () => {
    const svg = renderSvg(newByTierChart(ctxOf('zh', null), consecutiveMixes(report, null, headline().end)));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/new-by-tier-zh.svg');
  });
});

describe('opened in the period vs re-appearing', () => {
  it('draws the two counts to scale with their shares of all new customers', () => {
    const scope = scopeOf(null);
    const [o, r, total] = [num(scope.newMix.openedInPeriod), num(scope.newMix.reappearing), num(scope.newMix.total)];
    expect(o + r).toBe(total); // every new customer of the fixture has an open_date
    const spec = openedChart(ctxOf('zh', null), scope)!;
    expect(spec.title).toBe(`新增客户中${percent(o / total, 'zh')}为本期新开户，${percent(r / total, 'zh')}为重新出现的老客户`);
    const svg = renderSvg(spec);
    const widths = barRects(svg).map((x) => Number(x.getAttribute('width')));
    expect(widths).toHaveLength(2);
    expect(widths[0]! / widths[1]!).toBeCloseTo(o / r, 3);
    expect(texts(svg)).toContain(`${count(o, 'zh')}户（${percent(o / total, 'zh')}）`);
  });

  it('shows new customers without an open date as what the total leaves', () => {
    const base = scopeOf(null);
    const scope: ScopePeriod = { ...base, newMix: { ...base.newMix, total: 7000, openedInPeriod: 6004, reappearing: 452 } };
    const spec = openedChart(ctxOf('en', null), scope)!;
    expect(barRects(renderSvg(spec)).map((x) => Number(x.getAttribute('width')))).toHaveLength(3);
    expect(spec.table.rows[2]![1]).toMatchObject({ value: 544 });
    expect(spec.title).toBe(`${percent(6004 / 7000, 'en')} of new customers opened their account in the period; ${percent(452 / 7000, 'en')} re-appeared`);
  });

  it('returns null where the split is not published, and writes withheld counts as text (B009, B001)', () => {
    expect(scopeOf('B009').newMix.openedInPeriod).toBeNull();
    expect(openedChart(ctxOf('zh', 'B009'), scopeOf('B009'))).toBeNull();
    const first = report.meta().periods.find((p) => p.consecutive)!;
    const b001 = scopeOf('B001', first);
    expect([b001.newMix.openedInPeriod, b001.newMix.reappearing]).toEqual([{ suppressed: 'secondary' }, { suppressed: 'frequency' }]);
    const spec = openedChart(ctxOf('zh', 'B001', first), b001)!;
    const svg = renderSvg(spec);
    expect(barRects(svg)).toHaveLength(0);
    expect(texts(svg)).toEqual(expect.arrayContaining(['—', '< 10']));
    expect(spec.title).toBe('新增客户：本期新开户与重新出现');
  });

  it('matches the SVG snapshot (en, whole bank)', async () => {
    const svg = renderSvg(openedChart(ctxOf('en', null), scopeOf(null))!);
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/new-opened-en.svg');
  });
});
