// Killed and failing runs: SIGKILL at random points of the pipeline and of the
// whole build leaves the previous output complete and byte-identical, leaves no
// temporary files in the output folder, and the next run equals a clean run. A
// full disk or a read-only output folder fails with one clear message and the
// previous output intact. The kill points come from a seeded generator and are
// printed, so a failure can be replayed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleBank, monthEnds } from '../src/lib/sampleBank.ts';
import { readTree, tempDir } from './helpers/pipeline.ts';
import { projectCopy, ROOT, type ProjectCopy } from './helpers/project.ts';
import { mulberry32 } from './helpers/random.ts';

const DATES = monthEnds('2024-12-31', 3);

async function writeBank(dir: string, customers: number, dates: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const snap of generateSampleBank({ customers, dates }))
    await writeFile(path.join(dir, `snapshot_${snap.date}.csv`), Buffer.concat([...snap.csvChunks()]));
}

/** relative path → sha256 of every file below dir. */
async function digest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [rel, bytes] of await readTree(dir)) out.set(rel, createHash('sha256').update(bytes).digest('hex'));
  return out;
}

/**
 * The pipeline's output is complete and valid: its manifest lists every other
 * file, each with the sha256 it has, and there is nothing else.
 */
function assertCompleteOutput(files: Map<string, string>, what: string): void {
  expect(files.has('manifest.json'), `${what}: no manifest.json`).toBe(true);
  const manifest = JSON.parse(readFileSync(path.join(what, 'manifest.json'), 'utf8')) as { outputs: { file: string; sha256: string }[] };
  const listed = new Map(manifest.outputs.map((o) => [o.file, o.sha256]));
  const present = new Map([...files].filter(([f]) => f !== 'manifest.json'));
  expect(listed.size, `${what}: the manifest lists no outputs`).toBeGreaterThan(5);
  expect(present, what).toEqual(listed);
}

/** Names that are leftovers of a run: staging or swapped-away folders, *.tmp files. */
const TEMP = /tierscope-(tmp|old)-|\.tmp$/;
async function leftovers(dir: string): Promise<string[]> {
  return [...(await readTree(dir)).keys()].filter((f) => TEMP.test(f));
}
async function siblings(dir: string): Promise<string[]> {
  return (await readdir(path.dirname(dir))).filter((n) => TEMP.test(n));
}

/**
 * Starts a command in its own process group and SIGKILLs the whole group `ms`
 * after it starts, or after its stderr first matches `after` (a stage of the
 * build), if it is still running then.
 */
function killAfter(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; after?: RegExp },
  ms: number,
): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let killed = false;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => {
        killed = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          killed = false; // already gone
        }
      }, ms);
    };
    if (!opts.after) arm();
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.after && timer === undefined && opts.after.test(stderr)) arm();
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ killed, stderr });
    });
  });
}

// No cache: every run does the whole work, so the kill points stay inside it (the cache has its own test below).
const pipelineArgs = (data: string, out: string, cache?: string) => [
  'scripts/pipeline.ts',
  '--data',
  data,
  '--out',
  out,
  '--quiet',
  ...(cache ? ['--cache', cache] : ['--no-cache']),
];
const runPipeline = (data: string, out: string) =>
  spawnSync(process.execPath, pipelineArgs(data, out), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });

