// Output folders are the tool's own (issue 14, item 1): the pipeline's --out and
// the build's dist/ are replaced only when empty, absent, or holding a previous
// output of the tool. Everything else is refused, and the user's files are left
// byte for byte as they were.
import { lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markOutput, stageFolder, stageOutput, writeInPlace } from '../src/engine/outputDir.ts';
import { readTree, runCli, tempDir, writeSnapshots, type Row } from './helpers/pipeline.ts';
import { ROOT } from './helpers/project.ts';

/** The user's own files: a spreadsheet, notes, and a folder of their own. */
async function userFolder(dir: string): Promise<string> {
  await mkdir(path.join(dir, 'drafts'), { recursive: true });
  await writeFile(path.join(dir, 'budget.xlsx'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 255]));
  await writeFile(path.join(dir, 'notes.txt'), '给行长的备注\n');
  await writeFile(path.join(dir, 'drafts', 'q3.md'), '# Q3\n');
  return dir;
}

/** Stages `out` and, if the stage is granted, fills and commits it (what a run does); the error otherwise. */
async function replace(out: string, opts?: Parameters<typeof stageFolder>[1]): Promise<unknown> {
  try {
    const s = await stageFolder(out, opts);
    await writeFile(path.join(s.dir, 'index.html'), '<p>new</p>\n');
    await s.commit();
    return 'replaced';
  } catch (e) {
    return e;
  }
}

/** Asks for a stage and gives it straight back (for folders a test must never let a run replace). */
async function ask(out: string, opts?: Parameters<typeof stageFolder>[1]): Promise<unknown> {
  try {
    const s = await stageFolder(out, opts);
    await s.abort();
    return 'granted';
  } catch (e) {
    return e;
  }
}

function refused(e: unknown, message: string | RegExp): void {
  expect(e, 'the stage was granted').toBeInstanceOf(Error);
  expect((e as Error).name).toBe('OutputRefused');
  if (typeof message === 'string') expect((e as Error).message).toBe(message);
  else expect((e as Error).message).toMatch(message);
  expect((e as Error).message).not.toContain('\n');
}

const slash = (p: string) => `${p}/`;
const STAGING = /tierscope-(tmp|old)-/;
const leftovers = async (dir: string) => (await readdir(dir)).filter((n) => STAGING.test(n));

