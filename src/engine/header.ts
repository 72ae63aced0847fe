// The CSV dialect as DuckDB reads it (RFC 4180 quotes, a field is quoted when
// its first non-space character is a quote), and the mapping of a file's header
// onto the canonical columns. Pure functions: no I/O here.
import { BUILTIN_ALIASES, CANONICAL_COLUMNS, REQUIRED_COLUMNS, type CanonicalColumn, type Config } from '../lib/config.ts';
import { InputError } from './errors.ts';

const QUOTE = 0x22;
const SPACE = 0x20;
const LF = 0x0a;
const CR = 0x0d;

export type NewlineStyle = 'lf' | 'cr';

/** Split one record (without its line terminator) into fields. */
export function splitRecord(record: string, delimiter: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = record.length;
  for (;;) {
    let j = i;
    while (j < n && record[j] === ' ') j++;
    let field = '';
    if (record[j] === '"') {
      j++;
      for (;;) {
        const q = record.indexOf('"', j);
        if (q === -1) {
          // Unterminated: DuckDB refuses such a file; here the rest is the field.
          field += record.slice(j);
          j = n;
          break;
        }
        field += record.slice(j, q);
        if (record[q + 1] === '"') {
          field += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const d = record.indexOf(delimiter, j);
      // Text between the closing quote and the delimiter is kept, so nothing is lost from view.
      field += (d === -1 ? record.slice(j) : record.slice(j, d)).trimEnd();
      j = d === -1 ? n : d;
    } else {
      const d = record.indexOf(delimiter, i);
      field = d === -1 ? record.slice(i) : record.slice(i, d);
      j = d === -1 ? n : d;
    }
    fields.push(field);
    if (j >= n) break;
    i = j + delimiter.length;
    if (i === n) {
      fields.push('');
      break;
    }
  }
  return fields;
}

export interface FirstRecord {
  /** Bytes of the record, without its terminator. */
  end: number;
  /** Offset just past the terminator (= buffer length when the file ends there). */
  next: number;
  newline: NewlineStyle;
}

/**
 * Where the first record of `buf` ends, honouring quotes. Null when `buf` ends
 * inside the record and `complete` is false (the caller should read more).
 */
export function firstRecord(buf: Uint8Array, complete: boolean): FirstRecord | null {
  let inQuotes = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && b === LF) return { end: i > 0 && buf[i - 1] === CR ? i - 1 : i, next: i + 1, newline: 'lf' };
    else if (!inQuotes && b === CR) {
      if (i + 1 === buf.length && !complete) return null;
      if (buf[i + 1] !== LF) return { end: i, next: i + 1, newline: 'cr' };
    }
  }
  return complete ? { end: buf.length, next: buf.length, newline: 'lf' } : null;
}

/** One non-blank record found by RecordScanner. */
export interface RecordSpan {
  /** 0 = the header. */
  ordinal: number;
  /** Byte offset of the record's first byte. */
  start: number;
  /** Byte offset where the blank lines before the record (if any) begin. */
  blankStart: number;
  /** Byte offset of the record's terminator (or of the end of the file). */
  end: number;
  /** Physical line of the record's first byte, 1-based. */
  line: number;
}

/**
 * Finds record boundaries and physical lines in a stream of chunks the way
 * DuckDB's reader does: a newline inside a quoted field does not end the
 * record, empty lines are not records. Jumps with indexOf so that files
 * without quotes cost one native search per line.
 */
export class RecordScanner {
  private readonly delim: number;
  private readonly nl: number;
  private offset = 0;
  private line = 1;
  private ordinal = 0;
  private inQuotes = false;
  /** A quote ended the last chunk inside a quoted field: escaped or closing depends on the next byte. */
  private quotePending = false;
  private atFieldStart = true;
  private recordStart = 0;
  private recordLine = 1;
  /** Where the blank lines before the current record began (DuckDB reports that offset for some errors). */
  private blankStart = 0;
  private nonBlank = false;
  private stopped = false;

  constructor(delimiter: string, newline: NewlineStyle) {
    this.delim = delimiter.charCodeAt(0);
    this.nl = newline === 'cr' ? CR : LF;
  }

