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
          lost: lostTotal(sc, startSnap.customers),
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

/**
 * Lost customers of all tiers: the sum of the tiers' counts where all are published,
 * else the pooled loss rate × customers at start where both are. The pooled count
 * behind that rate is itself a published cell of the registry, so this recovers
 * nothing withheld; the product is within rounding of that integer.
 */
function lostTotal(sc: PeriodFile['scopes'][number], startCustomers: PeriodFile['scopes'][number]['tiers'][number]['start']): SeriesFile['scopes'][number]['periods'][number]['lost'] {
  if (sc.tiers.every((t) => typeof t.lost === 'number')) return sc.tiers.reduce((a, t) => a + (t.lost as number), 0);
  const rate = sc.pooled.all.gross.loss;
  if (typeof rate === 'number' && typeof startCustomers === 'number') return Math.round(rate * startCustomers);
  if (typeof rate === 'object' && rate !== null) return rate;
  if (typeof startCustomers === 'object') return startCustomers;
  return { suppressed: 'secondary' };
}
