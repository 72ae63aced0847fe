// Period tables: per scope, the transition matrix with new/lost (and transfers at
// branch scope), the tier bridge, pooled migration counts, the asset bridge and
// the new-customer mix, with the identities that tie them to the snapshots.
import type { FlowCell } from '../../engine/types.ts';
import { countCell, sumCells, type Cell } from '../cell.ts';
import type { Config } from '../config.ts';
import type { Disclosure } from '../disclosure.ts';
import { scopeFlows, shorrocks, type ScopeFlows } from '../flows.ts';
import { newCustomerMix } from '../mix.ts';
import { BANK, branchScope, type Period } from '../periods.ts';
import type { SnapshotStats } from '../snapshotStats.ts';
import { midHighFromIndex } from '../tiers.ts';
import type { Fig, PeriodFile, Rates, ScopePeriod } from '../../schema/output.ts';
import { flowId, importanceOf, snapId, type Registry } from './registry.ts';

const BRIDGE_TERMS = ['new', 'inUp', 'inDown', 'outUp', 'outDown', 'lost', 'transferIn', 'transferOut'] as const;
/** The sign of each term in end = start + Σ sign · term. */
const BRIDGE_SIGN: Record<(typeof BRIDGE_TERMS)[number], 1 | -1> = { new: 1, inUp: 1, inDown: 1, outUp: -1, outDown: -1, lost: -1, transferIn: 1, transferOut: -1 };
/** New and lost customers sit beside the matrix (its extra row and column); moves between tiers sum it up. */
const BRIDGE_KIND: Record<(typeof BRIDGE_TERMS)[number], 'matrix' | 'flowAggregate' | 'transfer'> = {
  new: 'matrix',
  lost: 'matrix',
  inUp: 'flowAggregate',
  inDown: 'flowAggregate',
  outUp: 'flowAggregate',
  outDown: 'flowAggregate',
  transferIn: 'transfer',
  transferOut: 'transfer',
};

function sameValue(what: string, a: Cell, b: Cell) {
  if (a.value !== b.value) throw new Error(`${what}: flows give ${a.value}, the snapshot ${b.value}`);
}

