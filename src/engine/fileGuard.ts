// A snapshot is read several times (hashed and checked by JavaScript, loaded by
// DuckDB, then again for the lines of rejected examples). If an export is still
// being written, or the file is replaced meanwhile, those reads disagree and the
// manifest's sha256 would not describe the rows counted. The file's identity
// before the first read and after the last one tells.
import { stat } from 'node:fs/promises';
import { InputError } from './errors.ts';

/** Size, modification and change times (ns) and inode: any write or replacement changes one of them. */
async function identity(path: string): Promise<string | null> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}:${s.dev}`;
  } catch {
    return null; // unreadable: the read itself reports that
  }
}

export interface FileGuard {
  /** An InputError naming the file when it is not as it was at the start, else null. */
  changed(): Promise<InputError | null>;
}

export async function guardFile(path: string): Promise<FileGuard> {
  const before = await identity(path);
  return {
    async changed() {
      if (before === null) return null;
      const after = await identity(path);
      if (after === before) return null;
      return new InputError(
        after === null
          ? 'the file was removed while it was being read'
          : 'the file changed while it was being read (is an export still writing it?); run again once it is complete',
        { file: path },
      );
    },
  };
}
