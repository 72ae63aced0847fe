// The synthetic bank must be reproducible (the site is built from it on every
// fresh clone) and shaped like the seed bank; these checks recompute its shape
// from the CSV text alone, with the tier thresholds written out here rather
// than borrowed from the generator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleBank, monthEnds } from '../src/lib/sampleBank.ts';

const ROOT = resolve(import.meta.dirname, '..');

interface Row {
  id: string;
  branch: string;
  aum: number;
  deposits: number;
  open: string;
}

function parseCsv(text: string): Row[] {
  const lines = text.split('\n');
  expect(lines[0]).toBe('customer_id,branch,aum,deposits,open_date');
  expect(lines[lines.length - 1]).toBe('');
  // Per-row expect() calls would dominate the run time; count bad lines instead.
  let bad = 0;
  const rows = lines.slice(1, -1).map((line) => {
    const f = line.split(',');
    if (f.length !== 5) bad++;
    return { id: f[0]!, branch: f[1]!, aum: Number(f[2]), deposits: Number(f[3]), open: f[4]! };
  });
  expect(bad).toBe(0);
  return rows;
}

/** ordinary < 5 000 ≤ potential < 50 000 ≤ mid < 1 000 000 ≤ high < 8 000 000 ≤ private (元). */
function tier(aum: number): number {
  if (aum >= 8_000_000) return 4;
  if (aum >= 1_000_000) return 3;
  if (aum >= 50_000) return 2;
  if (aum >= 5_000) return 1;
  return 0;
}

function generate(customers: number, snapshots: number, seed?: number): { date: string; text: string }[] {
  const out: { date: string; text: string }[] = [];
  for (const snap of generateSampleBank({ customers, snapshots, seed })) out.push({ date: snap.date, text: Buffer.concat([...snap.csvChunks(1 << 16)]).toString('utf8') });
  return out;
}

function runCli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/sample.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('npm run sample', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'tierscope-sample-test-'));
    dirs.push(d);
    return d;
  };

  it('writes byte-identical files on two runs, equal to the library output', () => {
    const a = tmp();
    const b = tmp();
    const args = ['--customers', '3000', '--snapshots', '3'];
    const ra = runCli([...args, '--out', a]);
    const rb = runCli([...args, '--out', b]);
    expect(ra.status, ra.stderr).toBe(0);
    expect(rb.status, rb.stderr).toBe(0);
    const names = readdirSync(a).sort();
    expect(names).toEqual(['.tierscope-output.json', 'snapshot_2024-12-31.csv', 'snapshot_2025-01-31.csv', 'snapshot_2025-02-28.csv']);
    expect(readdirSync(b).sort()).toEqual(names);
    const lib = generate(3000, 3);
    names.filter((n) => n.startsWith('snapshot_')).forEach((name, i) => {
      const bytesA = readFileSync(join(a, name));
      expect(bytesA.equals(readFileSync(join(b, name)))).toBe(true);
      expect(bytesA.toString('utf8')).toBe(lib[i]!.text);
    });
    expect(ra.stderr).toMatch(/wrote 3 snapshots/);
  });

  it('rejects a bad option with a usage message', () => {
    const r = runCli(['--customers', 'many', '--out', tmp()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--customers must be an integer/);
  });
});

