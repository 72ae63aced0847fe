// Per-page repeated work must not come back: over every route of the fixture
// report, each value that depends on the report and not on the page (a JSON file,
// a league table, a new-customer history, the summary, a section's charts for one
// language, scope and snapshot or period) is computed once, however many pages
// show it. Each page kind asks the catalog for what its component does
// (src/components/pages/*.astro).
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureReport } from './helpers/report.ts';
import type { Report } from '../src/site/data.ts';
import { routesOf, siteOf, type Route, type Site } from '../src/site/routes.ts';
import { pageData, periodMenu, type PageData } from '../src/site/page.ts';
import { branchesCharts, chartSvg, concentrationCharts, migrationCharts, newCustomerCharts, pyramidCharts } from '../src/site/catalog.ts';
import { summaryOf } from '../src/site/summary.ts';
import { computeCounts, memo } from '../src/site/memo.ts';

let report: Report;
let site: Site;
let routes: Route[];
let start: Map<string, number>;
beforeAll(async () => {
  start = counts();
  ({ report } = await fixtureReport());
  site = siteOf(report.meta());
  routes = routesOf(site);
});

function pageNeeds(page: PageData): void {
  const { kind } = page.route;
  if (!['summary', 'methodology', 'print'].includes(kind)) periodMenu(page.site);
  if (kind === 'summary' || kind === 'print') summaryOf(page);
  if (['summary', 'pyramid', 'branch', 'print'].includes(kind)) pyramidCharts(page);
  if (['concentration', 'branch', 'print'].includes(kind)) concentrationCharts(page);
  if (['migration', 'branch', 'print'].includes(kind)) migrationCharts(page);
  if (['new-customers', 'branch', 'print'].includes(kind)) newCustomerCharts(page);
  if (kind === 'branches' || kind === 'print') branchesCharts(page);
  if (kind === 'methodology' || kind === 'print') {
    page.report.quality();
    page.report.manifest();
  }
}

function counts() {
  return new Map(computeCounts);
}
const delta = (before: Map<string, number>, kind: string) => (computeCounts.get(kind) ?? 0) - (before.get(kind) ?? 0);

describe('site-level work is done once per build', () => {
  it('computes every shared value once over all routes, whatever the number of pages or languages', () => {
    const meta = report.meta();
    const before = counts();
    for (const route of routes) pageNeeds(pageData(route, report, site));

    const periods = meta.periods.length;
    const ends = new Set(meta.periods.map((p) => p.end)).size;
    const branches = meta.branches.length;
    expect(periods).toBeGreaterThan(ends); // the headline and the last month end on the same snapshot
    expect(routes.length).toBeGreaterThan(2 * branches * periods);

    // meta (read for the route table), manifest, quality, series, every snapshot and period: each parsed once.
    expect(delta(start, 'json')).toBe(4 + meta.snapshots.length + meta.periods.length);
    expect(delta(before, 'period-menu')).toBe(1);
    // Figures without text: one per period (or scope and end), shared by both languages.
    expect(delta(before, 'league')).toBe(periods);
    expect(delta(before, 'consecutive-mixes')).toBe((1 + branches) * ends);
    // Text: once per language.
    expect(delta(before, 'summary')).toBe(2);
    expect(delta(before, 'pyramid')).toBe(2 * ends);
    expect(delta(before, 'concentration')).toBe(2 * ends);
    expect(delta(before, 'migration')).toBe(2 * periods);
    expect(delta(before, 'new-customers')).toBe(2 * periods);
    expect(delta(before, 'branches')).toBe(2 * periods);
    expect(delta(before, 'pyramid@branch')).toBe(2 * branches * ends);
    expect(delta(before, 'concentration@branch')).toBe(2 * branches * ends);
    expect(delta(before, 'migration@branch')).toBe(2 * branches * periods);
    expect(delta(before, 'new-customers@branch')).toBe(2 * branches * periods);

    // The bank's and the site's values stay for the whole build: going over every
    // page but the branches' again computes nothing.
    const again = counts();
    for (const route of routes.filter((r) => r.kind !== 'branch')) pageNeeds(pageData(route, report, site));
    expect(counts()).toEqual(again);
  });

  it('hands pages that show the same charts the same objects, and draws each chart once', () => {
    const page = (kind: Route['kind'], period: string | null, lang: Route['lang'] = 'en', branch: string | null = null) =>
      pageData(routes.find((r) => r.kind === kind && r.period === period && r.lang === lang && r.branch === branch)!, report, site);
    const meta = report.meta();
    const head = meta.periods.find((p) => p.headline)!;
    const lastMonth = meta.periods.find((p) => p.consecutive && p.end === head.end)!;
    const branch = meta.branches[0]!.code;

    expect(pyramidCharts(page('print', head.id))).toBe(pyramidCharts(page('pyramid', head.id)));
    expect(pyramidCharts(page('summary', head.id))).toBe(pyramidCharts(page('pyramid', head.id)));
    expect(migrationCharts(page('print', head.id))).toBe(migrationCharts(page('migration', head.id)));
    expect(concentrationCharts(page('concentration', lastMonth.id))).toBe(concentrationCharts(page('concentration', head.id)));
    expect(concentrationCharts(page('branch', lastMonth.id, 'zh', branch))).toBe(concentrationCharts(page('branch', head.id, 'zh', branch)));
    expect(summaryOf(page('print', head.id))).toBe(summaryOf(page('summary', head.id)));
    // Never across languages or scopes.
    expect(pyramidCharts(page('pyramid', head.id, 'zh'))).not.toBe(pyramidCharts(page('pyramid', head.id, 'en')));
    expect(pyramidCharts(page('branch', head.id, 'en', branch))).not.toBe(pyramidCharts(page('pyramid', head.id, 'en')));
    // The league rows are figures: one table for both languages.
    expect(branchesCharts(page('branches', head.id, 'zh')).rows).toBe(branchesCharts(page('branches', head.id, 'en')).rows);

    const spec = pyramidCharts(page('pyramid', head.id)).aum;
    const before = counts();
    const svg = chartSvg(spec);
    expect(chartSvg(pyramidCharts(page('print', head.id)).aum)).toBe(svg);
    expect(delta(before, 'svg')).toBe(1);
  });

  it('keeps at most `keep` values of a kind, dropping the least recently used', () => {
    const owner = {};
    const made: string[] = [];
    const get = (key: string) => memo(owner, 'lru-test', key, () => (made.push(key), key.toUpperCase()), 2);
    expect([get('a'), get('b'), get('a'), get('c')]).toEqual(['A', 'B', 'A', 'C']);
    // b was the least recently used when c came: it is made again, a is not.
    get('a');
    get('b');
    expect(made).toEqual(['a', 'b', 'c', 'b']);
  });
});
