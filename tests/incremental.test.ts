// The pipeline cache: a rebuild that reuses cached results must publish the same
// bytes as a clean build of the same inputs, must redo only the row-level work
// that changed, and must never trust an entry it cannot verify.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, readdir, readFile, rm, stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseConfig } from '../src/lib/config.ts';
import { createProgress, type Progress } from '../src/engine/progress.ts';
import { runPipeline } from '../src/engine/run.ts';
import { generateSampleBank, sampleDates } from '../src/lib/sampleBank.ts';
import { readTree, tempDir } from './helpers/pipeline.ts';

const OPTS = { customers: 4000, snapshots: 5, seed: 11 };
// sampleDates starts at 2024-12-31: the headline pairs 2024-12-31 (the last
// year end) with the latest snapshot, so it is not consecutive.
const DATES = sampleDates(OPTS);
const name = (date: string) => `bank_${date}.csv`;

let root: string;
let all: string;

beforeAll(async () => {
  root = await tempDir('ts-incremental-');
  all = path.join(root, 'all');
  await mkdir(all);
  let k = 0;
  for (const snap of generateSampleBank(OPTS)) await writeFile(path.join(all, name(DATES[k++]!)), Buffer.concat([...snap.csvChunks()]));
});

let n = 0;
const fresh = (label: string) => path.join(root, `${label}-${n++}`);

/** A data folder holding the given dates' files (links to the generated ones). */
async function folder(dates: readonly string[]): Promise<string> {
  const dir = fresh('data');
  await mkdir(dir);
  for (const d of dates) await symlink(path.join(all, name(d)), path.join(dir, name(d)));
  return dir;
}

interface Built {
  tree: Map<string, Buffer>;
  work: { loads: number; flows: number };
  warnings: string[];
  hits: { snapshot: number; flows: number };
}

async function build(data: string, opts: { cache?: string; config?: unknown; memoryLimit?: string; tempDir?: string; keepDays?: number } = {}): Promise<Built> {
  const warnings: string[] = [];
  const progress: Progress = { ...createProgress(process.stderr, true), warn: (m) => warnings.push(m) };
  const out = fresh('out');
  const r = await runPipeline({
    snapshotsDir: data,
    outDir: out,
    config: parseConfig(opts.config ?? {}),
    progress,
    cacheDir: opts.cache ?? null,
    memoryLimit: opts.memoryLimit,
    tempDir: opts.tempDir,
    ...(opts.keepDays !== undefined ? { cacheKeepDays: opts.keepDays } : {}),
    today: '2026-11-24',
  });
  const tree = await readTree(out);
  await rm(out, { recursive: true });
  return { tree, work: r.work, warnings: warnings.filter((w) => w.includes('cache')), hits: { snapshot: r.cache?.hits.snapshot ?? 0, flows: r.cache?.hits.flows ?? 0 } };
}

/** Same files, byte for byte (a readable failure names the first file that differs). */
function expectSameTree(a: Map<string, Buffer>, b: Map<string, Buffer>) {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [file, bytes] of a) expect({ file, same: bytes.equals(b.get(file)!) }).toEqual({ file, same: true });
}