/** Register one period's flow cells for every scope; the start/end terms are the snapshots' own cells. */
export function registerPeriod(
  reg: Registry,
  config: Config,
  period: Period,
  flows: readonly FlowCell[],
  branches: readonly string[],
  startStats: Map<string | null, SnapshotStats>,
  endStats: Map<string | null, SnapshotStats>,
): Map<string | null, ScopeFlows> {
  const tiers = config.tiers.map((t) => t.key);
  const m = tiers.length;
  const from = midHighFromIndex(config);
  const out = new Map<string | null, ScopeFlows>();
  const scopes: (string | null)[] = [null, ...branches];
  for (const branch of scopes) {
    const scope = branch === null ? BANK : branchScope(branch);
    const f = scopeFlows(flows, m, scope);
    out.set(branch, f);
    const id = (...part: (string | number)[]) => flowId(period.id, branch, ...part);
    const start = (t: number) => snapId(period.start, branch, tiers[t]!, 'n');
    const end = (t: number) => snapId(period.end, branch, tiers[t]!, 'n');
    const ss = startStats.get(branch)!;
    const es = endStats.get(branch)!;

    for (let a = 0; a < m; a++) {
      sameValue(`${period.id} ${branch ?? 'bank'} start ${tiers[a]}`, f.start[a]!, ss.tiers[a]!.n);
      sameValue(`${period.id} ${branch ?? 'bank'} end ${tiers[a]}`, f.end[a]!, es.tiers[a]!.n);
      for (let b = 0; b < m; b++) reg.add(id('M', a, b), f.matrix[a]![b]!, { importance: importanceOf('matrix', branch) });
      const br = f.bridge[a]!;
      const structural: Record<(typeof BRIDGE_TERMS)[number], boolean> = {
        new: false,
        lost: false,
        inUp: a === 0,
        inDown: a === m - 1,
        outUp: a === m - 1,
        outDown: a === 0,
        transferIn: branch === null,
        transferOut: branch === null,
      };
      for (const term of BRIDGE_TERMS) reg.add(id(term, a), br[term], { known: structural[term], importance: importanceOf(BRIDGE_KIND[term], branch) });
      reg.add(id('retained', a), sumCells('count', f.matrix[a]!), { importance: importanceOf('flowAggregate', branch) });
    }
    for (let t = 0; t < m; t++) {
      const row = (keep: (b: number) => boolean) => tiers.map((_, b) => b).filter(keep).map((b) => id('M', t, b));
      const col = (keep: (a: number) => boolean) => tiers.map((_, a) => a).filter(keep).map((a) => id('M', a, t));
      reg.line(id('retained', t), row(() => true));
      reg.line(start(t), [id('retained', t), id('lost', t), id('transferOut', t)]);
      reg.line(end(t), [...col(() => true), id('new', t), id('transferIn', t)]);
      reg.line(id('outUp', t), row((b) => b > t));
      reg.line(id('outDown', t), row((b) => b < t));
      reg.line(id('inUp', t), col((a) => a < t));
      reg.line(id('inDown', t), col((a) => a > t));
      reg.signed(end(t), [[start(t), 1], ...BRIDGE_TERMS.map((term) => [id(term, t), BRIDGE_SIGN[term]] as const)]);
      // The same row and column split three ways (stay, up, down): implied by the lines
      // above, but each line is protected on its own, so the combination is listed too —
      // without it a withheld down count is start − stay − lost when nothing can move up.
      reg.line(id('retained', t), [id('M', t, t), id('outUp', t), id('outDown', t)]);
      reg.line(end(t), [id('M', t, t), id('inUp', t), id('inDown', t), id('new', t), id('transferIn', t)]);
    }

    // Pooled counts behind the bank-wide and mid-high rates: the headline rates, so
    // one tier's detail is hidden before them.
    const pooled = importanceOf('pooled', branch);
    for (const [group, members] of [
      ['all', tiers.map((_, t) => t)],
      ['midhigh', tiers.map((_, t) => t).filter((t) => t >= from)],
    ] as const) {
      for (const term of ['outUp', 'outDown', 'lost', 'transferOut', 'retained'] as const) {
        const parts = members.map((t) => id(term, t));
        reg.add(id('pool', group, term), sumCells('count', parts.map((p) => reg.cells.get(p)!)), { known: term === 'transferOut' && branch === null, importance: pooled });
        reg.line(id('pool', group, term), parts);
      }
      const stay = members.map((t) => id('M', t, t));
      reg.add(id('pool', group, 'stay'), sumCells('count', stay.map((p) => reg.cells.get(p)!)), { importance: pooled });
      reg.line(id('pool', group, 'stay'), stay);
      reg.line(id('pool', group, 'retained'), [id('pool', group, 'stay'), id('pool', group, 'outUp'), id('pool', group, 'outDown')]);
      // The pooled rates' denominator splits the same way, so pooled rates add to 100 % too.
      const den = snapId(period.start, branch, group === 'all' ? 'total' : 'midhigh', 'n');
      reg.line(den, [id('pool', group, 'retained'), id('pool', group, 'lost'), id('pool', group, 'transferOut')]);
    }

    // Asset bridge: start − lost + new + Σ change + transferIn − transferOut = end (fen).
    const assets = f.assets;
    sameValue(`${period.id} ${branch ?? 'bank'} start aum`, assets.start, ss.total.aum);
    sameValue(`${period.id} ${branch ?? 'bank'} end aum`, assets.end, es.total.aum);
    const flowAggregate = importanceOf('flowAggregate', branch);
    const transfer = importanceOf('transfer', branch);
    reg.add(id('aum', 'lost'), assets.lost, { importance: flowAggregate });
    reg.add(id('aum', 'new'), assets.new, { importance: flowAggregate });
    reg.add(id('aum', 'transferIn'), assets.transferIn, { known: branch === null, importance: transfer });
    reg.add(id('aum', 'transferOut'), assets.transferOut, { known: branch === null, importance: transfer });
    assets.byTier.change.forEach((c, t) => reg.add(id('aum', 'change', t), c, { importance: flowAggregate }));
    reg.signed(snapId(period.end, branch, 'total', 'aum'), [
      [snapId(period.start, branch, 'total', 'aum'), 1],
      [id('aum', 'lost'), -1],
      [id('aum', 'new'), 1],
      [id('aum', 'transferIn'), 1],
      [id('aum', 'transferOut'), -1],
      ...tiers.map((_, t) => [id('aum', 'change', t), 1] as const),
    ]);

    // New-customer mix.
    const mix = newCustomerMix(flows, scope, es, config);
    reg.add(id('new', 'total'), mix.newTotal, { importance: pooled });
    reg.line(id('new', 'total'), tiers.map((_, t) => id('new', t)));
    reg.add(id('new', 'midhigh'), mix.newMidHigh, { importance: pooled });
    reg.line(id('new', 'midhigh'), tiers.map((_, t) => t).filter((t) => t >= from).map((t) => id('new', t)));
    if (mix.openDates) {
      reg.add(id('new', 'opened'), mix.openDates.openedInPeriod, { importance: flowAggregate });
      reg.add(id('new', 'reappearing'), mix.openDates.reappearing, { importance: flowAggregate });
      reg.add(id('new', 'undated'), mix.openDates.unknown, { importance: flowAggregate });
      reg.line(id('new', 'total'), [id('new', 'opened'), id('new', 'reappearing'), id('new', 'undated')]);
    }
  }
  // New and lost customers of the bank are exactly those of its branches (transfers are neither).
  for (const term of ['new', 'lost'] as const)
    for (let t = 0; t < m; t++) reg.line(flowId(period.id, null, term, t), branches.map((b) => flowId(period.id, b, term, t)));
  for (const term of ['lost', 'new'] as const)
    reg.line(flowId(period.id, null, 'aum', term), branches.map((b) => flowId(period.id, b, 'aum', term)));
  reg.line(flowId(period.id, null, 'new', 'total'), branches.map((b) => flowId(period.id, b, 'new', 'total')));
  // A customer retained by the bank either stays in one branch (that branch's matrix)
  // or moves between branches (a transfer): bank M[a][b] = Σ branches' M[a][b] + the
  // transfers from tier a to tier b. Those transfer counts are never published, but
  // every reader knows they exist and are not negative, so they join the relations as
  // intermediates; where one is 0 it is taken as known (a reader may be able to tell).
  for (let a = 0; a < m; a++)
    for (let b = 0; b < m; b++) {
      const bank = flowId(period.id, null, 'M', a, b);
      const parts = branches.map((br) => flowId(period.id, br, 'M', a, b));
      const moved = reg.cells.get(bank)!.value - parts.reduce((sum, p) => sum + reg.cells.get(p)!.value, 0);
      const t = reg.add(flowId(period.id, null, 'T', a, b), countCell(moved), { intermediate: true });
      reg.line(bank, [...parts, t]);
    }
  return out;
}

