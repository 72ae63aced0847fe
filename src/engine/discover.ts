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
  /** First real calendar date in the name (YYYY-MM-DD, YYYY-M-D, YYYY年M月D日 or YYYYMMDD), as YYYY-MM-DD; datesInName has them all. */
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

// YYYY-MM-DD (month and day may have one digit: 2025-3-31), YYYY年M月D日, YYYYMMDD.
// A short month or day must not run on into more digits; YYYYMMDD may (a time
// often follows it: 202501311200).
const DATE_AT = /^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)|^(\d{4})-(\d{2})-(\d{2})|^(\d{4})年(\d{1,2})月(\d{1,2})日|^(\d{4})(\d{2})(\d{2})/;

/**
 * Every distinct real calendar date in a file name, in the order they first
 * appear, as YYYY-MM-DD. A match must not continue a longer run of digits on its
 * left, so an id such as `x120250131` is not read as a date.
 */
export function datesInName(name: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < name.length; i++) {
    if (i > 0 && /\d/.test(name[i - 1]!)) continue;
    const m = DATE_AT.exec(name.slice(i));
    if (!m) continue;
    const k = [1, 4, 7, 10].find((j) => m[j] !== undefined)!;
    const [y, mo, d] = [m[k]!, m[k + 1]!.padStart(2, '0'), m[k + 2]!.padStart(2, '0')];
    const date = `${y}-${mo}-${d}`;
    if (isRealDate(Number(y), Number(mo), Number(d)) && !found.includes(date)) found.push(date);
  }
  return found;
}

/** The first real calendar date in a file name (see datesInName), or null. */
export function dateFromName(name: string): string | null {
  return datesInName(name)[0] ?? null;
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