describe('folders that are not the tool’s are refused, their files untouched', () => {
  it('a folder holding the user’s files: refused, naming the folder and what it holds', async () => {
    const out = await userFolder(path.join(await tempDir(), 'out'));
    const before = await readTree(out);
    refused(await replace(out), `refusing to replace ${slash(out)}: it holds 3 entries Tierscope did not write (budget.xlsx, drafts, notes.txt); choose an empty or new folder`);
    expect(await readTree(out)).toEqual(before);
    expect(await leftovers(path.dirname(out))).toEqual([]);
  });

  it('more than three foreign entries: the first three, then …', async () => {
    const out = await userFolder(path.join(await tempDir(), 'out'));
    await writeFile(path.join(out, 'zz.csv'), 'a,b\n');
    refused(await replace(out), `refusing to replace ${slash(out)}: it holds 4 entries Tierscope did not write (budget.xlsx, drafts, notes.txt, …); choose an empty or new folder`);
  });

  it('a previous output the user added a file to: refused, naming the file', async () => {
    const out = path.join(await tempDir(), 'out');
    expect(await replace(out)).toBe('replaced');
    await writeFile(path.join(out, 'notes.txt'), 'mine\n');
    const before = await readTree(out);
    refused(
      await replace(out),
      `refusing to replace ${slash(out)}: it holds a previous Tierscope output and 1 entry Tierscope did not write (notes.txt); move it away or choose an empty or new folder`,
    );
    expect(await readTree(out)).toEqual(before);
  });

  it('a pipeline output (told by its manifest) with a file added inside a subfolder: refused', async () => {
    const out = path.join(await tempDir(), 'out');
    const s = await stageOutput(out);
    const a = await s.write('snapshots/2025-12-31.json', '{}');
    await s.write('manifest.json', JSON.stringify({ outputVersion: 1, toolVersion: 'x', outputs: [a] }));
    await s.commit();
    await writeFile(path.join(out, 'snapshots', 'mine.xlsx'), 'x');
    refused(await replace(out), /it holds a previous Tierscope output and 1 entry Tierscope did not write \(snapshots\/mine\.xlsx\)/);
    expect(await readFile(path.join(out, 'snapshots', 'mine.xlsx'), 'utf8')).toBe('x');
  });

  it('--out equal to the data folder', async () => {
    const data = await writeSnapshots(path.join(await tempDir(), 'in'), { '2025-12-31.csv': [['C1', 'B', 1, 1]] });
    const before = await readTree(data);
    refused(await replace(data, { data: [data] }), `refusing to replace ${slash(data)}: it is the data folder; choose an empty or new folder outside it`);
    expect(await readTree(data)).toEqual(before);
  });

  it('--out inside the data folder', async () => {
    const data = await writeSnapshots(path.join(await tempDir(), 'in'), { '2025-12-31.csv': [['C1', 'B', 1, 1]] });
    const before = await readTree(data);
    const out = path.join(data, 'report');
    refused(await replace(out, { data: [data] }), `refusing to replace ${slash(out)}: it is inside the data folder ${slash(data)}; choose an empty or new folder outside it`);
    expect(await readTree(data)).toEqual(before);
  });

  it('--out holding the data folder', async () => {
    const out = path.join(await tempDir(), 'work');
    const data = await writeSnapshots(path.join(out, 'in'), { '2025-12-31.csv': [['C1', 'B', 1, 1]] });
    const before = await readTree(out);
    refused(await replace(out, { data: [data] }), `refusing to replace ${slash(out)}: it holds the data folder ${slash(data)}; choose an empty or new folder outside it`);
    expect(await readTree(out)).toEqual(before);
  });

  it('--out at the project folder, or at one of its source folders', async () => {
    refused(await ask(ROOT), `refusing to replace ${slash(ROOT)}: it is the Tierscope project folder; choose an empty or new folder outside it`);
    refused(await ask(path.dirname(ROOT)), `refusing to replace ${slash(path.dirname(ROOT))}: it holds the Tierscope project folder ${slash(ROOT)}; choose an empty or new folder outside it`);
    const src = path.join(ROOT, 'src');
    refused(await ask(src), `refusing to replace ${slash(src)}: it is the project's src/ folder; choose an empty or new folder outside it`);
    refused(await ask(path.join(ROOT, 'tests', 'out')), /: it is inside the project's tests\/ folder; choose an empty or new folder outside it$/);
    expect(await leftovers(ROOT)).toEqual([]);
  });

  it('a file where the folder should be: refused, the file untouched', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'budget.xlsx');
    const bytes = Buffer.from('PK\x03\x04 the user’s spreadsheet');
    await writeFile(out, bytes);
    refused(await replace(out), `refusing to replace ${out}: it is a file, not a folder; choose an empty or new folder`);
    expect((await lstat(out)).isFile()).toBe(true);
    expect((await readFile(out)).equals(bytes)).toBe(true);
    expect(await readdir(dir)).toEqual(['budget.xlsx']);
  });

  it('writing in place (`npm run build:exports`) into a folder of the user’s files: refused before anything is written', async () => {
    const out = await userFolder(path.join(await tempDir(), 'www'));
    const before = await readTree(out);
    let wrote = false;
    const e = await writeInPlace(out, async () => void (wrote = true)).catch((err: unknown) => err);
    refused(e, `refusing to replace ${slash(out)}: it holds 3 entries Tierscope did not write (budget.xlsx, drafts, notes.txt); choose an empty or new folder`);
    expect(wrote).toBe(false);
    expect(await readTree(out)).toEqual(before);
  });

  it('writing in place into a previous output the user added a file to: refused', async () => {
    const out = path.join(await tempDir(), 'dist');
    expect(await replace(out)).toBe('replaced');
    await writeFile(path.join(out, 'notes.txt'), 'mine\n');
    const e = await writeInPlace(out, () => mkdir(path.join(out, 'exports'))).catch((err: unknown) => err);
    refused(e, /and 1 entry Tierscope did not write \(notes\.txt\)/);
    expect((await readdir(out)).sort()).toEqual(['.tierscope-output.json', 'index.html', 'notes.txt']);
  });

  it('a file where a parent folder should be: refused', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'budget.xlsx'), 'x');
    refused(await replace(path.join(dir, 'budget.xlsx', 'out')), /: .*budget\.xlsx is a file, not a folder; choose an empty or new folder$/);
    expect(await readFile(path.join(dir, 'budget.xlsx'), 'utf8')).toBe('x');
  });
});

