// Which charts a scope shows for a period, built once here so the pages and the
// exports (SVG/PNG/CSV, embed pages, the deck and the PDF) cannot drift apart:
// a page lays out what its section returns, an export walks the same list.
import type { ChartSpec } from '../charts/types.ts';
import type { Period } from '../schema/output.ts';
import { periodScope, seriesScope, snapshotScope } from './data.ts';
import type { PageData } from './page.ts';
import { leagueRows } from './league.ts';
import { memo } from './memo.ts';
import { pyramidChart } from '../charts/pyramid.ts';
import { lorenzChart } from '../charts/lorenz.ts';
import { paretoChart } from '../charts/pareto.ts';
import { topSharesChart } from '../charts/topShares.ts';
import { giniTrendChart } from '../charts/giniTrend.ts';
import { transitionHeatmapChart } from '../charts/transitionHeatmap.ts';
import { sankeyChart } from '../charts/sankey.ts';
import { tierBridgeChart } from '../charts/tierBridge.ts';
import { assetBridgeChart } from '../charts/assetBridge.ts';
import { migrationRatesChart, migrationTrendChart } from '../charts/migrationRates.ts';
import { consecutiveMixes, newByTierChart, newMidHighTrendChart, newMixChart, openedChart } from '../charts/newMix.ts';
import { branchLeagueChart } from '../charts/branchLeague.ts';
import { renderSvg } from '../charts/render.ts';

export const SECTIONS = ['pyramid', 'concentration', 'migration', 'new-customers', 'branches'] as const;
export type SectionKey = (typeof SECTIONS)[number];

/**
 * The page's charts of one section, shared with every page that shows the same
 * section for the same language, scope and `when` (the snapshot, or the period):
 * the print page repeats the bank's sections, the summary the pyramid, and the
 * two periods ending on one snapshot (the headline and the last month) show the
 * same snapshot charts. The bank's charts are kept for the whole build (their
 * number grows with the periods only); a branch's only while its pages are being
 * built, as the route table lists them one after another.
 */
const BRANCH_KEEP = 32;
// Keys are JSON: a branch code from the data may hold any character, and must not pass for the bank.
const shared = <T>(page: PageData, section: string, when: string, make: () => T): T =>
  page.branch === null
    ? memo(page.report, section, JSON.stringify([page.route.lang, when]), make)
    : memo(page.report, `${section}@branch`, JSON.stringify([page.route.lang, page.branch, when]), make, BRANCH_KEEP);

// The snapshot sections read the snapshot and the series only (no chart of theirs
// reads ctx.period), so they are keyed by the end date, not the period.
export function pyramidCharts(page: PageData) {
  return shared(page, 'pyramid', page.end, () => {
    const scope = snapshotScope(page.report.snapshot(page.end), page.branch);
    return { aum: pyramidChart(page.ctx, scope, 'aum'), deposits: pyramidChart(page.ctx, scope, 'deposits') };
  });
}

export function concentrationCharts(page: PageData) {
  const { report, ctx } = page;
  return shared(page, 'concentration', page.end, () => {
    const scope = snapshotScope(report.snapshot(page.end), page.branch);
    return {
      lorenz: lorenzChart(ctx, scope),
      paretoAum: paretoChart(ctx, scope, 'aum'),
      paretoDeposits: paretoChart(ctx, scope, 'deposits'),
      topShares: topSharesChart(ctx, scope),
      giniTrend: giniTrendChart(ctx, seriesScope(report.series(), page.branch)),
    };
  });
}

/** null without a period (a single snapshot). */
export function migrationCharts(page: PageData) {
  const { period } = page;
  return period ? shared(page, 'migration', period.id, () => migrationChartsOf(page, period)) : null;
}

function migrationChartsOf(page: PageData, period: Period) {
  const { report, ctx } = page;
  const scope = periodScope(report.period(period.id), page.branch);
  // A tier with no customers at either end has nothing to bridge.
  const none = (x: { start: unknown; end: unknown }) => x.start === 0 && x.end === 0;
  return {
    gross: transitionHeatmapChart(ctx, scope, 'gross'),
    adjusted: transitionHeatmapChart(ctx, scope, 'adjusted'),
    sankey: sankeyChart(ctx, scope),
    bridges: scope.tiers.filter((x) => !none(x)).map((x) => tierBridgeChart(ctx, scope, x.tier)),
    emptyTiers: scope.tiers.filter(none).map((x) => x.tier),
    assets: assetBridgeChart(ctx, scope),
    rates: migrationRatesChart(ctx, scope),
    trend: migrationTrendChart(ctx, seriesScope(report.series(), page.branch)),
  };
}

/** null without a period. `opened` is null when no new customer has an open date. */
export function newCustomerCharts(page: PageData) {
  const { report, ctx, period } = page;
  if (!period) return null;
  return shared(page, 'new-customers', period.id, () => {
    const scope = periodScope(report.period(period.id), page.branch);
    // One row per month up to the end, read from as many period files: the same for both languages.
    const history = memo(report, 'consecutive-mixes', JSON.stringify([page.branch, page.end]), () => consecutiveMixes(report, page.branch, page.end));
    return {
      scope,
      mix: newMixChart(ctx, scope),
      opened: openedChart(ctx, scope),
      midHighTrend: newMidHighTrendChart(ctx, seriesScope(report.series(), page.branch)),
      byTier: newByTierChart(ctx, history),
    };
  });
}

/** The bank-only branch comparison. */
export function branchesCharts(page: PageData) {
  const { report, end, start } = page;
  const id = page.period?.id ?? null;
  return shared(page, 'branches', JSON.stringify(id), () => {
    // The rows are figures, not text: one table per period for both languages.
    const rows = memo(report, 'league', JSON.stringify([end, id, start]), () => leagueRows(report, end, id, start));
    return { rows, league: branchLeagueChart(page.ctx, rows) };
  });
}

/** A chart's SVG, drawn once per spec: pages that share a section's charts share the drawings too. */
export const chartSvg = (spec: ChartSpec): string => memo(spec, 'svg', '', () => renderSvg(spec));

/** Every chart of one section, in page order. */
export function sectionCharts(page: PageData, section: SectionKey): ChartSpec[] {
  switch (section) {
    case 'pyramid':
      return Object.values(pyramidCharts(page));
    case 'concentration':
      return Object.values(concentrationCharts(page));
    case 'migration': {
      const m = migrationCharts(page);
      return m ? [m.gross, m.adjusted, m.sankey, ...m.bridges, m.assets, m.rates, m.trend] : [];
    }
    case 'new-customers': {
      const n = newCustomerCharts(page);
      return n ? [n.mix, ...(n.opened ? [n.opened] : []), n.midHighTrend, n.byTier] : [];
    }
    case 'branches':
      return page.branch === null ? [branchesCharts(page).league] : [];
  }
}

/** Every chart the site shows for the page's scope and period: what gets exported. */
export function scopeCharts(page: PageData): { section: SectionKey; spec: ChartSpec }[] {
  return SECTIONS.flatMap((section) => sectionCharts(page, section).map((spec) => ({ section, spec })));
}