  /** Feed the next chunk. `onRecord` returns true to stop; push then returns false. */
  push(chunk: Uint8Array, onRecord: (r: RecordSpan) => boolean | void): boolean {
    if (this.stopped) return false;
    const n = chunk.length;
    const nl = this.nl;
    let i = 0;
    let quoteAt = -2; // cached next quote at or after i in unquoted state; -1 = none in this chunk
    if (this.quotePending) {
      this.quotePending = false;
      if (n > 0 && chunk[0] === QUOTE) i = 1;
      else {
        this.inQuotes = false;
        this.atFieldStart = false;
      }
    }
    while (i < n) {
      if (this.inQuotes) {
        const q = chunk.indexOf(QUOTE, i);
        const stop = q === -1 ? n : q;
        for (let k = chunk.indexOf(nl, i); k !== -1 && k < stop; k = chunk.indexOf(nl, k + 1)) this.line++;
        if (q === -1) break;
        if (q + 1 === n) {
          this.quotePending = true;
          break;
        }
        if (chunk[q + 1] === QUOTE) i = q + 2;
        else {
          this.inQuotes = false;
          this.atFieldStart = false;
          i = q + 1;
        }
        quoteAt = -2;
        continue;
      }
      if (quoteAt !== -1 && quoteAt < i) quoteAt = chunk.indexOf(QUOTE, i);
      const e = chunk.indexOf(nl, i);
      const segEnd = e === -1 ? n : e;
      if (quoteAt !== -1 && quoteAt < segEnd) {
        this.scanPlain(chunk, i, quoteAt);
        this.nonBlank = true;
        if (this.atFieldStart) this.inQuotes = true;
        this.atFieldStart = false;
        i = quoteAt + 1;
        continue;
      }
      this.scanPlain(chunk, i, segEnd);
      if (e === -1) break;
      if (this.nonBlank) {
        if (onRecord(this.span(this.offset + e))) {
          this.stopped = true;
          return false;
        }
        this.ordinal++;
        this.blankStart = this.offset + e + 1;
      }
      this.line++;
      this.recordStart = this.offset + e + 1;
      this.recordLine = this.line;
      this.nonBlank = false;
      this.atFieldStart = true;
      i = e + 1;
    }
    this.offset += n;
    return true;
  }

  /** End of input: the last record may lack a terminator. */
  finish(onRecord: (r: RecordSpan) => boolean | void): void {
    if (!this.stopped && this.nonBlank) onRecord(this.span(this.offset));
    this.stopped = true;
  }

  private span(end: number): RecordSpan {
    return { ordinal: this.ordinal, start: this.recordStart, blankStart: this.blankStart, end, line: this.recordLine };
  }

  /** Bytes [from, to) outside quotes and without a newline: track blankness and field starts. */
  private scanPlain(chunk: Uint8Array, from: number, to: number): void {
    if (from >= to) return;
    if (!this.nonBlank) {
      // A line holding only a CR (of a CRLF) is blank too.
      let k = from;
      while (k < to && chunk[k] === CR) k++;
      if (k < to) this.nonBlank = true;
    }
    const d = chunk.lastIndexOf(this.delim, to - 1);
    let k = d >= from ? d + 1 : from;
    let allSpaces = d >= from || this.atFieldStart;
    for (; allSpaces && k < to; k++) if (chunk[k] !== SPACE) allSpaces = false;
    this.atFieldStart = allSpaces;
  }
}

/** Header text (trimmed, lower-cased) → canonical column: config aliases, then built-in ones, then the canonical names. */
export function aliasTable(columns: Config['columns']): Map<string, CanonicalColumn> {
  const table = new Map<string, CanonicalColumn>();
  for (const c of CANONICAL_COLUMNS) table.set(c, c);
  for (const [k, v] of Object.entries(BUILTIN_ALIASES)) table.set(k.trim().toLowerCase(), v);
  for (const [k, v] of Object.entries(columns)) table.set(k.trim().toLowerCase(), v);
  return table;
}

export interface HeaderMapping {
  /** Number of fields in the header, which every record must have. */
  fieldCount: number;
  /** Field index of each canonical column the file has. */
  index: Partial<Record<CanonicalColumn, number>>;
  /** Each mapped column as written in the header (trimmed). */
  names: Partial<Record<CanonicalColumn, string>>;
  /** Header as written → canonical column, for the mapped columns. */
  headerMap: Record<string, CanonicalColumn>;
  /** Headers that map to no column, as written (`#n` for an empty one). */
  ignored: string[];
}

const quoteList = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');

/** Map a header onto the canonical columns; a missing required or doubly mapped column is an InputError naming `file`. */
export function mapHeader(headers: string[], columns: Config['columns'], file: string): HeaderMapping {
  const table = aliasTable(columns);
  const index: HeaderMapping['index'] = {};
  const names: HeaderMapping['names'] = {};
  const headerMap: Record<string, CanonicalColumn> = {};
  const ignored: string[] = [];
  headers.forEach((raw, i) => {
    const h = raw.trim();
    const canonical = table.get(h.toLowerCase());
    if (!canonical) {
      ignored.push(h === '' ? `#${i + 1}` : h);
      return;
    }
    const prev = names[canonical];
    if (prev !== undefined)
      throw new InputError(`columns "${prev}" and "${h}" both map to ${canonical}; remove or rename one of them`, { file, line: 1 });
    index[canonical] = i;
    names[canonical] = h;
    headerMap[h] = canonical;
  });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length) {
    const found = headers.some((h) => h.trim() !== '') ? quoteList(headers.map((h) => h.trim())) : '(none: the first line is empty)';
    const lines = missing.map((c) => {
      const accepted = [...table].filter(([, v]) => v === c).map(([k]) => k);
      return `  ${c} is matched by any of: ${quoteList(accepted)}`;
    });
    throw new InputError(
      `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}\n` +
        `  headers found: ${found}\n${lines.join('\n')}\n` +
        '  (headers are compared ignoring case and surrounding spaces; map other names under "columns" in the config)',
      { file, line: 1 },
    );
  }
  return { fieldCount: headers.length, index, names, headerMap, ignored };
}