describe('folders the tool may replace', () => {
  it('absent: created', async () => {
    const out = path.join(await tempDir(), 'new', 'out');
    expect(await replace(out)).toBe('replaced');
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('<p>new</p>\n');
  });

  it('empty (or holding only the OS’s own .DS_Store): replaced', async () => {
    const out = path.join(await tempDir(), 'out');
    await mkdir(out);
    expect(await replace(out)).toBe('replaced');
    const other = path.join(await tempDir(), 'out');
    await mkdir(other);
    await writeFile(path.join(other, '.DS_Store'), 'x');
    expect(await replace(other)).toBe('replaced');
  });

  it('a previous output: replaced, and marked as the tool’s', async () => {
    const out = path.join(await tempDir(), 'out');
    const first = await stageFolder(out);
    await writeFile(path.join(first.dir, 'old.html'), 'old');
    await mkdir(path.join(first.dir, '_astro'));
    await first.commit();
    expect(await replace(out)).toBe('replaced');
    expect((await readdir(out)).sort()).toEqual(['.tierscope-output.json', 'index.html']);
    expect(await leftovers(path.dirname(out))).toEqual([]);
  });

  it('a previous output that `npm run build:exports` added to in place: replaced', async () => {
    const out = path.join(await tempDir(), 'dist');
    expect(await replace(out)).toBe('replaced');
    await writeInPlace(out, () => mkdir(path.join(out, 'exports')));
    expect(await replace(out)).toBe('replaced');
  });

  it('written in place into an absent folder (`npm run build:exports` before any build): marked, then replaced', async () => {
    const out = path.join(await tempDir(), 'dist');
    await writeInPlace(out, async () => {
      await mkdir(path.join(out, 'exports'), { recursive: true });
      await writeFile(path.join(out, 'exports', 'deck.pptx'), 'x');
    });
    expect((await readdir(out)).sort()).toEqual(['.tierscope-output.json', 'exports']);
    expect(await replace(out)).toBe('replaced');
  });

  it('a site Astro built whole (`npm run build:site` alone), marked when done: replaced', async () => {
    const out = path.join(await tempDir(), 'dist');
    await mkdir(path.join(out, '_astro'), { recursive: true });
    await writeFile(path.join(out, 'index.html'), 'old');
    await markOutput(out);
    expect(await replace(out)).toBe('replaced');
  });

  it('a previous pipeline output (its manifest, no marker): replaced', async () => {
    const out = path.join(await tempDir(), 'out');
    const s = await stageOutput(out);
    const a = await s.write('snapshots/2025-12-31.json', '{}');
    await s.write('manifest.json', JSON.stringify({ outputVersion: 1, toolVersion: 'x', outputs: [a] }));
    await s.commit();
    expect(await readdir(out)).not.toContain('.tierscope-output.json'); // the manifest is the pipeline's mark
    expect(await replace(out)).toBe('replaced');
  });

  it('a dist/ built before the marker existed (its data/manifest.json): replaced', async () => {
    const out = path.join(await tempDir(), 'dist');
    await mkdir(path.join(out, 'data'), { recursive: true });
    await mkdir(path.join(out, '_astro'));
    await writeFile(path.join(out, 'index.html'), 'old');
    await writeFile(path.join(out, 'data', 'manifest.json'), JSON.stringify({ outputVersion: 1, toolVersion: 'x', outputs: [] }));
    expect(await replace(out)).toBe('replaced');
  });

  it('a symlinked folder: written through, the link stays a link', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'www', 'report');
    const link = path.join(dir, 'out');
    await mkdir(target, { recursive: true });
    await symlink(path.join('www', 'report'), link);
    expect(await replace(link)).toBe('replaced');
    expect(await replace(link)).toBe('replaced'); // and again, now over its previous output
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(path.join('www', 'report'));
    expect(await readFile(path.join(target, 'index.html'), 'utf8')).toBe('<p>new</p>\n');
    expect(await leftovers(dir)).toEqual([]);
    expect(await leftovers(path.dirname(target))).toEqual([]);
  });

  it('a symlinked folder holding the user’s files: refused, naming the link and its target', async () => {
    const dir = await tempDir();
    const target = await userFolder(path.join(dir, 'www'));
    const link = path.join(dir, 'out');
    await symlink(target, link);
    const before = await readTree(target);
    refused(await replace(link), `refusing to replace ${slash(link)} (a link to ${slash(target)}): it holds 3 entries Tierscope did not write (budget.xlsx, drafts, notes.txt); choose an empty or new folder`);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readTree(target)).toEqual(before);
  });
});

describe('the pipeline CLI', () => {
  const rows: Row[] = Array.from({ length: 40 }, (_, i) => [`C${i}`, 'B', 1000 + i, 10]);

  it('exits 2 with one line, the user’s files byte-identical', async () => {
    const root = await tempDir();
    const data = await writeSnapshots(path.join(root, 'in'), { '2025-12-31.csv': rows });
    const out = await userFolder(path.join(root, 'out'));
    const before = await readTree(out);
    const r = runCli(['--data', data, '--out', out, '--quiet', '--no-cache']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: refusing to replace ${slash(out)}: it holds 3 entries Tierscope did not write (budget.xlsx, drafts, notes.txt); choose an empty or new folder\n`);
    expect(await readTree(out)).toEqual(before);
    expect((await readdir(root)).sort()).toEqual(['in', 'out']);
  });

  it('--out equal to --data: exits 2, the snapshots kept', async () => {
    const data = await writeSnapshots(path.join(await tempDir(), 'in'), { '2025-12-31.csv': rows });
    const before = await readTree(data);
    const r = runCli(['--data', data, '--out', data, '--quiet', '--no-cache']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: refusing to replace ${slash(data)}: it is the data folder; choose an empty or new folder outside it\n`);
    expect(await readTree(data)).toEqual(before);
  });
});

