// Customer flows of one period and scope (docs/metrics.md "Flows between two snapshots"): the transition
// matrix, the tier bridge, the asset bridge, and migration rates over counts.
import type { FlowCell } from '../engine/types.ts';
import { countCell, sumCells, type Cell } from './cell.ts';
import type { Config } from './config.ts';
import type { Scope } from './periods.ts';
import { midHighFromIndex } from './tiers.ts';

/** What a flow cell is to a scope; null when its customers never belong to it. */
export type FlowRole = 'retained' | 'new' | 'lost' | 'transferIn' | 'transferOut';

export function flowRole(c: FlowCell, scope: Scope): FlowRole | null {
  if (c.startTier === null && c.endTier === null) throw new RangeError('flow cell with neither a start nor an end tier');
  if ((c.startTier === null) !== (c.startBranch === null) || (c.endTier === null) !== (c.endBranch === null))
    throw new RangeError('flow cell branch must be null exactly on the side where the customer is absent');
  if (c.startTier === null) return scope.kind === 'bank' || c.endBranch === scope.branch ? 'new' : null;
  if (c.endTier === null) return scope.kind === 'bank' || c.startBranch === scope.branch ? 'lost' : null;
  // The bank scope has no transfers: a customer in both snapshots is retained wherever it banks.
  if (scope.kind === 'bank') return 'retained';
  const fromHere = c.startBranch === scope.branch;
  const toHere = c.endBranch === scope.branch;
  return fromHere && toHere ? 'retained' : fromHere ? 'transferOut' : toHere ? 'transferIn' : null;
}

/** Count terms of the tier bridge: start + new + inUp + inDown − outUp − outDown − lost + transferIn − transferOut = end. */
export interface TierBridge {
  start: Cell;
  new: Cell;
  /** Retained customers arriving from a lower tier. */
  inUp: Cell;
  /** … from a higher tier. */
  inDown: Cell;
  /** Retained customers leaving for a higher tier. */
  outUp: Cell;
  outDown: Cell;
  lost: Cell;
  transferIn: Cell;
  transferOut: Cell;
  end: Cell;
}

/** start − lost + new + change + transferIn − transferOut = end, in fen. */
export interface AssetBridge {
  start: Cell;
  /** Lost customers' aum at start. */
  lost: Cell;
  /** New customers' aum at end. */
  new: Cell;
  /** aum_end − aum_start of retained (not transferred) customers; kind 'change'. */
  change: Cell;
  /** Transferred-in customers' aum at end (0 at bank scope). */
  transferIn: Cell;
  /** Transferred-out customers' aum at start (0 at bank scope). */
  transferOut: Cell;
  end: Cell;
  /** The same terms split by tier: start tier for lost, change and transferOut; end tier for new and transferIn. */
  byTier: { lost: Cell[]; new: Cell[]; change: Cell[]; transferIn: Cell[]; transferOut: Cell[] };
}

export interface ScopeFlows {
  /** False at bank scope, where transfer terms are structurally 0. */
  transfers: boolean;
  /** matrix[a][b]: retained, not transferred, tier a at start and b at end. */
  matrix: Cell[][];
  /** By end tier. */
  new: Cell[];
  /** By start tier. */
  lost: Cell[];
  /** By end tier. */
  transferIn: Cell[];
  /** By start tier. */
  transferOut: Cell[];
  /** Scope customers per tier at start and end; equal to the snapshots' counts. */
  start: Cell[];
  end: Cell[];
  bridge: TierBridge[];
  assets: AssetBridge;
}

const amountCell = (value: number, n: number, top: FlowCell['aumStartTop']): Cell => ({ value, n, top, absTotal: value, kind: 'amount' });

