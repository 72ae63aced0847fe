import { beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { pyramidChart } from '../src/charts/pyramid.ts';
import { renderSvg } from '../src/charts/render.ts';
import type { ChartContext } from '../src/charts/types.ts';
import { snapshotScope, type Report } from '../src/site/data.ts';
import type { Lang } from '../src/lib/format.ts';
import { fixtureReport } from './helpers/report.ts';
import { normaliseSvg } from './helpers/svg.ts';

let report: Report;
beforeAll(async () => {
  ({ report } = await fixtureReport());
});

const ctxOf = (lang: Lang, branch: string | null): ChartContext => {
  const meta = report.meta();
  return { lang, meta, branch, period: null, asOf: meta.snapshots.at(-1)! };
};

describe('pyramid chart', () => {
  it('draws one bar per published tier on each side, with the JSON shares as lengths', () => {
    const ctx = ctxOf('en', null);
    const scope = snapshotScope(report.snapshot(ctx.asOf), null);
    const spec = pyramidChart(ctx, scope, 'aum');
    const svg = renderSvg(spec);
    const { document } = parseHTML(`<div>${svg}</div>`);
    const groups = [...document.querySelectorAll('g[aria-label="bar"]')];
    expect(groups).toHaveLength(2);
    const widths = (g: Element) => [...g.querySelectorAll('rect')].map((r) => Number(r.getAttribute('width')));
    const left = widths(groups[0]!);
    const right = widths(groups[1]!);
    const shares = scope.tiers.map((t) => t.nShare as number);
    const aumShares = scope.tiers.map((t) => t.aumShare as number);
    expect(left).toHaveLength(5);
    expect(right).toHaveLength(5);
    // Bar length is proportional to the share: the ratio of widths equals the ratio of shares.
    for (let i = 1; i < 5; i++) {
      expect(left[i]! / left[0]!).toBeCloseTo(shares[i]! / shares[0]!, 2);
      expect(right[i]! / right[0]!).toBeCloseTo(aumShares[i]! / aumShares[0]!, 2);
    }
    // The bank's pyramid is inverted: ordinary holds most customers, the mid-high tiers most assets.
    expect(spec.title).toMatch(/^Mid-high customers are \d+\.\d\d% of customers but hold \d+\.\d\d% of assets$/);
  });

  it('shows withheld shares as "—" and explains why, never as a zero-length bar', () => {
    const meta = report.meta();
    const date = meta.snapshots.at(-1)!;
    const file = report.snapshot(date);
    const small = file.scopes.find((s) => s.branch !== null && s.tiers.some((t) => typeof t.nShare === 'object'));
    expect(small, 'the fixture has a branch with a withheld tier share').toBeDefined();
    const spec = pyramidChart(ctxOf('zh', small!.branch), small!, 'aum');
    const svg = renderSvg(spec);
    const withheld = small!.tiers.filter((t) => typeof t.nShare === 'object').length;
    const { document } = parseHTML(`<div>${svg}</div>`);
    const leftBars = document.querySelectorAll('g[aria-label="bar"]')[0]!.querySelectorAll('rect');
    expect(leftBars.length).toBe(5 - withheld);
    expect(svg.match(/>—</g)?.length ?? 0).toBeGreaterThanOrEqual(withheld);
    expect(spec.notes.join(' ')).toContain('为保护客户隐私');
    const tableCells = spec.table.rows.flat().filter((c) => c.suppressed);
    expect(tableCells.length).toBeGreaterThan(0);
    for (const c of tableCells) expect(c.value).toBeNull();
  });

  it('matches the SVG snapshot (zh, whole bank)', async () => {
    const ctx = ctxOf('zh', null);
    const spec = pyramidChart(ctx, snapshotScope(report.snapshot(ctx.asOf), null), 'deposits');
    await expect(normaliseSvg(renderSvg(spec))).toMatchFileSnapshot('./__snapshots__/pyramid-deposits-zh.svg');
  });
});
