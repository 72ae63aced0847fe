// A throw-away copy of the project for tests that run whole builds on their own
// input: the sources, config and public assets are copied, node_modules is linked,
// and the copy's data/snapshots/ holds the test's files. `npm run build` there is
// exactly a newcomer's build, and it cannot touch this checkout's dist/ or public/data.
import { cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './pipeline.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COPIED = ['src', 'scripts', 'public', 'astro.config.mjs', 'package.json', 'tsconfig.json'];

export interface ProjectCopy {
  root: string;
  /** Writes a file under the copy (e.g. `data/snapshots/x.csv`). */
  put(rel: string, content: string | Buffer): Promise<void>;
  /** Runs `npm run <script> -- args` in the copy and waits. */
  npm(script: string, args?: string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  /** Starts `npm run <script>` without waiting (for kill tests); the child leads its own process group. */
  start(script: string, args?: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof spawn>;
  remove(): Promise<void>;
}

export async function projectCopy(prefix = 'ts-project-'): Promise<ProjectCopy> {
  const root = await tempDir(prefix);
  for (const entry of COPIED) {
    await cp(path.join(ROOT, entry), path.join(root, entry), {
      recursive: true,
      filter: (src) => !src.startsWith(path.join(ROOT, 'public', 'data')),
    });
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  // The copy builds with its own defaults, whatever this process was given.
  const env = (extra?: NodeJS.ProcessEnv) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TIERSCOPE_')));
    return { ...base, ASTRO_TELEMETRY_DISABLED: '1', ...extra };
  };
  const npmArgs = (script: string, args: string[]) => ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])];
  return {
    root,
    async put(rel, content) {
      const full = path.join(root, rel);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, content);
    },
    npm(script, args = [], extra) {
      return spawnSync('npm', npmArgs(script, args), { cwd: root, env: env(extra), encoding: 'utf8', maxBuffer: 256 << 20 });
    },
    start(script, args = [], extra) {
      return spawn('npm', npmArgs(script, args), { cwd: root, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    },
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
