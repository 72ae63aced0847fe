// Caches write each entry under a temporary name carrying the writer's pid and
// rename it when whole; a killed process leaves its temporary files behind.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the files in the sub-folders of `dir` whose name matches `tempName`
 * (group 1: the writer's pid) and whose writer is gone; a live process's are
 * its own business. Returns how many were removed.
 */
export async function sweepStaleTemp(dir: string, tempName: RegExp): Promise<number> {
  let removed = 0;
  for (const sub of await readdir(dir).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(dir, sub)).catch(() => [] as string[])) {
      const m = tempName.exec(name);
      if (m && !alive(Number(m[1]))) {
        await rm(path.join(dir, sub, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