describe('a killed pipeline', () => {
  let root: string;
  let before: Map<string, string>;
  let clean: Map<string, string>;
  let cleanMs: number;
  const out = () => path.join(root, 'site', 'data');

  beforeAll(async () => {
    root = await tempDir('ts-kill-pipeline-');
    await writeBank(path.join(root, 'old'), 20_000, DATES.slice(0, 2));
    await writeBank(path.join(root, 'new'), 20_000, DATES);
    // The clean result of the new input, in a folder of its own.
    const t0 = performance.now();
    expect(runPipeline(path.join(root, 'new'), path.join(root, 'clean')).status).toBe(0);
    cleanMs = performance.now() - t0;
    clean = await digest(path.join(root, 'clean'));
    assertCompleteOutput(clean, path.join(root, 'clean'));
    // The previous output the killed runs must not disturb.
    expect(runPipeline(path.join(root, 'old'), out()).status).toBe(0);
    before = await digest(out());
    assertCompleteOutput(before, out());
    expect(before).not.toEqual(clean);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('leaves the previous output whole at every kill point, and the next run equals a clean run', async () => {
    const random = mulberry32(20261124);
    const points: string[] = [];
    let killed = 0;
    // Two kills in each part of the run, at seeded random times into it: reading the
    // files, the flows, assembly, and the write and swap (which takes a few ms).
    const parts: [RegExp | undefined, number][] = [
      [undefined, 400],
      [/stage load:/, 150],
      [/stage flows:/, 150],
      [/stage assemble:/, 40],
    ];
    for (const [after, span] of [...parts, ...parts]) {
      const ms = Math.round(random() * span);
      const point = `${ms} ms after ${after ? after.source : 'the start'}`;
      points.push(point);
      const args = pipelineArgs(path.join(root, 'new'), out()).filter((a) => a !== '--quiet');
      const r = await killAfter(process.execPath, args, { cwd: ROOT, after }, ms);
      if (r.killed) killed++;
      const now = await digest(out()).catch(() => new Map());
      // Killed before the swap: the old output; after it: the new one. Never anything else.
      const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
      expect(same(now, before) || same(now, clean), `kill at ${point} (points so far: ${points.join('; ')})`).toBe(true);
      expect(await leftovers(out())).toEqual([]);
      if (same(now, clean)) {
        // The run finished before the kill: put the old output back for the next point.
        await rm(out(), { recursive: true, force: true });
        expect(runPipeline(path.join(root, 'old'), out()).status).toBe(0);
      }
    }
    // Most points must land inside the run, or the test proves nothing.
    expect(killed, `kill points ${points.join('; ')}; a clean run takes ${Math.round(cleanMs)} ms`).toBeGreaterThanOrEqual(6);
    const r = runPipeline(path.join(root, 'new'), out());
    expect(r.status, r.stderr).toBe(0);
    expect(await digest(out())).toEqual(clean);
    assertCompleteOutput(await digest(out()), out());
    // The next run also cleared what the killed ones left beside the output.
    expect(await siblings(out())).toEqual([]);
  });

  it('a run killed while it fills the pipeline cache leaves no entry the next run trusts wrongly', async () => {
    const cache = path.join(root, 'cache');
    const dest = path.join(root, 'cached-out');
    const random = mulberry32(7);
    // The cache is written after each period's join and after the concentration stage.
    for (const after of [/stage load:/, /stage flows:/, /stage load:/, /stage flows:/]) {
      const args = pipelineArgs(path.join(root, 'new'), dest, cache).filter((a) => a !== '--quiet');
      await killAfter(process.execPath, args, { cwd: ROOT, after }, Math.round(random() * 100));
    }
    const r = spawnSync(process.execPath, pipelineArgs(path.join(root, 'new'), dest, cache).filter((a) => a !== '--quiet'), {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/not trusted/);
    expect(await digest(dest)).toEqual(clean);
    // Half-written entries of the killed runs were swept; only whole entries remain.
    const names = (await readdir(cache, { recursive: true })).map(String);
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.json')).length).toBeGreaterThan(0);
  });
});

/** A small tmpfs, or null where this machine does not allow mounting (not root, no CAP_SYS_ADMIN). */
async function tmpfs(dir: string, size: string): Promise<string | null> {
  await mkdir(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return r.status === 0 ? dir : null;
}
const umount = (dir: string) => spawnSync('umount', ['-l', dir]);

const canMount = await (async () => {
  const probe = await tempDir('ts-mount-probe-');
  const ok = (await tmpfs(probe, '64k')) !== null;
  if (ok) umount(probe);
  await rm(probe, { recursive: true, force: true });
  return ok;
})();
if (!canMount) console.warn('killed-runs: cannot mount a tmpfs here (needs root); the disk-full and read-only checks are skipped');

describe.skipIf(!canMount)('a failing write', () => {
  let root: string;
  let mnt: string;
  beforeAll(async () => {
    root = await tempDir('ts-write-fail-');
    await writeBank(path.join(root, 'old'), 2_000, DATES.slice(0, 2));
    await writeBank(path.join(root, 'new'), 20_000, DATES);
    expect(runPipeline(path.join(root, 'old'), path.join(root, 'prev')).status).toBe(0);
  });
  afterAll(async () => {
    if (mnt) umount(mnt);
    await rm(root, { recursive: true, force: true });
  });

  async function withPrevious(size: string) {
    if (mnt) umount(mnt);
    mnt = (await tmpfs(path.join(root, `mnt-${size}`), size))!;
    await cp(path.join(root, 'prev'), path.join(mnt, 'data'), { recursive: true });
    const before = await digest(path.join(mnt, 'data'));
    assertCompleteOutput(before, path.join(mnt, 'data'));
    return { out: path.join(mnt, 'data'), before };
  }

  it('stops on a full disk with one message, exit 3, the previous output intact and no temporary folder', async () => {
    const prevBytes = [...(await readTree(path.join(root, 'prev'))).values()].reduce((n, b) => n + b.length, 0);
    // Room for the previous output and a little more, not for the new one.
    const { out, before } = await withPrevious(`${Math.ceil(prevBytes / 1024) + 256}k`);
    const r = runPipeline(path.join(root, 'new'), out);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^error: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(writing [^)]+\\): no space left on the device \\[ENOSPC\\]; the previous output was left as it was\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await digest(out)).toEqual(before);
    expect(await siblings(out)).toEqual([]);
  });

  it('stops on a read-only output folder the same way', async () => {
    const { out, before } = await withPrevious('16m');
    expect(spawnSync('mount', ['-o', 'remount,ro', mnt]).status).toBe(0);
    const r = runPipeline(path.join(root, 'new'), out);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot write .*: the file system is read-only \[EROFS\]; the previous output was left as it was\n$/);
    expect(await digest(out)).toEqual(before);
  });
});

// The whole build: data, site and exports, in a throw-away copy of the project.
describe('a killed build', () => {
  let ref: ProjectCopy;
  let p: ProjectCopy;
  const config = JSON.stringify({ exports: { png: 'bank' } });

  beforeAll(async () => {
    const bank = await tempDir('ts-kill-bank-');
    await writeBank(path.join(bank, 'old'), 20_000, DATES.slice(0, 2));
    await writeBank(path.join(bank, 'new'), 20_000, DATES);
    [ref, p] = await Promise.all([projectCopy('ts-kill-ref-'), projectCopy('ts-kill-build-')]);
    for (const [copy, which] of [[ref, 'new'], [p, 'old']] as const) {
      await cp(path.join(bank, which), path.join(copy.root, 'data', 'snapshots'), { recursive: true });
      await copy.put('data/tierscope.config.json', config);
    }
    await rm(bank, { recursive: true, force: true });
  });
  afterAll(async () => {
    await Promise.all([ref?.remove(), p?.remove()]);
  });

  it('keeps the previous dist/ whole at every kill point; the next build equals a clean one', async () => {
    const a = ref.npm('build');
    expect(a.status, a.stderr).toBe(0);
    const clean = await digest(path.join(ref.root, 'dist'));
    expect(clean.size).toBeGreaterThan(1000);
    expect([...clean.keys()].some((f) => f.endsWith('.pdf'))).toBe(true);

    const b = p.npm('build');
    expect(b.status, b.stderr).toBe(0);
    const dist = path.join(p.root, 'dist');
    const before = await digest(dist);
    expect(before.size).toBeGreaterThan(1000);
    // The new snapshots arrive; the builds below are killed part way.
    await rm(path.join(p.root, 'data', 'snapshots'), { recursive: true });
    await cp(path.join(ref.root, 'data', 'snapshots'), path.join(p.root, 'data', 'snapshots'), { recursive: true });

    const random = mulberry32(7);
    const points: string[] = [];
    // One kill in each step of the build, at a seeded random time into it: the
    // pipeline, the Astro build, the exports (PNG, CSV, deck, PDF).
    const steps: [RegExp | undefined, number][] = [
      [undefined, 300 + random() * 1500],
      [/building the site/, 1000 + random() * 8000],
      [/build: site /, 500 + random() * 15000],
    ];
    for (const [after, delay] of steps) {
      const ms = Math.round(delay);
      const point = `${ms} ms after ${after ? after.source : 'the start'}`;
      points.push(point);
      const r = await killAfter('npm', ['run', '--silent', 'build'], { cwd: p.root, env: { ASTRO_TELEMETRY_DISABLED: '1' }, after }, ms);
      expect(r.killed, `the build ended before the kill at ${point}:\n${r.stderr.slice(-2000)}`).toBe(true);
      expect(await digest(dist), `kill at ${point}`).toEqual(before);
      expect(await leftovers(dist)).toEqual([]);
    }
    const c = p.npm('build');
    expect(c.status, c.stderr).toBe(0);
    expect(await digest(dist), `after kills at ${points.join('; ')}`).toEqual(clean);
    expect(await siblings(dist)).toEqual([]);
    expect(existsSync(path.join(p.root, 'public'))).toBe(true);
    expect((await readdir(path.join(p.root, 'public'))).filter((n) => TEMP.test(n))).toEqual([]);
  });
});
