// What a page needs to render: its route resolved against the report (period,
// snapshot dates, scope) and a chart context for its charts.
import type { Period } from '../schema/output.ts';
import type { ChartContext } from '../charts/types.ts';
import { reportAt, type Report } from './data.ts';
import { routesOf, siteOf, type Route, type Site } from './routes.ts';
import { memo } from './memo.ts';

export interface PageData {
  route: Route;
  site: Site;
  report: Report;
  period: Period | null;
  /** The snapshot the page is as of: the period's end, or the only snapshot. */
  end: string;
  /** The period's start snapshot, or null. */
  start: string | null;
  branch: string | null;
  ctx: ChartContext;
}

let built: { report: Report; site: Site; routes: Route[] } | null = null;

/** The report, the site and its route table: made once per build, shared by every page. */
export function siteData(): { report: Report; site: Site; routes: Route[] } {
  if (!built) {
    const report = reportAt();
    const site = siteOf(report.meta());
    built = { report, site, routes: routesOf(site) };
  }
  return built;
}

export function pageData(route: Route, report: Report = siteData().report, site: Site = siteData().site): PageData {
  const meta = site.meta;
  const period = route.period === null ? null : (meta.periods.find((p) => p.id === route.period) ?? null);
  const latest = meta.snapshots.at(-1);
  if (latest === undefined) throw new Error('the report has no snapshots');
  const end = period?.end ?? latest;
  return {
    route,
    site,
    report,
    period,
    end,
    start: period?.start ?? null,
    branch: route.branch,
    ctx: { lang: route.lang, meta, branch: route.branch, period, asOf: end },
  };
}

/** The period selector's list, the headline first, then newest first: the same on every page. */
export const periodMenu = (site: Site): Period[] =>
  memo(site, 'period-menu', '', () =>
    [...site.meta.periods].sort((a, b) => Number(b.headline) - Number(a.headline) || (a.end < b.end ? 1 : a.end > b.end ? -1 : 0)),
  );

/**
 * Heading levels for a section component: its sub-headings sit under the page's
 * <h1>, or under the branch and print pages' section <h2>; chart titles one level below.
 */
export function headingLevels(page: PageData): { sub: 'h2' | 'h3'; chart: 3 | 4 } {
  return page.route.kind === 'branch' || page.route.kind === 'print' ? { sub: 'h3', chart: 4 } : { sub: 'h2', chart: 3 };
}
