// End to end on a hand-computed book: every figure below was worked out by hand
// from the rows (arithmetic in the comments), with disclosure control off
// (minCell 1, p 0) so that nothing is withheld.
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readJson, runInProcess, tempDir, writeSnapshots, type Row } from './helpers/pipeline.ts';

const OPEN = { open: '2019-01-01' };
// Start 2025-12-31. Tiers: ordinary <5 000, potential <50 000, mid <1 000 000, high <8 000 000, private.
const start: Row[] = [
  ['c1', 'A', 1000, 500, OPEN.open], //        ordinary
  ['c2', 'A', 5000, 5000, OPEN.open], //       potential (boundary belongs to the upper tier)
  ['c3', 'A', '49999.99', 0, OPEN.open], //    potential
  ['c4', 'A', 50000, 10000, OPEN.open], //     mid (boundary), sub-band 5万–20万
  ['c5', 'B', 1000000, 200000, OPEN.open], //  high (boundary)
  ['c6', 'B', 8000000, 0, OPEN.open], //       private (boundary)
  ['c7', 'B', 0, 10, OPEN.open], //            ordinary, zero assets, deposits above aum (warning)
  ['c8', 'B', 3000, 3000, OPEN.open], //       ordinary → lost
];
// End 2026-01-31.
const end: Row[] = [
  ['c1', 'A', 6000, 500, OPEN.open], //        ordinary → potential (up)
  ['c2', 'A', '4999.99', 4000, OPEN.open], //  potential → ordinary (down)
  ['c3', 'A', '49999.99', 0, OPEN.open], //    potential stays
  ['c4', 'B', 60000, 10000, OPEN.open], //     mid stays, transferred A → B
  ['c5', 'B', '999999.99', 200000, OPEN.open], // high → mid (down), sub-band 20万–100万
  ['c6', 'B', 8000000, 0, OPEN.open], //       private stays
  ['c7', 'B', 0, 0, OPEN.open], //             ordinary stays
  ['c9', 'A', 100, 100, '2026-01-15'], //      new ordinary, opened in the period
  ['c10', 'B', 2000000, 0, '2020-05-01'], //   new high, re-appearing (opened before the start)
];

const OFF = { privacy: { minCell: 1, pPercent: 0 } };
let out: string;
let period: any;
let startSnap: any;
let endSnap: any;
const scope = (file: any, branch: string | null) => file.scopes.find((s: any) => s.branch === branch);
const tier = (sc: any, key: string) => sc.tiers.find((t: any) => t.tier === key);
const cell = (sc: any, from: string, to: string) => sc.transitions.find((t: any) => t.from === from && t.to === to);

beforeAll(async () => {
  const dir = await tempDir();
  const data = await writeSnapshots(path.join(dir, 'in'), { 'book_2025-12-31.csv': start, 'book_2026-01-31.csv': end });
  out = path.join(dir, 'out');
  await runInProcess(data, out, OFF);
  period = await readJson(out, 'periods/2025-12-31_2026-01-31.json');
  startSnap = await readJson(out, 'snapshots/2025-12-31.json');
  endSnap = await readJson(out, 'snapshots/2026-01-31.json');
});

