// Concentration figures of every scope of one snapshot, already reduced to what
// may be published (the sorted amounts never leave the snapshot stage).
import type { SortedAmounts } from '../../engine/types.ts';
import { concentrationOf as exactConcentration, publishableConcentration, type Guarded } from '../concentration.ts';
import type { Concentration } from '../../schema/output.ts';

export interface ScopeConcentrations {
  bank: Concentration;
  branches: Map<string, Concentration>;
}

/** Withheld for size → suppressed (the frequency rule applied to derived figures); undefined → null. */
function ratio(g: Guarded<number>): Concentration['gini'] {
  if (g.withheld === null) return g.value;
  return g.withheld === 'small-group' || g.withheld === 'small-segment' ? { suppressed: 'frequency' } : null;
}

export function publishedConcentration(sorted: Float64Array, minCell: number): Concentration {
  const c = publishableConcentration(exactConcentration(sorted), minCell);
  const top = new Map(c.topShares.map((t) => [t.percent, ratio(t.share)]));
  const points = [...c.lorenz, ...(c.top1Point ? [c.top1Point] : [])]
    .filter((pt) => pt.share.withheld === null)
    .map((pt) => ({ p: pt.p, share: pt.share.value as number }))
    .sort((a, b) => a.p - b.p)
    .filter((pt, i, all) => i === 0 || pt.p !== all[i - 1]!.p);
  const withheld = c.n < minCell ? 'too_few_customers' : c.total === 0 ? 'zero_total' : null;
  return {
    withheld,
    gini: ratio(c.gini),
    top1: top.get(1) ?? null,
    top5: top.get(5) ?? null,
    top10: top.get(10) ?? null,
    top20: top.get(20) ?? null,
    point80: c.point80.withheld === null ? c.point80.value.customerShare : ratio({ value: null, withheld: c.point80.withheld }),
    lorenz: points,
  };
}

export function concentrationOf(sorted: SortedAmounts, minCell: number): ScopeConcentrations {
  const branches = new Map<string, Concentration>();
  for (const [code, xs] of sorted.branches) branches.set(code, publishedConcentration(xs, minCell));
  return { bank: publishedConcentration(sorted.bank, minCell), branches };
}

/** Figures withheld by the size rules, for the suppression counts of the manifest. */
export function withheldCount(c: Concentration): number {
  const figs = [c.gini, c.top1, c.top5, c.top10, c.top20, c.point80];
  return figs.filter((f) => f !== null && typeof f === 'object').length;
}