describe('incremental rebuilds equal clean builds', () => {
  it('adding a snapshot loads the new file and the two its new periods pair it with', async () => {
    const cache = fresh('cache');
    await build(await folder(DATES.slice(0, 4)), { cache });
    const data = await folder(DATES);
    const inc = await build(data, { cache });
    const clean = await build(data);
    expectSameTree(inc.tree, clean.tree);
    // New periods: 2025-03-31 → 2025-04-30 and the headline 2024-12-31 → 2025-04-30.
    expect(inc.work).toEqual({ loads: 3, flows: 2 });
    expect(clean.work).toEqual({ loads: 5, flows: 5 });
    expect(inc.hits).toEqual({ snapshot: 4, flows: 3 });
  });

  it('a rebuild with nothing changed does no row-level work', async () => {
    const cache = fresh('cache');
    const data = await folder(DATES);
    const first = await build(data, { cache });
    const again = await build(data, { cache });
    expectSameTree(again.tree, first.tree);
    expect(again.work).toEqual({ loads: 0, flows: 0 });
    expect(again.hits).toEqual({ snapshot: 5, flows: 5 });
  });

  it('removing a snapshot joins only the new pair around the gap', async () => {
    const cache = fresh('cache');
    await build(await folder(DATES), { cache });
    const kept = DATES.filter((_, i) => i !== 2);
    const data = await folder(kept);
    const inc = await build(data, { cache });
    expectSameTree(inc.tree, (await build(data)).tree);
    // Only 2025-01-31 → 2025-03-31 is new; the headline is unchanged.
    expect(inc.work).toEqual({ loads: 2, flows: 1 });
  });

  it('replacing a snapshot recomputes it and the periods it is part of', async () => {
    const cache = fresh('cache');
    const data = fresh('data');
    await mkdir(data);
    for (const d of DATES) await copyFile(path.join(all, name(d)), path.join(data, name(d)));
    await build(data, { cache });
    // A corrected export: the same file less its last 40 customers.
    const target = path.join(data, name(DATES[2]!));
    const lines = (await readFile(target, 'utf8')).trimEnd().split('\n');
    await writeFile(target, `${lines.slice(0, -40).join('\n')}\n`);
    const inc = await build(data, { cache });
    const clean = await build(data);
    expectSameTree(inc.tree, clean.tree);
    expect(inc.work).toEqual({ loads: 3, flows: 2 });
    const manifest = JSON.parse(inc.tree.get('manifest.json')!.toString('utf8'));
    expect(manifest.inputs[2].rowsRead).toBe(lines.length - 1 - 40);
  });

  it('a tier bound change recomputes everything; a label change recomputes nothing', async () => {
    const cache = fresh('cache');
    const data = await folder(DATES);
    await build(data, { cache });
    const tiers = parseConfig({}).tiers.map((t) => (t.key === 'high' ? { ...t, lower: 1_500_000 } : t));
    const bound = await build(data, { cache, config: { tiers } });
    expectSameTree(bound.tree, (await build(data, { config: { tiers } })).tree);
    expect(bound.work).toEqual({ loads: 5, flows: 5 });
    const title = { zh: '测试报告', en: 'Test report' };
    const label = await build(data, { cache, config: { title } });
    expectSameTree(label.tree, (await build(data, { config: { title } })).tree);
    expect(label.work).toEqual({ loads: 0, flows: 0 });
  });
});

describe('a damaged or foreign cache entry is detected and recomputed', () => {
  let data: string;
  let clean: Map<string, Buffer>;
  beforeAll(async () => {
    data = await folder(DATES);
    clean = (await build(data)).tree;
  });

  async function warmCache() {
    const cache = fresh('cache');
    await build(data, { cache });
    const entries = async (kind: string) => (await readdir(path.join(cache, kind))).sort().map((f) => path.join(cache, kind, f));
    return { cache, snapshots: await entries('snapshot'), flows: await entries('flows'), reports: await entries('report') };
  }

  /** After tampering: a warning naming the entry, the clean bytes, and a cache that is whole again. */
  async function expectRecomputed(cache: string, entry: string, why: RegExp, work: { loads: number; flows: number }) {
    const r = await build(data, { cache });
    expect(r.warnings.some((w) => w.includes(entry) && why.test(w))).toBe(true);
    expectSameTree(r.tree, clean);
    expect(r.work).toEqual(work);
    const healed = await build(data, { cache });
    expect(healed.warnings).toEqual([]);
    expect(healed.work).toEqual({ loads: 0, flows: 0 });
  }

  it('a truncated snapshot entry', async () => {
    const { cache, snapshots } = await warmCache();
    const entry = snapshots[0]!;
    await truncate(entry, (await readFile(entry)).length - 100);
    await expectRecomputed(cache, entry, /truncated/, { loads: 1, flows: 0 });
  });

  it('a flows entry with one byte changed', async () => {
    const { cache, flows } = await warmCache();
    const entry = flows[1]!;
    const bytes = await readFile(entry);
    const at = bytes.length - 20;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
    await writeFile(entry, bytes);
    // One period joined again: both its snapshots are loaded.
    await expectRecomputed(cache, entry, /checksum/, { loads: 2, flows: 1 });
  });

  it('an assembled report entry with one byte changed (assembly runs again, no row-level work)', async () => {
    const { cache, reports } = await warmCache();
    expect(reports).toHaveLength(1);
    const bytes = await readFile(reports[0]!);
    const at = Math.floor(bytes.length * 0.7);
    bytes[at] = bytes[at] === 0x30 ? 0x39 : 0x30;
    await writeFile(reports[0]!, bytes);
    await expectRecomputed(cache, reports[0]!, /checksum/, { loads: 0, flows: 0 });
  });

  it('another entry copied over one (a foreign key)', async () => {
    const { cache, snapshots } = await warmCache();
    await copyFile(snapshots[1]!, snapshots[0]!);
    await expectRecomputed(cache, snapshots[0]!, /another key/, { loads: 1, flows: 0 });
  });

  it('a well-formed entry whose payload breaks its schema (a negative count)', async () => {
    const { cache, snapshots } = await warmCache();
    const entry = snapshots[2]!;
    const text = await readFile(entry, 'utf8');
    const nl = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, nl));
    const payload = JSON.parse(text.slice(nl + 1));
    payload.cells[0].n = -1;
    const body = Buffer.from(JSON.stringify(payload));
    // A correct checksum: only the schema can catch it.
    const forged = { ...header, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
    await writeFile(entry, Buffer.concat([Buffer.from(`${JSON.stringify(forged)}\n`), body]));
    await expectRecomputed(cache, entry, /schema/, { loads: 1, flows: 0 });
  });

  it('a file that is no cache entry at all', async () => {
    const { cache, snapshots } = await warmCache();
    await writeFile(snapshots[3]!, 'hello\n');
    await expectRecomputed(cache, snapshots[3]!, /not a Tierscope pipeline cache entry/, { loads: 1, flows: 0 });
  });
});