const NA = null;

export function emitScopePeriod(d: Disclosure, config: Config, period: Period, branch: string | null): ScopePeriod {
  const tiers = config.tiers.map((t) => t.key);
  const m = tiers.length;
  const atBranch = branch !== null;
  const id = (...part: (string | number)[]) => flowId(period.id, branch, ...part);
  const start = (t: number) => snapId(period.start, branch, tiers[t]!, 'n');
  const end = (t: number) => snapId(period.end, branch, tiers[t]!, 'n');

  const transitions: ScopePeriod['transitions'] = [];
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++)
      transitions.push({ from: tiers[a]!, to: tiers[b]!, n: d.value(id('M', a, b)), grossShare: d.ratio(id('M', a, b), start(a)), adjustedShare: d.ratio(id('M', a, b), id('retained', a)) });
    transitions.push({ from: tiers[a]!, to: 'lost', n: d.value(id('lost', a)), grossShare: d.ratio(id('lost', a), start(a)), adjustedShare: NA });
    if (atBranch)
      transitions.push({ from: tiers[a]!, to: 'transfer_out', n: d.value(id('transferOut', a)), grossShare: d.ratio(id('transferOut', a), start(a)), adjustedShare: NA });
  }
  for (let b = 0; b < m; b++) transitions.push({ from: 'new', to: tiers[b]!, n: d.value(id('new', b)), grossShare: NA, adjustedShare: NA });
  if (atBranch)
    for (let b = 0; b < m; b++) transitions.push({ from: 'transfer_in', to: tiers[b]!, n: d.value(id('transferIn', b)), grossShare: NA, adjustedShare: NA });

  const rates = (up: string | null, down: string | null, stay: string, lost: string, tout: string, retained: string, den: string): Rates => ({
    gross: {
      up: up === null ? NA : d.ratio(up, den),
      down: down === null ? NA : d.ratio(down, den),
      stay: d.ratio(stay, den),
      loss: d.ratio(lost, den),
      transferOut: atBranch ? d.ratio(tout, den) : NA,
    },
    adjusted: {
      up: up === null ? NA : d.ratio(up, retained),
      down: down === null ? NA : d.ratio(down, retained),
      stay: d.ratio(stay, retained),
    },
  });

  const tierFlows = tiers.map((tier, t) => ({
    tier,
    start: d.value(start(t)),
    new: d.value(id('new', t)),
    inUp: d.value(id('inUp', t)),
    inDown: d.value(id('inDown', t)),
    outUp: d.value(id('outUp', t)),
    outDown: d.value(id('outDown', t)),
    lost: d.value(id('lost', t)),
    transferIn: d.value(id('transferIn', t)),
    transferOut: d.value(id('transferOut', t)),
    end: d.value(end(t)),
    netChange: d.derive([end(t), start(t)], (e, s) => e - s) as Fig,
    // The top tier cannot move up and the bottom tier cannot move down: "—", not 0 %.
    rates: rates(t === m - 1 ? null : id('outUp', t), t === 0 ? null : id('outDown', t), id('M', t, t), id('lost', t), id('transferOut', t), id('retained', t), start(t)),
  }));

  const pooled = (group: 'all' | 'midhigh', den: string) =>
    rates(id('pool', group, 'outUp'), id('pool', group, 'outDown'), id('pool', group, 'stay'), id('pool', group, 'lost'), id('pool', group, 'transferOut'), id('pool', group, 'retained'), den);

  // Shorrocks depends only on each row's stay share, so only the diagonal and the row totals are inputs:
  // off-diagonal cells hidden elsewhere stay hidden.
  const diag = tiers.flatMap((_, t) => [id('M', t, t), id('retained', t)]);
  const mobility = d.derive(diag, (...v) => {
    const rows = tiers.map((_, a) => tiers.map((_, b) => (b === a ? v[2 * a]! : 0)));
    if (m > 1) rows.forEach((row, a) => (row[(a + 1) % m] = v[2 * a + 1]! - v[2 * a]!));
    return shorrocks(rows);
  });

  const openDates = (k: 'opened' | 'reappearing') => (d.has(id('new', k)) ? d.value(id('new', k)) : null);
  return {
    branch,
    transitions,
    tiers: tierFlows,
    pooled: {
      all: pooled('all', snapId(period.start, branch, 'total', 'n')),
      midHigh: pooled('midhigh', snapId(period.start, branch, 'midhigh', 'n')),
    },
    mobility,
    assetBridge: {
      start: d.value(snapId(period.start, branch, 'total', 'aum')),
      lost: d.value(id('aum', 'lost')),
      new: d.value(id('aum', 'new')),
      retainedChange: tiers.map((tier, t) => ({ tier, change: d.value(id('aum', 'change', t)) })),
      transferIn: d.value(id('aum', 'transferIn')),
      transferOut: d.value(id('aum', 'transferOut')),
      end: d.value(snapId(period.end, branch, 'total', 'aum')),
    },
    newMix: {
      total: d.value(id('new', 'total')),
      tiers: tiers.map((tier, t) => ({ tier, n: d.value(id('new', t)), share: d.ratio(id('new', t), id('new', 'total')), stockShare: d.ratio(end(t), snapId(period.end, branch, 'total', 'n')) })),
      midHighShare: d.ratio(id('new', 'midhigh'), id('new', 'total')),
      stockMidHighShare: d.ratio(snapId(period.end, branch, 'midhigh', 'n'), snapId(period.end, branch, 'total', 'n')),
      openedInPeriod: openDates('opened'),
      reappearing: openDates('reappearing'),
    },
  };
}

export function emitPeriodFile(d: Disclosure, config: Config, period: Period, branches: readonly string[]): PeriodFile {
  return { ...period, scopes: [null, ...branches].map((b) => emitScopePeriod(d, config, period, b)) };
}

