// Folder helpers for the bench: sizes, byte-for-byte comparison, link farms.
import { lstatSync, readFileSync, readdirSync, symlinkSync, mkdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/** Every regular file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Total bytes of the files under `dir` (symbolic links count as themselves), or null when it does not exist. */
export function dirBytes(dir: string): number | null {
  try {
    return listFiles(dir).reduce((s, f) => s + lstatSync(join(dir, f)).size, 0);
  } catch {
    return null;
  }
}

/** The differences between two folders, file by file: missing on either side or different bytes. Empty when identical. */
export function compareDirs(a: string, b: string): string[] {
  const fa = listFiles(a);
  const fb = new Set(listFiles(b));
  const diffs: string[] = [];
  for (const f of fa) {
    if (!fb.has(f)) diffs.push(`${f}: only in ${a}`);
    else if (!readFileSync(join(a, f)).equals(readFileSync(join(b, f)))) diffs.push(`${f}: differs`);
    fb.delete(f);
  }
  for (const f of fb) diffs.push(`${f}: only in ${b}`);
  return diffs;
}

/** A folder of symbolic links to `files` (a link leaves the target's inode and times as they were). */
export function linkFolder(dir: string, files: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const f of files) symlinkSync(f, join(dir, basename(f)));
  return dir;
}