describe('snapshot tables', () => {
  it('counts customers per tier with lower bounds inclusive', () => {
    const bank = scope(startSnap, null);
    // ordinary c1 c7 c8; potential c2 c3; mid c4; high c5; private c6
    expect(bank.tiers.map((t: any) => t.n)).toEqual([3, 2, 1, 1, 1]);
    expect(bank.customers).toBe(8);
    const endBank = scope(endSnap, null);
    // ordinary c2 c7 c9; potential c1 c3; mid c4 c5; high c10; private c6
    expect(endBank.tiers.map((t: any) => t.n)).toEqual([3, 2, 2, 1, 1]);
  });

  it('sums amounts in fen, with shares, averages and the contribution index', () => {
    const bank = scope(startSnap, null);
    // 1000 + 5000 + 49999.99 + 50000 + 1000000 + 8000000 + 0 + 3000 = 9 108 999.99 元
    expect(bank.aum).toBe(910_899_999);
    // deposits 500 + 5000 + 0 + 10000 + 200000 + 0 + 10 + 3000 = 218 510 元
    expect(bank.deposits).toBe(21_851_000);
    const priv = tier(bank, 'private');
    expect(priv.aum).toBe(800_000_000);
    expect(priv.aumShare).toBeCloseTo(800_000_000 / 910_899_999, 12);
    expect(priv.nShare).toBeCloseTo(1 / 8, 12);
    expect(priv.avgAum).toBe(800_000_000);
    // contribution index = tier average ÷ overall average = 8 000 000 ÷ (9 108 999.99 / 8)
    expect(priv.contributionIndex).toBeCloseTo(8_000_000 / (9_108_999.99 / 8), 9);
    const ordinary = tier(bank, 'ordinary');
    // (1000 + 0 + 3000) / 3 元
    expect(ordinary.avgAum).toBeCloseTo(400_000 / 3, 9);
    // mid-high: c4 c5 c6 → 3 customers, 9 050 000 元
    expect(bank.midHigh.n).toBe(3);
    expect(bank.midHigh.aum).toBe(905_000_000);
  });

  it('splits the mid tier into its sub-bands', () => {
    const mid = tier(scope(endSnap, null), 'mid');
    expect(mid.subBands.map((b: any) => [b.band, b.n, b.aum])).toEqual([
      ['mid_5w_20w', 1, 6_000_000], // c4 60 000 元
      ['mid_20w_100w', 1, 99_999_999], // c5 999 999.99 元
    ]);
  });

  it('computes the Gini exactly (checked against the mean absolute difference)', () => {
    const xs = [100_000, 500_000, 4_999_999, 5_000_000, 100_000_000, 800_000_000, 0, 300_000];
    let diff = 0;
    for (const a of xs) for (const b of xs) diff += Math.abs(a - b);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const gini = diff / (2 * xs.length ** 2 * mean);
    expect(scope(startSnap, null).concentration.aum.gini).toBeCloseTo(gini, 12);
  });
});

describe('period flows, bank scope', () => {
  it('builds the transition matrix with new and lost', () => {
    const bank = scope(period, null);
    expect(cell(bank, 'ordinary', 'potential').n).toBe(1); // c1
    expect(cell(bank, 'ordinary', 'ordinary').n).toBe(1); // c7
    expect(cell(bank, 'ordinary', 'lost').n).toBe(1); // c8
    expect(cell(bank, 'potential', 'ordinary').n).toBe(1); // c2
    expect(cell(bank, 'high', 'mid').n).toBe(1); // c5
    expect(cell(bank, 'new', 'ordinary').n).toBe(1); // c9
    expect(cell(bank, 'new', 'high').n).toBe(1); // c10
    expect(bank.transitions.some((t: any) => t.to === 'transfer_out' || t.from === 'transfer_in')).toBe(false);
    // gross share ordinary → potential = 1 of 3 at start; adjusted = 1 of 2 retained
    expect(cell(bank, 'ordinary', 'potential').grossShare).toBeCloseTo(1 / 3, 12);
    expect(cell(bank, 'ordinary', 'potential').adjustedShare).toBeCloseTo(1 / 2, 12);
  });

  it('gives the tier bridge start + new + in − out − lost = end', () => {
    const ord = tier(scope(period, null), 'ordinary');
    // 3 + 1 new + 0 in up + 1 in down (c2) − 1 out up (c1) − 0 − 1 lost (c8) = 3
    expect([ord.start, ord.new, ord.inUp, ord.inDown, ord.outUp, ord.outDown, ord.lost, ord.end]).toEqual([3, 1, 0, 1, 1, 0, 1, 3]);
    expect(ord.netChange).toBe(0);
    const mid = tier(scope(period, null), 'mid');
    // 1 + 0 + 0 + 1 in down (c5) = 2
    expect([mid.start, mid.inDown, mid.end, mid.netChange]).toEqual([1, 1, 2, 1]);
  });

  it('gives gross and adjusted rates, "—" where a move is impossible', () => {
    const bank = scope(period, null);
    const ord = tier(bank, 'ordinary').rates;
    expect(ord.gross.up).toBeCloseTo(1 / 3, 12);
    expect(ord.gross.down).toBeNull(); // the bottom tier cannot move down
    expect(ord.gross.stay).toBeCloseTo(1 / 3, 12);
    expect(ord.gross.loss).toBeCloseTo(1 / 3, 12);
    expect(ord.gross.transferOut).toBeNull(); // no transfers at bank scope
    expect(ord.adjusted.up).toBeCloseTo(1 / 2, 12);
    expect(tier(bank, 'private').rates.gross.up).toBeNull(); // the top tier cannot move up
    expect(tier(bank, 'high').rates.gross.down).toBe(1);
    // pooled over tiers: up 1/8, down (c2 + c5) 2/8, stay (c7 c3 c4 c6) 4/8, loss 1/8
    expect(bank.pooled.all.gross).toMatchObject({ up: 1 / 8, down: 2 / 8, stay: 4 / 8, loss: 1 / 8 });
    // mid-high pooled: 3 at start (c4 c5 c6); down c5 → 1/3, stay c4 c6 → 2/3
    expect(bank.pooled.midHigh.gross.down).toBeCloseTo(1 / 3, 12);
    expect(bank.pooled.midHigh.gross.stay).toBeCloseTo(2 / 3, 12);
    // Shorrocks: stay shares 1/2, 1/2, 1, 0, 1 → (5 − 3) / 4
    expect(bank.mobility).toBeCloseTo(0.5, 12);
  });

  it('balances the asset bridge to the fen', () => {
    const a = scope(period, null).assetBridge;
    expect(a.start).toBe(910_899_999);
    expect(a.lost).toBe(300_000); // c8 3 000 元
    expect(a.new).toBe(200_010_000); // c9 100 + c10 2 000 000 元
    // retained changes by start tier: ordinary c1 +5 000 元; potential c2 −0.01; mid c4 +10 000; high c5 −0.01; private 0
    expect(a.retainedChange.map((c: any) => c.change)).toEqual([500_000, -1, 1_000_000, -1, 0]);
    // end: 6000 + 4999.99 + 49999.99 + 60000 + 999999.99 + 8000000 + 0 + 100 + 2000000 = 11 121 099.97 元
    expect(a.end).toBe(1_112_109_997);
  });

  it('shows the new-customer mix beside the stock', () => {
    const mix = scope(period, null).newMix;
    expect(mix.total).toBe(2);
    expect(mix.midHighShare).toBe(0.5); // c10 of c9, c10
    expect(mix.stockMidHighShare).toBeCloseTo(4 / 9, 12); // c4 c5 c10 c6 of 9
    expect(mix.openedInPeriod).toBe(1); // c9
    expect(mix.reappearing).toBe(1); // c10
  });
});

