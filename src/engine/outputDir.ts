// Output is built in a sibling temp folder and swapped in only when complete,
// so a failed or killed run leaves the previous output untouched.
import { mkdir, rename, rm, writeFile, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface StagedOutput {
  dir: string;
  write(relPath: string, text: string): Promise<{ file: string; sha256: string; bytes: number }>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

const stagePrefix = (out: string) => `.${path.basename(out)}.tierscope-tmp-`;
const oldPrefix = (out: string) => `.${path.basename(out)}.tierscope-old-`;

/** Restore an output folder left renamed away by a run killed mid-swap, and clear stale staging folders. */
async function recover(out: string): Promise<void> {
  const parent = path.dirname(out);
  const names = await readdir(parent).catch(() => [] as string[]);
  const outExists = await stat(out).then(() => true, () => false);
  for (const name of names.sort()) {
    const full = path.join(parent, name);
    if (name.startsWith(oldPrefix(out))) {
      if (!outExists) await rename(full, out);
      else await rm(full, { recursive: true, force: true });
    } else if (name.startsWith(stagePrefix(out))) {
      await rm(full, { recursive: true, force: true });
    }
  }
}

export async function stageOutput(out: string): Promise<StagedOutput> {
  const parent = path.dirname(path.resolve(out));
  await mkdir(parent, { recursive: true });
  await recover(path.resolve(out));
  const dir = path.join(parent, `${stagePrefix(out)}${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return {
    dir,
    async write(relPath, text) {
      const full = path.join(dir, relPath);
      await mkdir(path.dirname(full), { recursive: true });
      const bytes = Buffer.from(text, 'utf8');
      await writeFile(full, bytes);
      return { file: relPath, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    },
    async commit() {
      const target = path.resolve(out);
      const old = path.join(parent, `${oldPrefix(out)}${process.pid}`);
      const existed = await stat(target).then(() => true, () => false);
      if (existed) await rename(target, old);
      await rename(dir, target);
      if (existed) await rm(old, { recursive: true, force: true });
    },
    async abort() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
