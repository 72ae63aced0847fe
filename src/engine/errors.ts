// A problem with the input data. The CLI prints `message` alone and exits 1, so
// the message carries its own location: `path:line: column "aum": what is wrong`.

export interface InputErrorLocation {
  /** Path of the file as the user gave it (or the folder, for discovery errors). */
  file: string;
  /** Physical line in the file, 1 = header (for Parquet: the 1-based row number). */
  line?: number;
  /** Column as written in the file's header. */
  column?: string;
}

export class InputError extends Error {
  override name = 'InputError';
  readonly file: string;
  readonly line?: number;
  readonly column?: string;
  /** What is wrong, without the location prefix. */
  readonly detail: string;

  constructor(detail: string, where: InputErrorLocation) {
    const at = where.line === undefined ? where.file : `${where.file}:${where.line}`;
    const col = where.column === undefined ? '' : `column "${where.column}": `;
    super(`${at}: ${col}${detail}`);
    this.file = where.file;
    this.detail = detail;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
  }
}

/**
 * DuckDB could not stay within its memory limit even by spilling (some
 * operators need a minimum in memory). The machine's fault, not the data's: the
 * CLI names the limit and exits 4.
 */
export class MemoryError extends Error {
  override name = 'MemoryError';
}

export const isOutOfMemory = (e: unknown): boolean => e instanceof Error && /Out of Memory Error/i.test(e.message);

/** DuckDB's out-of-memory failure as a MemoryError; anything else unchanged. */
export function asMemoryError(e: unknown, memoryLimit: string | undefined): unknown {
  if (!isOutOfMemory(e) || e instanceof MemoryError) return e;
  const first = (e as Error).message.split('\n')[0]!.replace(/^Out of Memory Error:\s*/i, '');
  return new MemoryError(
    `DuckDB ran out of memory (${first}) under ${memoryLimit ? `--memory-limit ${memoryLimit}` : 'its default limit (80 % of RAM)'}: raise the limit, or free memory or temp-folder space (--temp-dir)`,
  );
}
