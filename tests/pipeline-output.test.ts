// What the pipeline publishes: nothing that reveals one customer, the same bytes
// on every run, and never a half-written output folder.
import { beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readJson, readTree, runCli, runInProcess, tempDir, writeSnapshots, type Row } from './helpers/pipeline.ts';

// A bank of two branches under the default rules (minCell 10, p 10 %).
// TINY has 10 ordinary customers and 2 private-banking customers (9 and 12 million 元).
function book(month: number): Row[] {
  const rows: Row[] = [];
  const drift = month * 7; // every balance moves a little between snapshots, as in life
  for (let i = 0; i < 30; i++) rows.push([`BIG-ORD-${i}`, 'BIG', 1000 + i * 10 + drift, 100, '2015-01-01']);
  for (let i = 0; i < 20; i++) rows.push([`BIG-POT-${i}`, 'BIG', 20000 + i * 100 + drift, 1000, '2015-01-01']);
  for (let i = 0; i < 15; i++) rows.push([`BIG-MID-${i}`, 'BIG', 300000 + i * 1000 + drift, 5000, '2015-01-01']);
  for (let i = 0; i < 11; i++) rows.push([`BIG-PB-${i}`, 'BIG', 9_500_000 + i * 10_000 + drift, 50000, '2015-01-01']);
  for (let i = 0; i < 10; i++) rows.push([`TINY-ORD-${i}`, 'TINY', 100 * (i + 1) + drift, 10, '2015-01-01']);
  rows.push(['TINY-PB-A', 'TINY', 9_000_000, 123_456, '2015-01-01']);
  rows.push(['TINY-PB-B', 'TINY', 12_000_000, 654_321, '2015-01-01']);
  return rows;
}

let data: string;
let out: string;
let tree: Map<string, Buffer>;

beforeAll(async () => {
  const dir = await tempDir();
  data = await writeSnapshots(path.join(dir, 'in'), { '2025-12-31.csv': book(0), '2026-01-31.csv': book(1) });
  out = path.join(dir, 'out');
  await runInProcess(data, out);
  tree = await readTree(out);
});

/** Every number anywhere in the output JSON. */
function publishedNumbers(): Set<number> {
  const nums = new Set<number>();
  const walk = (v: unknown) => {
    if (typeof v === 'number') nums.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const [file, bytes] of tree) if (file.endsWith('.json')) walk(JSON.parse(bytes.toString('utf8')));
  return nums;
}

describe('disclosure control in the output', () => {
  it('publishes neither the sum, the average nor either balance of a branch with 2 private-banking customers', () => {
    const nums = publishedNumbers();
    // in fen: 9 000 000 + 12 000 000 = 21 000 000 元; average 10 500 000 元
    for (const v of [900_000_000, 1_200_000_000, 2_100_000_000, 1_050_000_000, 12_345_600, 65_432_100, 77_777_700, 38_888_850])
      expect(nums.has(v), `value ${v} is published`).toBe(false);
  });

  it('withholds the private-banking cells of the tiny branch and blocks recovery by subtraction', async () => {
    for (const date of ['2025-12-31', '2026-01-31']) {
      const snap = await readJson(out, `snapshots/${date}.json`);
      const tiny = snap.scopes.find((s: any) => s.branch === 'TINY');
      const big = snap.scopes.find((s: any) => s.branch === 'BIG');
      const bank = snap.scopes.find((s: any) => s.branch === null);
      const pb = tiny.tiers.find((t: any) => t.tier === 'private');
      for (const k of ['n', 'aum', 'deposits', 'avgAum', 'aumShare', 'contributionIndex']) expect(pb[k], k).toHaveProperty('suppressed');
      const isNum = (x: unknown) => typeof x === 'number';
      for (const m of ['n', 'aum', 'deposits']) {
        // Row line: the branch total minus its other tiers.
        const others = tiny.tiers.filter((t: any) => t.tier !== 'private').map((t: any) => t[m]);
        expect(isNum(tiny[m === 'n' ? 'customers' : m]) && others.every(isNum), `${date} TINY ${m} recoverable from its row`).toBe(false);
        // Column line: the bank's private tier minus BIG's.
        const col = [bank, big].map((s) => s.tiers.find((t: any) => t.tier === 'private')[m]);
        expect(col.every(isNum), `${date} TINY private ${m} recoverable from bank − BIG`).toBe(false);
      }
    }
  });

  it('withholds concentration figures of scopes too small to publish them', async () => {
    const snap = await readJson(out, 'snapshots/2025-12-31.json');
    const tiny = snap.scopes.find((s: any) => s.branch === 'TINY').concentration.aum;
    // 12 customers: the top 1 % is ceil(0.12) = 1 customer < 10
    expect(tiny.top1).toHaveProperty('suppressed');
    expect(tiny.top20).toHaveProperty('suppressed'); // ceil(2.4) = 3 customers
    // No published Lorenz segment may describe fewer than 10 of the 12 customers, so only 0 and 100 % remain.
    expect(tiny.lorenz.map((p: any) => p.p)).toEqual([0, 1]);
    const q = await readJson(out, 'quality.json');
    expect(q.suppressed.frequency).toBeGreaterThan(0);
  });

  it('never writes a customer id', () => {
    const ids = [...book(0), ...book(1)].map((r) => r[0]);
    for (const [file, bytes] of tree) {
      const text = bytes.toString('utf8');
      for (const id of ids) expect(text.includes(id), `${id} in ${file}`).toBe(false);
    }
  });
});