describe('sample bank generator', () => {
  it('defaults to 12 month ends from the 2024 year end', () => {
    expect(monthEnds('2024-12-31', 12)).toEqual([
      '2024-12-31', '2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31',
      '2025-06-30', '2025-07-31', '2025-08-31', '2025-09-30', '2025-10-31', '2025-11-30',
    ]);
    const dates = [...generateSampleBank({ customers: 2000 })].map((s) => s.date);
    expect(dates).toEqual(monthEnds('2024-12-31', 12));
  });

  it('depends on the seed and honours explicit dates', () => {
    const a = generate(2000, 2, 1);
    const b = generate(2000, 2, 2);
    expect(a[0]!.text).not.toBe(b[0]!.text);
    const explicit = [...generateSampleBank({ customers: 2000, dates: ['2025-11-30', '2025-12-31'] })].map((s) => s.date);
    expect(explicit).toEqual(['2025-11-30', '2025-12-31']);
    expect(() => [...generateSampleBank({ customers: 2000, dates: ['2025-12-31', '2025-11-30'] })]).toThrow(/increasing/);
  });

  it('spreads the book over as many branches as asked, codes widening past 999', () => {
    const [first] = [...generateSampleBank({ customers: 60_000, snapshots: 1, branches: 1200 })];
    const rows = parseCsv(Buffer.concat([...first!.csvChunks(1 << 16)]).toString('utf8'));
    const codes = new Set(rows.map((r) => r.branch));
    // Zipf-like sizes leave some of the smallest branches empty at 50 customers a branch.
    expect(codes.size).toBeGreaterThan(1000);
    expect(codes.size).toBeLessThanOrEqual(1200);
    expect([...codes].filter((c) => !/^B\d{4}$/.test(c))).toEqual([]);
    expect(codes.has('B1200') || [...codes].some((c) => c > 'B1100')).toBe(true);
    expect(() => [...generateSampleBank({ customers: 2000, snapshots: 1, branches: 39 })]).toThrow(/branches must be an integer from 40/);
  });

  describe('shape of a 60 000-customer, 6-month book', () => {
    let snaps: { date: string; rows: Row[] }[] = [];
    beforeAll(() => {
      snaps = generate(60_000, 6).map((s) => ({ date: s.date, rows: parseCsv(s.text) }));
    });

    it('has the seed tier shares of customers and assets in every snapshot', () => {
      for (const { rows } of snaps) {
        const n = [0, 0, 0, 0, 0];
        const aum = [0, 0, 0, 0, 0];
        for (const r of rows) {
          const t = tier(r.aum);
          n[t]!++;
          aum[t]! += r.aum;
        }
        const N = rows.length;
        const A = aum.reduce((s, x) => s + x, 0);
        const share = (x: number): number => (100 * x) / N;
        expect(share(n[0]!)).toBeGreaterThan(83.5);
        expect(share(n[0]!)).toBeLessThan(86.5);
        expect(Math.abs(share(n[1]!) - 10.6)).toBeLessThan(1.2);
        expect(Math.abs(share(n[2]! + n[3]!) - 4.2)).toBeLessThan(0.6);
        expect(Math.abs(share(n[2]!) - 3.9)).toBeLessThan(0.6);
        expect(Math.abs(share(n[3]!) - 0.3)).toBeLessThan(0.12);
        expect(share(n[4]!)).toBeGreaterThan(0.003);
        expect(share(n[4]!)).toBeLessThan(0.03);
        expect(Math.abs((100 * aum[0]!) / A - 2)).toBeLessThan(0.8);
        expect(Math.abs((100 * aum[1]!) / A - 11)).toBeLessThan(2);
        expect(Math.abs((100 * (aum[2]! + aum[3]! + aum[4]!)) / A - 87)).toBeLessThan(3);
      }
    });

    it('has unique, opaque, stable customer ids', () => {
      let prev: Set<string> | null = null;
      for (const { rows } of snaps) {
        const ids = new Set(rows.map((r) => r.id));
        expect(ids.size).toBe(rows.length);
        expect(rows.filter((r) => !/^C\d{9}$/.test(r.id))).toEqual([]);
        if (prev) {
          let kept = 0;
          for (const id of prev) if (ids.has(id)) kept++;
          // ~1 % attrition and ~1–2 % inflow a month.
          expect(kept / prev.size).toBeGreaterThan(0.98);
          expect(kept / prev.size).toBeLessThan(0.995);
          expect((ids.size - kept) / ids.size).toBeGreaterThan(0.008);
          expect((ids.size - kept) / ids.size).toBeLessThan(0.022);
        }
        prev = ids;
      }
    });

    it('has ~40 skewed branches, tiny ones among them, one holding two private-banking customers', () => {
      for (const { rows } of snaps) {
        const size = new Map<string, number>();
        const priv = new Map<string, number>();
        let badCode = 0;
        for (const r of rows) {
          if (!/^B\d{3}$/.test(r.branch)) badCode++;
          size.set(r.branch, (size.get(r.branch) ?? 0) + 1);
          if (r.aum >= 8_000_000) priv.set(r.branch, (priv.get(r.branch) ?? 0) + 1);
        }
        expect(badCode).toBe(0);
        expect(size.size).toBeGreaterThanOrEqual(36);
        expect(size.size).toBeLessThanOrEqual(44);
        const tiny = [...size].filter(([, n]) => n >= 10 && n <= 40).map(([b]) => b);
        expect(tiny.length).toBeGreaterThanOrEqual(2);
        expect(tiny.some((b) => (priv.get(b) ?? 0) >= 2)).toBe(true);
        const sizes = [...size.values()].sort((a, b) => b - a);
        expect(sizes[0]! / rows.length).toBeGreaterThan(0.06);
      }
    });

    it('has plausible amounts, open dates, transfers and migration', () => {
      for (const { date, rows } of snaps) {
        let zero = 0;
        let depositsOver = 0;
        let invalid = 0;
        for (const r of rows) {
          if (!(r.aum >= 0 && r.deposits >= 0 && r.open <= date && /^\d{4}-\d{2}-\d{2}$/.test(r.open))) invalid++;
          if (r.aum === 0) zero++;
          if (r.deposits > r.aum) depositsOver++;
        }
        expect(invalid).toBe(0);
        expect(zero / rows.length).toBeGreaterThan(0.01);
        expect(zero / rows.length).toBeLessThan(0.1);
        // Deposits are part of financial assets: a sample row above aum would print a warning on every build.
        expect(depositsOver).toBe(0);
      }
      let up = 0;
      let down = 0;
      let transfers = 0;
      let opened = 0;
      let reappeared = 0;
      for (let s = 1; s < snaps.length; s++) {
        const start = new Map(snaps[s - 1]!.rows.map((r) => [r.id, r]));
        for (const r of snaps[s]!.rows) {
          const before = start.get(r.id);
          if (!before) {
            if (r.open > snaps[s - 1]!.date) opened++;
            else reappeared++;
            continue;
          }
          if (before.branch !== r.branch) transfers++;
          const a = tier(before.aum);
          const b = tier(r.aum);
          if (a >= 2 && b > a) up++;
          if (a >= 2 && b < a) down++;
        }
      }
      expect(transfers).toBeGreaterThan(0);
      expect(down).toBeGreaterThan(up);
      expect(up).toBeGreaterThan(0);
      expect(opened).toBeGreaterThan(reappeared);
      expect(reappeared).toBeGreaterThan(0);
    });
  });
});
