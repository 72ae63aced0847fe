// Test helpers: write snapshot folders and run the pipeline in-process or as the CLI.
import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/lib/config.ts';
import { createProgress } from '../../src/engine/progress.ts';
import { runPipeline } from '../../src/engine/run.ts';

export async function tempDir(prefix = 'ts-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Rows as [id, branch, aum 元, deposits 元, open_date?]. */
export type Row = [string, string, number | string, number | string, string?];

export async function writeSnapshots(dir: string, files: Record<string, Row[]>, config?: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, rows] of Object.entries(files)) {
    const withOpen = rows.some((r) => r[4] !== undefined);
    const header = withOpen ? 'customer_id,branch,aum,deposits,open_date' : 'customer_id,branch,aum,deposits';
    const body = rows.map((r) => (withOpen ? r : r.slice(0, 4)).map((x) => String(x ?? '')).join(','));
    await writeFile(path.join(dir, name), `${[header, ...body].join('\n')}\n`);
  }
  if (config !== undefined) await writeFile(path.join(dir, 'tierscope.config.json'), JSON.stringify(config));
  return dir;
}

export async function runInProcess(dataDir: string, outDir: string, config: unknown = {}) {
  const quiet = createProgress(process.stderr, true);
  return runPipeline({ snapshotsDir: dataDir, outDir, config: parseConfig(config), progress: quiet });
}

export function runCli(args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/pipeline.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file below dir (relative path → bytes). */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.set(path.relative(dir, full), await readFile(full));
    }
  };
  await walk(dir);
  return out;
}

export async function readJson<T = any>(dir: string, rel: string): Promise<T> {
  return JSON.parse(await readFile(path.join(dir, rel), 'utf8')) as T;
}
