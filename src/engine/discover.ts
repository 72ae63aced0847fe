// Which files in the snapshot folder are snapshots. Anything unexpected stops the
// run: a stray export in another format would otherwise silently be left out.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from './errors.ts';

export const SNAPSHOT_FORMATS = ['csv', 'csv.gz', 'parquet'] as const;
export type SnapshotFormat = (typeof SNAPSHOT_FORMATS)[number];

export interface SnapshotFile {
  /** dir joined with name, as the caller spelled dir. */
  path: string;
  name: string;
  format: SnapshotFormat;
  /** First real calendar date in the name (YYYY-MM-DD or YYYYMMDD), as YYYY-MM-DD. */
  dateFromName: string | null;
}

export function formatOf(name: string): SnapshotFormat | null {
  const n = name.toLowerCase();
  if (n.endsWith('.csv.gz')) return 'csv.gz';
  if (n.endsWith('.csv')) return 'csv';
  if (n.endsWith('.parquet')) return 'parquet';
  return null;
}

/** Files the contract lets sit beside the snapshots. */
export function isSkipped(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || /^readme/i.test(name) || /^tierscope\.config\./i.test(name);
}

export function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

const DATE_AT = /^(\d{4})-(\d{2})-(\d{2})|^(\d{4})(\d{2})(\d{2})/;

/**
 * The first YYYY-MM-DD or YYYYMMDD in a file name that is a real date. A match
 * must not continue a longer run of digits on its left, so an id such as
 * `x120250131` is not read as a date.
 */
export function dateFromName(name: string): string | null {
  for (let i = 0; i < name.length; i++) {
    if (i > 0 && /\d/.test(name[i - 1]!)) continue;
    const m = DATE_AT.exec(name.slice(i));
    if (!m) continue;
    const [y, mo, d] = m[1] !== undefined ? [m[1], m[2]!, m[3]!] : [m[4]!, m[5]!, m[6]!];
    if (isRealDate(Number(y), Number(mo), Number(d))) return `${y}-${mo}-${d}`;
  }
  return null;
}

export async function discoverSnapshots(dir: string): Promise<SnapshotFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (code ?? String(e));
    throw new InputError(`cannot read the snapshot folder: ${why}`, { file: dir });
  }
  const files: SnapshotFile[] = [];
  for (const name of names.sort()) {
    if (isSkipped(name)) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (!st) throw new InputError('cannot read this entry (a broken link?)', { file: path });
    if (!st.isFile()) continue;
    const format = formatOf(name);
    if (!format)
      throw new InputError('not a snapshot file; expected .csv, .csv.gz or .parquet (move it out, or prefix its name with "_" to keep it here)', {
        file: path,
      });
    files.push({ path, name, format, dateFromName: dateFromName(name) });
  }
  if (!files.length) throw new InputError('no snapshot files in this folder; expected .csv, .csv.gz or .parquet', { file: dir });
  return files;
}
