// What the executive summary says, shared by the summary page and the print
// page (the PDF): the headline KPI cards and the generated narrative.
import { periodScope, snapshotScope } from './data.ts';
import { kpisOf, type Kpi } from './kpis.ts';
import { narrative } from './narrative.ts';
import type { PageData } from './page.ts';
import type { ScopeSnapshot } from '../schema/output.ts';

export function summaryOf(page: PageData): { kpis: Kpi[]; sentences: string[]; snapshot: ScopeSnapshot } {
  const { report, site, route } = page;
  const snapshot = snapshotScope(report.snapshot(page.end), null);
  const head = page.period ? periodScope(report.period(page.period.id), null) : null;
  const sentences = narrative({
    meta: site.meta,
    lang: route.lang,
    snapshot,
    period: head,
    asOf: page.end,
    yearStart: page.start ? snapshotScope(report.snapshot(page.start), null) : null,
  });
  return { kpis: kpisOf(report, route.lang), sentences, snapshot };
}