describe('manifest and determinism', () => {
  it('records provenance of inputs and outputs', async () => {
    const m = await readJson(out, 'manifest.json');
    expect(m.inputs.map((i: any) => [i.file, i.snapshotDate, i.rowsRead, i.rowsUsed, i.rowsRejected])).toEqual([
      ['2025-12-31.csv', '2025-12-31', 88, 88, 0],
      ['2026-01-31.csv', '2026-01-31', 88, 88, 0],
    ]);
    expect(m.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.scopes).toEqual([null, 'BIG', 'TINY']);
    const listed = m.outputs.map((o: any) => o.file).sort();
    expect(listed).toEqual([...tree.keys()].filter((f) => f !== 'manifest.json').sort());
  });

  it('gives byte-identical output on a second run', async () => {
    const again = path.join(await tempDir(), 'out');
    await runInProcess(data, again);
    const second = await readTree(again);
    expect([...second.keys()].sort()).toEqual([...tree.keys()].sort());
    for (const [file, bytes] of tree) expect(second.get(file)!.equals(bytes), file).toBe(true);
  });

  it('leaves the previous output untouched when a run fails midway', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'out');
    await runInProcess(data, target);
    const before = await readTree(target);
    // The second file lacks the deposits column: the run fails after loading the first.
    const bad = await writeSnapshots(path.join(dir, 'bad'), { '2025-12-31.csv': book(0) });
    await writeFile(path.join(bad, '2026-01-31.csv'), 'customer_id,branch,aum\nX1,BIG,100\n');
    await expect(runInProcess(bad, target)).rejects.toThrow(/deposits/);
    const after = await readTree(target);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [file, bytes] of before) expect(after.get(file)!.equals(bytes), file).toBe(true);
    // and no staging folder is left beside it
    expect((await readdir(dir)).sort()).toEqual(['bad', 'out']);
  });
});

describe('CLI', () => {
  it('prints one summary line per file and the totals, exit 0', async () => {
    const target = path.join(await tempDir(), 'out');
    const r = runCli(['--data', data, '--out', target, '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2025-12-31.csv: read 88, used 88, rejected 0');
    expect(r.stdout).toContain('total: read 176, used 176, rejected 0');
  });

  it('exits 1 with one message naming the file on invalid input', async () => {
    const dir = await writeSnapshots(path.join(await tempDir(), 'in'), {});
    await writeFile(path.join(dir, '2025-12-31.csv'), 'customer_id,branch,aum\nX1,BIG,100\n');
    const r = runCli(['--data', dir, '--out', path.join(dir, '..', 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/2025-12-31\.csv/);
    expect(r.stderr).toMatch(/deposits/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 1 naming the field of a bad config', async () => {
    const dir = await writeSnapshots(path.join(await tempDir(), 'in'), { '2025-12-31.csv': book(0) }, { privacy: { minCell: 0 } });
    const r = runCli(['--data', dir, '--out', path.join(dir, '..', 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/privacy\.minCell/);
  });

  it('exits 2 on bad usage and documents itself in --help', () => {
    expect(runCli(['--bogus']).status).toBe(2);
    expect(runCli(['--data', '/nonexistent/dir']).status).toBe(2);
    for (const bad of [['--cache-keep-days', '-1'], ['--cache-keep-days', '1.5'], ['--cache-keep-days', '30', '--no-cache']]) {
      const r = runCli(bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^error: .*--cache-keep-days/);
    }
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--data DIR/);
    expect(help.stdout).toMatch(/Exit codes/);
    expect(help.stdout).toMatch(/--cache-keep-days N/);
  });
});

describe('data quality', () => {
  it('warns when ids do not match between snapshots (a fresh salt per export)', async () => {
    const dir = await tempDir();
    const salted = book(1).map((r): Row => [`X${r[0]}`, r[1], r[2], r[3], r[4]]);
    const input = await writeSnapshots(path.join(dir, 'in'), { '2025-12-31.csv': book(0), '2026-01-31.csv': salted });
    const target = path.join(dir, 'out');
    await runInProcess(input, target);
    const q = await readJson(target, 'quality.json');
    // none of the 88 customers of 2026-01-31 appears in 2025-12-31
    expect(q.idMatch).toEqual([{ start: '2025-12-31', end: '2026-01-31', startCustomers: 88, endCustomers: 88, matched: 0, matchShare: 0, warning: true }]);
    expect(q.warnings.some((w: string) => w.includes('customer ids may not be stable'))).toBe(true);
  });

  it('counts rejected rows below the limit, keeps the rest, and reports where they were', async () => {
    const dir = await tempDir();
    const rows = [...book(0), ['BAD-1', 'BIG', '-5', 1, '2015-01-01'] as Row];
    const input = await writeSnapshots(path.join(dir, 'in'), { '2025-12-31.csv': rows }, { maxRejectShare: 0.05 });
    const target = path.join(dir, 'out');
    await runInProcess(input, target, { maxRejectShare: 0.05 });
    const q = await readJson(target, 'quality.json');
    expect(q.files[0]).toMatchObject({ rowsRead: 89, rowsUsed: 88, rowsRejected: 1, rejected: { negative_aum: 1 } });
    // header on line 1, 88 good rows on lines 2–89, the bad one on line 90
    expect(q.files[0].examples).toEqual([{ reason: 'negative_aum', line: 90, column: 'aum' }]);
    // the offending value is row-level data: never published
    expect(JSON.stringify(q)).not.toContain('-5');
    const m = await readJson(target, 'manifest.json');
    expect(m.inputs[0]).toMatchObject({ rowsRead: 89, rowsUsed: 88, rowsRejected: 1 });
  });
});
