// The branch league table: one row per branch for a period, with the bank as the
// reference row. The asset share is the branch's assets ÷ the bank's, and the net
// change end − start customers: both are derived from published figures only, so
// they are withheld whenever an input is.
import type { Fig, Ratio } from '../schema/output.ts';
import type { Report } from './data.ts';
import { periodScope, snapshotScope } from './data.ts';
import { valueOf } from '../lib/format.ts';

export interface LeagueRow {
  branch: string | null;
  customers: Fig;
  midHighShare: Ratio;
  assetShare: Ratio;
  netChange: Fig | null;
  up: Ratio;
  down: Ratio;
}

const derived = (v: number | null, from: (Fig | Ratio)[]): Fig => {
  if (v !== null) return v;
  const hidden = from.find((f) => typeof f === 'object' && f !== null);
  return (hidden as { suppressed: 'frequency' | 'dominance' | 'secondary' } | undefined) ?? { suppressed: 'secondary' };
};

/** Rows for the bank (first) and every branch, by customers descending then code. */
export function leagueRows(report: Report, end: string, periodId: string | null, start: string | null): LeagueRow[] {
  const meta = report.meta();
  const endFile = report.snapshot(end);
  const startFile = start === null ? null : report.snapshot(start);
  const periodFile = periodId === null ? null : report.period(periodId);
  const bankAum = valueOf(snapshotScope(endFile, null).aum);
  const row = (branch: string | null): LeagueRow => {
    const s = snapshotScope(endFile, branch);
    const aum = valueOf(s.aum);
    const assetShare = derived(aum !== null && bankAum !== null && bankAum !== 0 ? aum / bankAum : null, [s.aum]);
    let netChange: Fig | null = null;
    if (startFile) {
      const s0 = snapshotScope(startFile, branch);
      const a = valueOf(s.customers);
      const b = valueOf(s0.customers);
      netChange = derived(a !== null && b !== null ? a - b : null, [s.customers, s0.customers]);
    }
    const p = periodFile ? periodScope(periodFile, branch) : null;
    return {
      branch,
      customers: s.customers,
      midHighShare: s.midHigh.nShare,
      assetShare,
      netChange,
      up: p ? p.pooled.all.gross.up : null,
      down: p ? p.pooled.all.gross.down : null,
    };
  };
  const branches = meta.branches.map((b) => row(b.code));
  branches.sort((a, b) => (valueOf(b.customers) ?? -1) - (valueOf(a.customers) ?? -1) || ((a.branch ?? '') < (b.branch ?? '') ? -1 : 1));
  return [row(null), ...branches];
}
