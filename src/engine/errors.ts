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