export function scopeFlows(cells: readonly FlowCell[], tierCount: number, scope: Scope): ScopeFlows {
  const tiers = Array.from({ length: tierCount }, (_, i) => i);
  const lists = () => tiers.map((): FlowCell[] => []);
  const matrix = tiers.map(lists);
  const groups = { new: lists(), lost: lists(), transferIn: lists(), transferOut: lists() };
  const tier = (t: number | null): number => {
    if (t === null || !Number.isInteger(t) || t < 0 || t >= tierCount) throw new RangeError(`flow cell tier ${t} is outside 0..${tierCount - 1}`);
    return t;
  };
  for (const c of cells) {
    const role = flowRole(c, scope);
    if (role === 'retained') matrix[tier(c.startTier)]?.[tier(c.endTier)]?.push(c);
    else if (role === 'new' || role === 'transferIn') groups[role][tier(c.endTier)]?.push(c);
    else if (role === 'lost' || role === 'transferOut') groups[role][tier(c.startTier)]?.push(c);
  }

  const counts = (list: readonly FlowCell[]): Cell => sumCells('count', list.map((c) => countCell(c.n)));
  const atStart = (list: readonly FlowCell[]): Cell => sumCells('amount', list.map((c) => amountCell(c.aumStart, c.n, c.aumStartTop)));
  const atEnd = (list: readonly FlowCell[]): Cell => sumCells('amount', list.map((c) => amountCell(c.aumEnd, c.n, c.aumEndTop)));
  const changes = (list: readonly FlowCell[]): Cell =>
    sumCells('change', list.map((c) => ({ value: c.aumEnd - c.aumStart, n: c.n, top: c.deltaAbsTop, absTotal: c.deltaAbsSum, kind: 'change' })));

  const M = matrix.map((lists) => lists.map(counts));
  const cell = (a: number, b: number): Cell => (M[a] as Cell[])[b] as Cell;
  const newC = groups.new.map(counts);
  const lostC = groups.lost.map(counts);
  const inC = groups.transferIn.map(counts);
  const outC = groups.transferOut.map(counts);
  const at = (list: Cell[], t: number): Cell => list[t] as Cell;

  const row = (a: number, keep: (b: number) => boolean): Cell => sumCells('count', tiers.filter(keep).map((b) => cell(a, b)));
  const column = (b: number, keep: (a: number) => boolean): Cell => sumCells('count', tiers.filter(keep).map((a) => cell(a, b)));
  const start = tiers.map((t) => sumCells('count', [row(t, () => true), at(lostC, t), at(outC, t)]));
  const end = tiers.map((t) => sumCells('count', [column(t, () => true), at(newC, t), at(inC, t)]));
  const bridge = tiers.map((t) => ({
    start: at(start, t),
    new: at(newC, t),
    inUp: column(t, (a) => a < t),
    inDown: column(t, (a) => a > t),
    outUp: row(t, (b) => b > t),
    outDown: row(t, (b) => b < t),
    lost: at(lostC, t),
    transferIn: at(inC, t),
    transferOut: at(outC, t),
    end: at(end, t),
  }));

  const retainedByStart = matrix.map((lists) => lists.flat());
  const retainedAll = retainedByStart.flat();
  const byTier = {
    lost: groups.lost.map(atStart),
    new: groups.new.map(atEnd),
    change: retainedByStart.map(changes),
    transferIn: groups.transferIn.map(atEnd),
    transferOut: groups.transferOut.map(atStart),
  };
  const assets: AssetBridge = {
    start: atStart([...retainedAll, ...groups.lost.flat(), ...groups.transferOut.flat()]),
    lost: sumCells('amount', byTier.lost),
    new: sumCells('amount', byTier.new),
    change: sumCells('change', byTier.change),
    transferIn: sumCells('amount', byTier.transferIn),
    transferOut: sumCells('amount', byTier.transferOut),
    end: atEnd([...retainedAll, ...groups.new.flat(), ...groups.transferIn.flat()]),
    byTier,
  };

  return { transfers: scope.kind === 'branch', matrix: M, new: newC, lost: lostC, transferIn: inC, transferOut: outC, start, end, bridge, assets };
}

/** Net change of a tier: end − start. Not "new" (新增), which the seed conflated with it. */
export const netChange = (b: TierBridge): number => b.end.value - b.start.value;

// ——— Rates ————————————————————————————————————————————————————————————————

