import { beforeAll, describe, expect, it } from 'vitest';
import { leagueRows } from '../src/site/league.ts';
import { branchLeagueChart } from '../src/charts/branchLeague.ts';
import { renderSvg } from '../src/charts/render.ts';
import { periodScope, snapshotScope, type Report } from '../src/site/data.ts';
import { percent } from '../src/lib/format.ts';
import { fixtureReport } from './helpers/report.ts';
import { normaliseSvg } from './helpers/svg.ts';

let report: Report;
beforeAll(async () => {
  ({ report } = await fixtureReport());
});

describe('branch league table', () => {
  it('puts the bank first, then every branch by customers, with figures derived from published ones', () => {
    const meta = report.meta();
    const head = meta.periods.find((p) => p.headline)!;
    const rows = leagueRows(report, head.end, head.id, head.start);
    expect(rows[0]!.branch).toBeNull();
    expect(rows.slice(1).map((r) => r.branch).sort()).toEqual(meta.branches.map((b) => b.code).sort());
    const customers = rows.slice(1).map((r) => (typeof r.customers === 'number' ? r.customers : -1));
    expect(customers).toEqual([...customers].sort((a, b) => b - a));
    const end = report.snapshot(head.end);
    const start = report.snapshot(head.start);
    const bankAum = snapshotScope(end, null).aum as number;
    for (const r of rows) {
      const s = snapshotScope(end, r.branch);
      const s0 = snapshotScope(start, r.branch);
      if (typeof s.aum === 'number') expect(r.assetShare).toBeCloseTo(s.aum / bankAum, 12);
      else expect(r.assetShare).toEqual(s.aum);
      if (typeof s.customers === 'number' && typeof s0.customers === 'number') expect(r.netChange).toBe(s.customers - s0.customers);
      else expect(typeof r.netChange).toBe('object');
      expect(r.up).toEqual(periodScope(report.period(head.id), r.branch).pooled.all.gross.up);
    }
    expect(rows[0]!.assetShare).toBe(1);
  });

  it('charts every branch with a published share against the bank line', () => {
    const meta = report.meta();
    const head = meta.periods.find((p) => p.headline)!;
    const rows = leagueRows(report, head.end, head.id, head.start);
    const spec = branchLeagueChart({ lang: 'en', meta, branch: null, period: head, asOf: head.end }, rows);
    const svg = renderSvg(spec);
    const published = rows.slice(1).filter((r) => typeof r.midHighShare === 'number');
    expect((svg.match(/<circle/g) ?? []).length).toBe(published.length);
    const bank = rows[0]!.midHighShare as number;
    const above = published.filter((r) => Math.round((r.midHighShare as number) * 1e4) > Math.round(bank * 1e4)).length;
    expect(spec.title).toBe(`${above} of ${published.length} branches have a larger mid-high share than the bank’s ${percent(bank, 'en')}`);
  });

  it('matches the SVG snapshot (zh)', async () => {
    const meta = report.meta();
    const head = meta.periods.find((p) => p.headline)!;
    const rows = leagueRows(report, head.end, head.id, head.start);
    const svg = renderSvg(branchLeagueChart({ lang: 'zh', meta, branch: null, period: head, asOf: head.end }, rows));
    await expect(normaliseSvg(svg)).toMatchFileSnapshot('./__snapshots__/branch-league-zh.svg');
  });
});