describe('the sample generator', () => {
  const sample = (args: string[]) => spawnSync(process.execPath, ['scripts/sample.ts', '--customers', '1000', ...args], { encoding: 'utf8' });

  it('refuses a folder of the user’s files, exit 2, the files byte-identical', async () => {
    const out = await userFolder(path.join(await tempDir(), 'data'));
    await writeFile(path.join(out, 'snapshot_2024-12-31.csv'), 'customer_id,branch,aum,deposits\nREAL,B,1,1\n');
    const before = await readTree(out);
    const r = sample(['--snapshots', '1', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`refusing to replace ${slash(out)}: it holds 4 entries Tierscope did not write (budget.xlsx, drafts, notes.txt, …); choose an empty or new folder\n`);
    expect(await readTree(out)).toEqual(before);
  });

  it('refuses a folder of the analyst’s real snapshot_<date>.csv exports (named like its own), exit 2, the files byte-identical', async () => {
    const out = path.join(await tempDir(), 'exports');
    await mkdir(out);
    await writeFile(path.join(out, 'snapshot_2024-12-31.csv'), 'customer_id,branch,aum,deposits\nREAL1,B,1,1\n');
    await writeFile(path.join(out, 'snapshot_2023-06-30.csv'), 'customer_id,branch,aum,deposits\nREAL2,B,2,2\n');
    const before = await readTree(out);
    const r = sample(['--snapshots', '1', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`refusing to replace ${slash(out)}: it holds 2 entries Tierscope did not write (snapshot_2023-06-30.csv, snapshot_2024-12-31.csv); choose an empty or new folder\n`);
    expect(await readTree(out)).toEqual(before);
  });

  it('replaces a sample folder from before the marker (the build’s .complete stamp beside its snapshots)', async () => {
    const out = path.join(await tempDir(), 'sample');
    await mkdir(out);
    await writeFile(path.join(out, 'snapshot_2024-12-31.csv'), 'old');
    await writeFile(path.join(out, 'snapshot_2025-06-30.csv'), 'old, stale');
    await writeFile(path.join(out, '.complete'), 'sample-bank 1\n');
    const r = sample(['--snapshots', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['.tierscope-output.json', 'snapshot_2024-12-31.csv']);
  });

  it('rewrites its own previous output, the build’s stamp in it too, stale snapshots gone', async () => {
    const out = path.join(await tempDir(), 'sample');
    expect(sample(['--snapshots', '3', '--out', out]).status).toBe(0);
    // what `npm run build` (scripts/build-data.ts) adds after generating it
    await writeInPlace(out, () => writeFile(path.join(out, '.complete'), 'sample-bank 1\n'));
    const r = sample(['--snapshots', '2', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['.tierscope-output.json', 'snapshot_2024-12-31.csv', 'snapshot_2025-01-31.csv']);
    expect(await leftovers(path.dirname(out))).toEqual([]);
  });
});

describe('the site build and the exports on their own', () => {
  // Both stop at the check, before any site or export work: seconds each.
  const run = (args: string[], out: string) =>
    spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TIERSCOPE_OUT_DIR: out, ASTRO_TELEMETRY_DISABLED: '1' } });

  it('`npm run build:site` (Astro empties its folder) refuses a folder of the user’s files: exit 2, files byte-identical', async () => {
    const out = await userFolder(path.join(await tempDir(), 'www'));
    const before = await readTree(out);
    const r = run([path.join('node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`build:site: refusing to replace ${slash(out)}: it holds 3 entries Tierscope did not write (budget.xlsx, drafts, notes.txt); choose an empty or new folder\n`);
    expect(await readTree(out)).toEqual(before);
  });

  it('`npm run build:exports` refuses a folder of the user’s files: exit 2, files byte-identical', async () => {
    const out = await userFolder(path.join(await tempDir(), 'www'));
    const before = await readTree(out);
    const r = run([path.join('scripts', 'build-exports.ts')], out);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`exports: refusing to replace ${slash(out)}: it holds 3 entries Tierscope did not write (budget.xlsx, drafts, notes.txt); choose an empty or new folder\n`);
    expect(await readTree(out)).toEqual(before);
  });
});