describe('a low memory limit spills and gives the same output', () => {
  it('100 MB on 2 × 1.2 M customers (about 120 MB of tables) equals the unlimited run, with spill files written', async () => {
    const opts = { customers: 1_200_000, snapshots: 2, seed: 5 };
    const dates = sampleDates(opts);
    const data = fresh('mid');
    await mkdir(data);
    let k = 0;
    for (const snap of generateSampleBank(opts)) await writeFile(path.join(data, name(dates[k++]!)), Buffer.concat([...snap.csvChunks()]));
    const unlimited = await build(data);
    const spill = fresh('spill');
    await mkdir(spill);
    // DuckDB's temp files live below tempDir only while the run lasts: watch it.
    let peak = 0;
    const du = async (d: string): Promise<number> => {
      let total = 0;
      for (const e of await readdir(d, { withFileTypes: true, recursive: true }).catch(() => []))
        if (e.isFile() && path.basename(e.parentPath) === 'spill') total += await stat(path.join(e.parentPath, e.name)).then((s) => s.size, () => 0);
      return total;
    };
    const watch = setInterval(() => void du(spill).then((b) => (peak = Math.max(peak, b))), 50);
    const limited = await build(data, { memoryLimit: '100MB', tempDir: spill });
    clearInterval(watch);
    expectSameTree(limited.tree, unlimited.tree);
    expect(peak).toBeGreaterThan(0);
  });
});

describe('old cache entries are pruned', () => {
  /** Entry files of a cache folder, as kind/name. */
  const entries = async (cache: string): Promise<string[]> =>
    (await Promise.all(['snapshot', 'flows', 'report'].map(async (k) => (await readdir(path.join(cache, k)).catch(() => [] as string[])).map((f) => `${k}/${f}`))))
      .flat()
      .sort();
  const age = async (cache: string, files: readonly string[], days: number) => {
    const then = new Date(Date.now() - days * 86_400_000);
    for (const f of files) await utimes(path.join(cache, f), then, then);
  };

  // What should remain is found apart: the entries a clean cache holds after one
  // build of the current inputs. The rest are those of the dropped snapshot.
  it('removes what no run used for the keep period, keeps what this run used however old', async () => {
    const cache = fresh('cache');
    await build(await folder(DATES), { cache });
    const current = await folder(DATES.slice(0, 4));
    const own = fresh('cache');
    await build(current, { cache: own });
    const wanted = await entries(own);

    await build(current, { cache }); // the 5th snapshot's entries are now unused
    const before = await entries(cache);
    const unused = before.filter((f) => !wanted.includes(f));
    // The 5th file's snapshot entry, its two periods and the 5-file report.
    expect(unused.map((f) => f.split('/')[0]).sort()).toEqual(['flows', 'flows', 'report', 'snapshot']);

    // 89 days unused: kept at the default of 90.
    await age(cache, before, 89);
    let again = await build(current, { cache });
    expect(again.work).toEqual({ loads: 0, flows: 0 });
    expect(await entries(cache)).toEqual(before);

    // 91 days: removed, while the entries this run used (just as old) stay and are marked used.
    await age(cache, before, 91);
    again = await build(current, { cache });
    expect(again.work).toEqual({ loads: 0, flows: 0 });
    expect(await entries(cache)).toEqual(wanted);
    for (const f of wanted) expect(Date.now() - (await stat(path.join(cache, f))).mtimeMs).toBeLessThan(3_600_000);
  });

  it('with keep days 0, removes every entry the run did not use, at once', async () => {
    const cache = fresh('cache');
    await build(await folder(DATES), { cache });
    const current = await folder(DATES.slice(1));
    const own = fresh('cache');
    await build(current, { cache: own });
    const after = await build(current, { cache, keepDays: 0 });
    expect(await entries(cache)).toEqual(await entries(own));
    // The next run finds everything it needs.
    expect((await build(current, { cache })).work).toEqual({ loads: 0, flows: 0 });
    expect(after.tree.size).toBeGreaterThan(0);
  });
});
