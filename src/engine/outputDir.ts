// Output is built in a sibling temp folder and swapped in only when complete,
// so a failed or killed run leaves the previous output untouched. Used for the
// pipeline's JSON folder and for the whole site (dist/).
import { mkdir, rename, rm, writeFile, readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';

/** The output folder could not be written; the previous output is still in place. */
export class OutputError extends Error {
  override name = 'OutputError';
}

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOTDIR: 'a file is in the way of a folder',
  EEXIST: 'a file is in the way',
  EMFILE: 'too many open files',
};

/** A file-system failure as one line naming the output and what went wrong; other errors pass through. */
export function outputError(e: unknown, out: string, doing: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const why = WHY[code] ?? (e as Error).message;
  return new OutputError(`cannot write ${out} (${doing}): ${why} [${code}]; the previous output was left as it was`);
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

export interface StagedFolder {
  /** The temp folder to fill; beside the output, never inside it. */
  dir: string;
  /** Swap the filled folder in for the output. */
  commit(): Promise<void>;
  /** Remove the temp folder; the output is untouched. */
  abort(): Promise<void>;
}

export async function stageFolder(out: string): Promise<StagedFolder> {
  const target = path.resolve(out);
  const parent = path.dirname(target);
  const dir = path.join(parent, `${stagePrefix(target)}${process.pid}`);
  try {
    await mkdir(parent, { recursive: true });
    await recover(target);
    await rm(dir, { recursive: true, force: true });
    // Not recursive: the parent exists, and a recursive mkdir reports ENOENT where the real cause is EROFS.
    await mkdir(dir);
  } catch (e) {
    throw outputError(e, out, 'creating a temporary folder beside it');
  }
  return {
    dir,
    async commit() {
      const old = path.join(parent, `${oldPrefix(target)}${process.pid}`);
      try {
        const existed = await stat(target).then(() => true, () => false);
        if (existed) await rename(target, old);
        await rename(dir, target);
        if (existed) await rm(old, { recursive: true, force: true });
      } catch (e) {
        throw outputError(e, out, 'swapping the new output in');
      }
    },
    async abort() {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

export interface StagedOutput extends StagedFolder {
  write(relPath: string, text: string): Promise<{ file: string; sha256: string; bytes: number }>;
}

export async function stageOutput(out: string): Promise<StagedOutput> {
  const folder = await stageFolder(out);
  return {
    ...folder,
    async write(relPath, text) {
      const full = path.join(folder.dir, relPath);
      const bytes = Buffer.from(text, 'utf8');
      try {
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, bytes);
      } catch (e) {
        throw outputError(e, out, `writing ${relPath}`);
      }
      return { file: relPath, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    },
  };
}
