// What the executive summary says, shared by the summary page, the print page
// (the PDF) and the deck's notes: the headline KPI cards and the generated narrative.
import { periodScope, snapshotScope } from './data.ts';
import { kpisOf, type Kpi } from './kpis.ts';
import { narrative } from './narrative.ts';
import type { PageData } from './page.ts';
import { memo } from './memo.ts';

/** The bank's generated narrative for the page's period. */
export function narrativeOf(page: PageData): string[] {
  const { report, site, route } = page;
  return narrative({
    meta: site.meta,
    lang: route.lang,
    snapshot: snapshotScope(report.snapshot(page.end), null),
    period: page.period ? periodScope(report.period(page.period.id), null) : null,
    asOf: page.end,
    yearStart: page.start ? snapshotScope(report.snapshot(page.start), null) : null,
  });
}

/** Shared by the summary and the print page of each language. */
export function summaryOf(page: PageData): { kpis: Kpi[]; sentences: string[] } {
  const key = JSON.stringify([page.route.lang, page.period?.id ?? null, page.end]);
  return memo(page.report, 'summary', key, () => ({ kpis: kpisOf(page.report, page.route.lang), sentences: narrativeOf(page) }));
}
