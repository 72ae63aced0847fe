// Snapshot tables: per scope, tiers × {n, aum, deposits} with sub-bands, the
// mid-high group and the total; every branch cell also adds up to the bank's.
import type { SnapshotCell } from '../../engine/types.ts';
import type { Config } from '../config.ts';
import type { Disclosure } from '../disclosure.ts';
import { BANK, branchScope } from '../periods.ts';
import { contributionIndex, snapshotStats, type Figures, type SnapshotStats } from '../snapshotStats.ts';
import { midHighFromIndex } from '../tiers.ts';
import { bandsOf } from '../config.ts';
import type { Concentration, ScopeSnapshot, SnapshotFile } from '../../schema/output.ts';
import { importanceOf, snapId, type Measure, type Registry } from './registry.ts';

const MEASURES: Measure[] = ['n', 'aum', 'deposits'];

/** Parts of a scope's snapshot table, by id part: tier keys, sub-band keys, "midhigh", "total". */
export interface SnapshotParts {
  tiers: string[];
  /** Sub-band keys per tier index (empty where the tier has none). */
  bands: string[][];
}

export function snapshotParts(config: Config): SnapshotParts {
  const bands = bandsOf(config);
  return {
    tiers: config.tiers.map((t) => t.key),
    bands: config.tiers.map((_, ti) => bands.filter((b) => b.tierIndex === ti && b.isSubBand).map((b) => b.key)),
  };
}

/** Register one snapshot's cells and lines for every scope; returns each scope's stats for later use. */
export function registerSnapshot(
  reg: Registry,
  config: Config,
  date: string,
  cells: readonly SnapshotCell[],
  branches: readonly string[],
): Map<string | null, SnapshotStats> {
  const parts = snapshotParts(config);
  const allBands = bandsOf(config);
  const from = midHighFromIndex(config);
  const stats = new Map<string | null, SnapshotStats>();
  const scopes: (string | null)[] = [null, ...branches];
  for (const branch of scopes) {
    const s = snapshotStats(cells, config, branch === null ? BANK : branchScope(branch));
    stats.set(branch, s);
    const put = (part: string, f: Figures, kind: 'total' | 'tier' | 'band') => {
      const importance = importanceOf(kind, branch);
      for (const m of MEASURES) reg.add(snapId(date, branch, part, m), f[m], { importance });
    };
    s.tiers.forEach((f, t) => put(parts.tiers[t]!, f, 'tier'));
    s.bands.forEach((f, b) => {
      if (allBands[b]!.isSubBand) put(allBands[b]!.key, f, 'band');
    });
    put('midhigh', s.midHigh, 'total');
    put('total', s.total, 'total');
    for (const m of MEASURES) {
      const id = (part: string) => snapId(date, branch, part, m);
      reg.line(id('total'), parts.tiers.map(id));
      reg.line(id('midhigh'), parts.tiers.slice(from).map(id));
      parts.bands.forEach((bands, t) => reg.line(id(parts.tiers[t]!), bands.map(id)));
    }
  }
  // Branch figures add up to the bank's: the column lines of the branch × tier grid.
  for (const part of [...parts.tiers, ...parts.bands.flat(), 'midhigh', 'total'])
    for (const m of MEASURES)
      reg.line(
        snapId(date, null, part, m),
        branches.map((b) => snapId(date, b, part, m)),
      );
  return stats;
}

function amounts(d: Disclosure, date: string, branch: string | null, part: string) {
  const id = (p: string, m: Measure) => snapId(date, branch, p, m);
  return {
    n: d.value(id(part, 'n')),
    aum: d.value(id(part, 'aum')),
    deposits: d.value(id(part, 'deposits')),
    nShare: d.ratio(id(part, 'n'), id('total', 'n')),
    aumShare: d.ratio(id(part, 'aum'), id('total', 'aum')),
    depositsShare: d.ratio(id(part, 'deposits'), id('total', 'deposits')),
    avgAum: d.ratio(id(part, 'aum'), id(part, 'n')),
    avgDeposits: d.ratio(id(part, 'deposits'), id(part, 'n')),
  };
}

export function emitScopeSnapshot(
  d: Disclosure,
  config: Config,
  date: string,
  branch: string | null,
  concentration: { aum: Concentration; deposits: Concentration },
): ScopeSnapshot {
  const parts = snapshotParts(config);
  const id = (p: string, m: Measure) => snapId(date, branch, p, m);
  return {
    branch,
    customers: d.value(id('total', 'n')),
    aum: d.value(id('total', 'aum')),
    deposits: d.value(id('total', 'deposits')),
    avgAum: d.ratio(id('total', 'aum'), id('total', 'n')),
    avgDeposits: d.ratio(id('total', 'deposits'), id('total', 'n')),
    tiers: parts.tiers.map((tier, t) => ({
      tier,
      ...amounts(d, date, branch, tier),
      contributionIndex: d.derive([id(tier, 'aum'), id(tier, 'n'), id('total', 'aum'), id('total', 'n')], (a, n, A, N) =>
        contributionIndex(n === 0 ? null : a / n, N === 0 ? null : A / N),
      ),
      subBands: parts.bands[t]!.map((band) => ({ band, ...amounts(d, date, branch, band) })),
    })),
    midHigh: amounts(d, date, branch, 'midhigh'),
    concentration,
  };
}

export function emitSnapshotFile(
  d: Disclosure,
  config: Config,
  date: string,
  branches: readonly string[],
  concentration: { bank: { aum: Concentration; deposits: Concentration }; branches: Map<string, { aum: Concentration; deposits: Concentration }> },
): SnapshotFile {
  return {
    date,
    scopes: [
      emitScopeSnapshot(d, config, date, null, concentration.bank),
      ...branches.map((b) => {
        const c = concentration.branches.get(b);
        if (!c) throw new Error(`no concentration for branch ${b} at ${date}`);
        return emitScopeSnapshot(d, config, date, b, c);
      }),
    ],
  };
}
