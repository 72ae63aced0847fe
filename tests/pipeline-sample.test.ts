// The published output of a synthetic bank under the default disclosure rules:
// wherever every term of an identity is published, the identity holds exactly,
// on every scope and every period; shares add to one before rounding.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSampleBank, sampleDates } from '../src/lib/sampleBank.ts';
import { parseConfig } from '../src/lib/config.ts';
import { createProgress } from '../src/engine/progress.ts';
import { runPipeline } from '../src/engine/run.ts';
import { readJson, tempDir } from './helpers/pipeline.ts';

let out: string;
let meta: any;
/** Every `warning: …` line the run would print on the terminal. */
const warned: string[] = [];

beforeAll(async () => {
  const dir = await tempDir();
  const data = path.join(dir, 'in');
  await mkdir(data);
  const opts = { customers: 150_000, snapshots: 4, seed: 7 };
  const dates = sampleDates(opts);
  let k = 0;
  for (const snap of generateSampleBank(opts)) await writeFile(path.join(data, `bank_${dates[k++]}.csv`), Buffer.concat([...snap.csvChunks()]));
  out = path.join(dir, 'out');
  const progress = { ...createProgress(process.stderr, true), warn: (m: string) => void warned.push(m) };
  await runPipeline({ snapshotsDir: data, outDir: out, config: parseConfig({}), progress });
  meta = await readJson(out, 'meta.json');
});

const num = (x: unknown): x is number => typeof x === 'number';

describe('published identities on a synthetic bank', () => {
  it('has periods for every consecutive pair and a headline', () => {
    expect(meta.snapshots).toHaveLength(4);
    expect(meta.periods.filter((p: any) => p.consecutive)).toHaveLength(3);
    expect(meta.headline).not.toBeNull();
  });

  it('prints no warning of its own: no deposits above aum, no ignored column, ids that match', async () => {
    const quality = await readJson(out, 'quality.json');
    expect(quality.files.map((f: any) => f.depositsAboveAum)).toEqual([0, 0, 0, 0]);
    expect(quality.files.map((f: any) => f.rowsRejected)).toEqual([0, 0, 0, 0]);
    expect(quality.warnings).toEqual([]);
    expect(warned).toEqual([]);
  });

  it('tier bridges and asset bridges hold wherever all their terms are published', async () => {
    let checked = 0;
    let assetChecked = 0;
    for (const p of meta.periods) {
      const file = await readJson(out, `periods/${p.id}.json`);
      for (const sc of file.scopes) {
        for (const t of sc.tiers) {
          const terms = [t.start, t.new, t.inUp, t.inDown, t.outUp, t.outDown, t.lost, t.transferIn, t.transferOut, t.end];
          if (!terms.every(num)) continue;
          const [start, nw, inUp, inDown, outUp, outDown, lost, tin, tout, end] = terms as [number, number, number, number, number, number, number, number, number, number];
          expect(start + nw + inUp + inDown - outUp - outDown - lost + tin - tout, `${p.id} ${sc.branch} ${t.tier}`).toBe(end);
          if (num(t.netChange)) expect(t.netChange).toBe(end - start);
          checked++;
        }
        const a = sc.assetBridge;
        const changes = a.retainedChange.map((c: any) => c.change);
        if ([a.start, a.lost, a.new, a.transferIn, a.transferOut, a.end, ...changes].every(num)) {
          const sumChange = changes.reduce((s: number, c: number) => s + c, 0);
          expect(a.start - a.lost + a.new + sumChange + a.transferIn - a.transferOut, `${p.id} ${sc.branch} assets`).toBe(a.end);
          assetChecked++;
        }
        if (sc.branch === null) expect([a.start, a.end, ...changes].every(num)).toBe(true); // the bank's bridge is never blank
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(assetChecked).toBeGreaterThan(4);
  });

  it('gross rates plus the loss (and transfer) rate make 100 % per tier, adjusted rates too', async () => {
    for (const p of meta.periods) {
      const file = await readJson(out, `periods/${p.id}.json`);
      for (const sc of file.scopes)
        for (const t of sc.tiers) {
          const g = t.rates.gross;
          const parts = [g.up ?? 0, g.down ?? 0, g.stay, g.loss, g.transferOut ?? 0];
          if (parts.every(num) && num(t.start) && t.start > 0) expect(parts.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
          const a = t.rates.adjusted;
          const adj = [a.up ?? 0, a.down ?? 0, a.stay];
          if (adj.every(num) && adj.some((x) => x > 0)) expect(adj.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
        }
    }
  });

  it('tier shares of the bank add to 100 % before rounding, and the bank pyramid is fully published', async () => {
    for (const date of meta.snapshots) {
      const snap = await readJson(out, `snapshots/${date}.json`);
      const bank = snap.scopes[0];
      for (const k of ['nShare', 'aumShare', 'depositsShare']) {
        const shares = bank.tiers.map((t: any) => t[k]);
        expect(shares.every(num), `${date} ${k}`).toBe(true);
        expect(shares.reduce((s: number, x: number) => s + x, 0)).toBeCloseTo(1, 12);
      }
      // counts add up to the total, exactly
      expect(bank.tiers.reduce((s: number, t: any) => s + t.n, 0)).toBe(bank.customers);
    }
  });

  it('branch figures published beside the bank add up to it exactly where all are published', async () => {
    const snap = await readJson(out, `snapshots/${meta.snapshots[0]}.json`);
    const [bank, ...branches] = snap.scopes;
    for (const [t, tier] of bank.tiers.entries()) {
      const parts = branches.map((b: any) => b.tiers[t].n);
      if (parts.every(num)) expect(parts.reduce((s: number, x: number) => s + x, 0)).toBe(tier.n);
      else expect(parts.filter((x: unknown) => !num(x)).length).not.toBe(1); // never exactly one hidden
    }
  });
});
