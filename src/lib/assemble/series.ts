// Trends for the site, read off the already disclosure-controlled files, so a
// trend can never show what a snapshot or period file withholds.
import type { PeriodFile, SeriesFile, SnapshotFile } from '../../schema/output.ts';

export function buildSeries(branches: readonly (string | null)[], snapshots: readonly SnapshotFile[], periods: readonly PeriodFile[]): SeriesFile {
  const consecutive = periods.filter((p) => p.consecutive);
  return {
    scopes: branches.map((branch) => ({
      branch,
      snapshots: snapshots.map((s) => {
        const sc = s.scopes.find((x) => x.branch === branch)!;
        return {
          date: s.date,
          customers: sc.customers,
          aum: sc.aum,
          deposits: sc.deposits,
          midHighN: sc.midHigh.n,
          midHighShare: sc.midHigh.nShare,
          midHighAumShare: sc.midHigh.aumShare,
          midHighDepositsShare: sc.midHigh.depositsShare,
          giniAum: sc.concentration.aum.gini,
          giniDeposits: sc.concentration.deposits.gini,
          top1Aum: sc.concentration.aum.top1,
          point80Aum: sc.concentration.aum.point80,
        };
      }),
      periods: consecutive.map((p) => {
        const sc = p.scopes.find((x) => x.branch === branch)!;
        const endSnap = snapshots.find((s) => s.date === p.end)!.scopes.find((x) => x.branch === branch)!;
        const startSnap = snapshots.find((s) => s.date === p.start)!.scopes.find((x) => x.branch === branch)!;
        // Net change is published only where both counts are; otherwise it carries the withheld one's reason.
        const net = typeof endSnap.customers !== 'number' ? endSnap.customers : typeof startSnap.customers !== 'number' ? startSnap.customers : endSnap.customers - startSnap.customers;
        return {
          id: p.id,
          start: p.start,
          end: p.end,
          netChange: net,
          new: sc.newMix.total,
          lost: lostTotal(sc),
          up: sc.pooled.all.gross.up,
          down: sc.pooled.all.gross.down,
          loss: sc.pooled.all.gross.loss,
          midHighUp: sc.pooled.midHigh.gross.up,
          midHighDown: sc.pooled.midHigh.gross.down,
          mobility: sc.mobility,
          newMidHighShare: sc.newMix.midHighShare,
          stockMidHighShare: sc.newMix.stockMidHighShare,
        };
      }),
    })),
  };
}

/** Lost customers of all tiers: published only when every tier's count is. */
function lostTotal(sc: PeriodFile['scopes'][number]): SeriesFile['scopes'][number]['periods'][number]['lost'] {
  let total = 0;
  for (const t of sc.tiers) {
    if (typeof t.lost !== 'number') return { suppressed: 'secondary' };
    total += t.lost;
  }
  return total;
}