describe('period flows, branch scope', () => {
  it('counts a branch change as a transfer, never as new or lost', () => {
    const a = scope(period, 'A');
    const b = scope(period, 'B');
    const midA = tier(a, 'mid');
    expect([midA.start, midA.transferOut, midA.lost, midA.end]).toEqual([1, 1, 0, 0]);
    expect(midA.rates.gross.transferOut).toBe(1);
    const midB = tier(b, 'mid');
    // 0 + 1 in down (c5) + 1 transfer in (c4) = 2
    expect([midB.start, midB.inDown, midB.transferIn, midB.new, midB.end]).toEqual([0, 1, 1, 0, 2]);
    expect(cell(a, 'mid', 'transfer_out').n).toBe(1);
    expect(cell(b, 'transfer_in', 'mid').n).toBe(1);
  });

  it('balances branch asset bridges with transfers', () => {
    const a = scope(period, 'A').assetBridge;
    // A: 105 999.99 − 50 000 out (c4 at start) + 100 new (c9) + 5 000 (c1) − 0.01 (c2) = 61 099.98 元
    expect([a.start, a.transferOut, a.new, a.end]).toEqual([10_599_999, 5_000_000, 10_000, 6_109_998]);
    const b = scope(period, 'B').assetBridge;
    // B: 9 003 000 − 3 000 lost + 2 000 000 new + 60 000 in (c4 at end) − 0.01 (c5) = 11 059 999.99 元
    expect([b.start, b.lost, b.new, b.transferIn, b.end]).toEqual([900_300_000, 300_000, 200_000_000, 6_000_000, 1_105_999_999]);
  });

  it('records the period as both consecutive and headline', async () => {
    const meta = await readJson(out, 'meta.json');
    expect(meta.periods).toEqual([{ id: '2025-12-31_2026-01-31', start: '2025-12-31', end: '2026-01-31', consecutive: true, headline: true }]);
    expect(meta.headline).toBe('2025-12-31_2026-01-31');
  });

  it('reports deposits above aum and the id match rate', async () => {
    const q = await readJson(out, 'quality.json');
    expect(q.files.map((f: any) => f.depositsAboveAum)).toEqual([1, 0]); // c7 at start
    // 7 of the 9 end customers were in the start snapshot
    expect(q.idMatch[0]).toMatchObject({ matched: 7, startCustomers: 8, endCustomers: 9, warning: false });
    expect(q.idMatch[0].matchShare).toBeCloseTo(7 / 9, 12);
  });
});