/** The counts behind one tier's (or a pool's) migration rates. */
export interface MigrationCounts {
  /** Customers at start: the gross denominator n_a. */
  start: number;
  up: number;
  down: number;
  stay: number;
  lost: number;
  transferOut: number;
  /** Whether moving up (down) is possible: false for the top (bottom) tier alone. */
  canUp: boolean;
  canDown: boolean;
  /** Branch scope: transferOut is a fourth exit. */
  transfers: boolean;
}

export function migrationCounts(f: ScopeFlows): MigrationCounts[] {
  const m = f.bridge.length;
  return f.bridge.map((b, a) => ({
    start: b.start.value,
    up: b.outUp.value,
    down: b.outDown.value,
    stay: (f.matrix[a]?.[a] as Cell).value,
    lost: b.lost.value,
    transferOut: b.transferOut.value,
    canUp: a < m - 1,
    canDown: a > 0,
    transfers: f.transfers,
  }));
}

/** Pool tiers or periods: Σ numerators ÷ Σ denominators, never a mean of rates. */
export function poolMigration(parts: readonly MigrationCounts[]): MigrationCounts {
  const sum = (k: 'start' | 'up' | 'down' | 'stay' | 'lost' | 'transferOut') => parts.reduce((s, p) => s + p[k], 0);
  return {
    start: sum('start'),
    up: sum('up'),
    down: sum('down'),
    stay: sum('stay'),
    lost: sum('lost'),
    transferOut: sum('transferOut'),
    canUp: parts.some((p) => p.canUp),
    canDown: parts.some((p) => p.canDown),
    transfers: parts.some((p) => p.transfers),
  };
}

/** Every tier pooled (the bank-wide or branch-wide figure). */
export const allTiersMigration = (f: ScopeFlows): MigrationCounts => poolMigration(migrationCounts(f));

/** Tiers from midHighFrom up pooled; up within mid-high (mid → high) counts as up. */
export const midHighMigration = (f: ScopeFlows, config: Config): MigrationCounts =>
  poolMigration(migrationCounts(f).slice(midHighFromIndex(config)));

export interface GrossRates {
  up: number | null;
  down: number | null;
  stay: number | null;
  loss: number | null;
  /** Null at bank scope, where there are no transfers. */
  transferOut: number | null;
}

export interface AdjustedRates {
  up: number | null;
  down: number | null;
  stay: number | null;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

/** ÷ n_a; up + down + stay + loss (+ transferOut) = 1. An impossible move is null ("—"), not 0. */
export function grossRates(c: MigrationCounts): GrossRates {
  return {
    up: c.canUp ? ratio(c.up, c.start) : null,
    down: c.canDown ? ratio(c.down, c.start) : null,
    stay: ratio(c.stay, c.start),
    loss: ratio(c.lost, c.start),
    transferOut: c.transfers ? ratio(c.transferOut, c.start) : null,
  };
}

/** ÷ customers of a who stayed in the scope (retained, not transferred); up + down + stay = 1. */
export function adjustedRates(c: MigrationCounts): AdjustedRates {
  const retained = c.up + c.down + c.stay;
  return {
    up: c.canUp ? ratio(c.up, retained) : null,
    down: c.canDown ? ratio(c.down, retained) : null,
    stay: ratio(c.stay, retained),
  };
}

/**
 * Shorrocks' index (m − trace P)/(m − 1) over the adjusted matrix P (rows of the
 * count matrix divided by their sums). A tier with no retained customers has no
 * row of P: treating it as identity would report "nobody moved" for a tier that
 * had nobody, pulling the index towards 0, so such rows are left out and m counts
 * the rows with data. Null when fewer than two rows have data.
 */
export function shorrocks(counts: readonly (readonly number[])[]): number | null {
  let m = 0;
  let trace = 0;
  counts.forEach((row, a) => {
    const total = row.reduce((s, x) => s + x, 0);
    if (total === 0) return;
    m++;
    trace += (row[a] ?? 0) / total;
  });
  return m < 2 ? null : (m - trace) / (m - 1);
}

export const mobilityIndex = (f: ScopeFlows): number | null => shorrocks(f.matrix.map((row) => row.map((c) => c.value)));
