// One streaming pass over a CSV snapshot: its sha256 for the manifest, a check
// that it is valid in its encoding, and, where DuckDB cannot read the file as it
// is (GB18030), a plain UTF-8 copy in the caller's temp folder.
import { createHash, randomUUID } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import type { Config } from '../lib/config.ts';
import type { SnapshotFile } from './discover.ts';
import { InputError } from './errors.ts';
import { sha256Of } from './fileSha.ts';
import { firstNul, multiByteLines, UTF8_PREFIX_EVIDENCE, UTF8_STRETCH_EVIDENCE, utf8MultiByteChars, utf8Stretch } from './textChecks.ts';

export const TEXT_ENCODINGS = ['utf-8', 'gb18030'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];
export type EncodingSetting = Config['csv']['encoding'];

export interface PreparedCsv {
  /** Hex sha256 of the file's bytes as stored (compressed, for .csv.gz). */
  sha256: string;
  encoding: TextEncoding;
  /** A UTF-8 CSV for DuckDB: the file itself (which DuckDB inflates if gzipped), or a plain copy in tmpDir. */
  utf8Path: string;
  /** utf8Path is a temporary copy; the caller deletes it. */
  isCopy: boolean;
}

const CHUNK = 4 << 20;
/** A "line" longer than this without any line break means the file is not a CSV. */
const MAX_LINE = 16 << 20;
const LF = 0x0a;
const CR = 0x0d;

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const x = b[i]!;
    if (x < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (x >= 0xc2 && x <= 0xdf) len = 2;
    else if (x >= 0xe0 && x <= 0xef) {
      len = 3;
      if (x === 0xe0) lo = 0xa0; // overlong
      if (x === 0xed) hi = 0x9f; // surrogates
    } else if (x >= 0xf0 && x <= 0xf4) {
      len = 4;
      if (x === 0xf0) lo = 0x90; // overlong
      if (x === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + len > n) return i;
    const y = b[i + 1]!;
    if (y < lo || y > hi) return i;
    for (let k = 2; k < len; k++) {
      const z = b[i + k]!;
      if (z < 0x80 || z > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

/**
 * Offset of the first byte that does not start a valid GB18030 sequence, or -1
 * (the structure of the WHATWG gb18030 decoder, which TextDecoder follows).
 */
export function firstInvalidGb18030(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const x = b[i]!;
    if (x <= 0x80) {
      i++; // ASCII, and 0x80 = €
      continue;
    }
    if (x === 0xff || i + 1 >= n) return i;
    const y = b[i + 1]!;
    if ((y >= 0x40 && y <= 0x7e) || (y >= 0x80 && y <= 0xfe)) {
      i += 2;
      continue;
    }
    if (y < 0x30 || y > 0x39 || i + 3 >= n) return i;
    const z = b[i + 2]!;
    const w = b[i + 3]!;
    if (z < 0x81 || z > 0xfe || w < 0x30 || w > 0x39) return i;
    const pointer = (x - 0x81) * 12600 + (y - 0x30) * 1260 + (z - 0x81) * 10 + (w - 0x30);
    if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) return i;
    i += 4;
  }
  return -1;
}

/** Physical line (1-based) of byte `offset` of the (decompressed) stream. */
async function lineAt(file: Pick<SnapshotFile, 'path' | 'format'>, offset: number): Promise<number> {
  let line = 1;
  let seen = 0;
  let prevCr = false;
  const src = createReadStream(file.path, { highWaterMark: CHUNK });
  const stream = file.format === 'csv.gz' ? src.pipe(createGunzip()) : src;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const upto = Math.min(chunk.length, offset - seen);
      // LF, CRLF and a lone CR each end a line.
      for (let k = 0; k < upto; k++) {
        const c = chunk[k];
        if (c === LF) {
          if (!prevCr) line++;
          prevCr = false;
        } else if (c === CR) {
          line++;
          prevCr = true;
        } else prevCr = false;
      }
      seen += chunk.length;
      if (seen >= offset) break;
    }
  } finally {
    src.destroy();
  }
  return line;
}

const hex = (x: number) => `0x${x.toString(16).toUpperCase().padStart(2, '0')}`;

async function invalidByteError(
  file: Pick<SnapshotFile, 'path' | 'format'>,
  bytes: Uint8Array,
  at: number,
  offset: number,
  what: string,
): Promise<InputError> {
  const seq = Array.from(bytes.subarray(at, at + 4), hex).join(' ');
  const inner = file.format === 'csv.gz' ? ' of the decompressed data' : '';
  return new InputError(`not valid ${what}: bad byte sequence ${seq} at byte offset ${offset}${inner}`, {
    file: file.path,
    line: await lineAt(file, offset),
  });
}

/** Splits a stream into pieces that end just after a line break, so no character straddles two pieces. */
class LinePieces {
  private carry: Buffer | null = null;
  /** Stream offset of the next piece's first byte. */
  offset = 0;

  /** Pieces of `chunk` that are complete; the rest waits for the next chunk. */
  take(chunk: Buffer): Buffer[] {
    const cut = lastBreak(chunk) + 1;
    if (cut === 0) {
      this.carry = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      if (this.carry.length > MAX_LINE) throw new Error(`no line break in ${MAX_LINE >> 20} MB`);
      return [];
    }
    const pieces: Buffer[] = [];
    if (this.carry) {
      // Only the carried bytes and the chunk's first line are copied, not the whole chunk.
      const first = firstBreak(chunk) + 1;
      pieces.push(Buffer.concat([this.carry, chunk.subarray(0, first)]));
      if (first < cut) pieces.push(chunk.subarray(first, cut));
    } else pieces.push(chunk.subarray(0, cut));
    this.carry = cut < chunk.length ? chunk.subarray(cut) : null;
    return pieces;
  }

  rest(): Buffer | null {
    return this.carry;
  }
}

// Any LF or CR is a safe place to cut: both are single bytes that no multi-byte
// sequence contains, in UTF-8 as in GB18030. CR is looked for only when a chunk
// has no LF (old Mac files), to spare a second search.
function firstBreak(chunk: Buffer): number {
  const lf = chunk.indexOf(LF);
  return lf === -1 ? chunk.indexOf(CR) : lf;
}

function lastBreak(chunk: Buffer): number {
  const lf = chunk.lastIndexOf(LF);
  return lf === -1 ? chunk.lastIndexOf(CR) : lf;
}

/**
 * GB18030 → UTF-8 for whole-line pieces, in order. `out` is null for a piece
 * that is not valid GB18030; `utf8At` is the offset of a stretch of lines
 * that are UTF-8 instead (textChecks.utf8Stretch), or -1. Valid GB18030 bytes
 * can spell UTF-8 text as well, which would be counted as mojibake; the check
 * runs beside the decoding, on the same thread.
 */
interface Decoded {
  out: Uint8Array | null;
  utf8At: number;
}
interface Gb18030Decoder {
  decode(piece: Uint8Array): Promise<Decoded>;
  close(): Promise<void>;
}

function inlineDecoder(): Gb18030Decoder {
  const decoder = new TextDecoder('gb18030', { fatal: true });
  const encoder = new TextEncoder();
  return {
    async decode(piece) {
      const utf8At = utf8Stretch(piece, UTF8_STRETCH_EVIDENCE);
      try {
        return { out: encoder.encode(decoder.decode(piece)), utf8At };
      } catch {
        return { out: null, utf8At };
      }
    },
    async close() {},
  };
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const decoder = new TextDecoder('gb18030', { fatal: true });
const encoder = new TextEncoder();
const utf8Stretch = ${utf8Stretch.toString()};
parentPort.on('message', ({ id, piece }) => {
  const utf8At = utf8Stretch(piece, ${UTF8_STRETCH_EVIDENCE});
  let out = null;
  try { out = encoder.encode(decoder.decode(piece)); } catch {}
  parentPort.postMessage({ id, out, utf8At }, out ? [out.buffer] : []);
});`;

/**
 * Decoding GB18030 costs about 5 ns a byte on one core, more than DuckDB needs
 * to load the result; pieces are independent (they end at line breaks), so
 * worker threads decode them side by side while this thread hashes and writes.
 */
function workerDecoder(threads: number): Gb18030Decoder {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
  const waiting = new Map<number, { resolve: (d: Decoded) => void; reject: (e: unknown) => void }>();
  for (const w of workers) {
    w.on('message', ({ id, out, utf8At }: { id: number } & Decoded) => {
      waiting.get(id)?.resolve({ out, utf8At });
      waiting.delete(id);
    });
    w.on('error', (e) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    });
  }
  let next = 0;
  return {
    decode(piece) {
      const id = next++;
      // A copy, so the stream's buffer can be transferred away safely.
      const copy = new Uint8Array(piece);
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[id % workers.length]!.postMessage({ id, piece: copy }, [copy.buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Below this, starting threads costs more than it saves. */
const WORKERS_FROM_BYTES = 16 << 20;

interface PassResult {
  sha256: string;
  /** Set when an 'auto' pass found the file is not UTF-8 and stopped early. */
  notUtf8: boolean;
}

/** Read the file once: hash it, check it in `encoding`, and for GB18030 write the UTF-8 copy to `out`. */
async function pass(
  file: Pick<SnapshotFile, 'path' | 'format'>,
  encoding: TextEncoding,
  mode: { auto: boolean; out: string | null; onBytes: ((n: number) => void) | undefined },
): Promise<PassResult> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  const count = (chunk: Buffer) => {
    hash.update(chunk);
    bytesRead += chunk.length;
    mode.onBytes?.(bytesRead);
  };
  const gz = file.format === 'csv.gz';
  // gzip is hashed as stored, before it is inflated.
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      count(chunk);
      done(null, chunk);
    },
  });
  const fh: FileHandle | null = mode.out ? await open(mode.out, 'w') : null;
  const threads = Math.min(4, availableParallelism());
  const size = await stat(file.path).then((st) => st.size, () => 0);
  const decoder = encoding !== 'gb18030' ? null : threads > 1 && size >= WORKERS_FROM_BYTES ? workerDecoder(threads) : inlineDecoder();
  /** Pieces being decoded, oldest first; a few at a time bound the memory in flight. */
  const decoding: { start: number; piece: Buffer; out: Promise<Decoded> }[] = [];
  const pieces = new LinePieces();
  let notUtf8 = false;
  let failure: InputError | null = null;
  /** Multi-byte characters of the valid UTF-8 read so far, counted up to UTF8_PREFIX_EVIDENCE. */
  let utf8Chars = 0;
  /** The lines holding them (copies), with their stream offsets: all an 'auto' guess rests on while they are few. */
  const evidence: { offset: number; bytes: Buffer }[] = [];

  /** Write decoded pieces in order until at most `keep` are in flight; false = a piece was invalid. */
  const drain = async (keep: number): Promise<boolean> => {
    while (decoding.length > keep) {
      const { start, piece, out } = decoding.shift()!;
      const { out: bytes, utf8At } = await out;
      if (utf8At !== -1) {
        failure = await mixedError(file, start + utf8At, mode.auto ? null : 'gb18030');
        return false;
      }
      if (!bytes) {
        const at = locateGb18030Error(piece);
        const what = mode.auto ? 'UTF-8 nor GB18030' : 'GB18030 (set csv.encoding to "utf-8" or "auto" if the file is UTF-8)';
        failure = await invalidByteError(file, piece, at, start + at, what);
        return false;
      }
      if (fh) await fh.write(bytes);
    }
    return true;
  };

  /** Check (UTF-8) or transcode (GB18030) one piece; false = stop reading. */
  const handle = async (piece: Buffer): Promise<boolean> => {
    const start = pieces.offset;
    pieces.offset += piece.length;
    const nul = firstNul(piece);
    if (nul !== -1) {
      failure = await nulError(file, start + nul);
      return false;
    }
    if (decoder) {
      const out = decoder.decode(piece);
      out.catch(() => {}); // awaited in order by drain, unless an earlier piece already failed
      decoding.push({ start, piece, out });
      return drain(2 * threads);
    }
    if (isUtf8(piece)) {
      if (mode.auto && utf8Chars < UTF8_PREFIX_EVIDENCE && !isAscii(piece))
        for (const l of multiByteLines(piece, UTF8_PREFIX_EVIDENCE - utf8Chars)) {
          utf8Chars += l.chars;
          evidence.push({ offset: start + l.start, bytes: Buffer.from(piece.subarray(l.start, l.end)) });
        }
      return true;
    }
    const at = firstInvalidUtf8(piece);
    if (mode.auto) {
      // UTF-8 text before the first byte that is not UTF-8: the file mixes
      // encodings (or is damaged); reading it all as GB18030 would turn that
      // text into mojibake.
      if (utf8Chars + utf8MultiByteChars(piece.subarray(0, at), UTF8_PREFIX_EVIDENCE) >= UTF8_PREFIX_EVIDENCE) {
        failure = await invalidByteError(file, piece, at, start + at, 
          'UTF-8 after UTF-8 text (mixed encodings, or a damaged file; save it in one encoding, UTF-8 or GB18030)',
        );
        return false;
      }
      notUtf8 = true;
      return false;
    }
    failure = await invalidByteError(file, piece, at, start + at, 'UTF-8 (set csv.encoding to "gb18030" or "auto" if the file is GBK/GB18030)');
    return false;
  };

  try {
    const consume = async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        if (!gz) count(chunk);
        let parts: Buffer[];
        try {
          parts = pieces.take(chunk);
        } catch (e) {
          failure = new InputError(`${(e as Error).message} after byte offset ${pieces.offset}; is this a CSV file?`, { file: file.path });
          return;
        }
        for (const p of parts) if (!(await handle(p))) return;
      }
      const rest = pieces.rest();
      if (rest && !(await handle(rest))) return;
      await drain(0);
    };
    const src = createReadStream(file.path, { highWaterMark: CHUNK });
    try {
      if (gz) await pipeline(src, tap, createGunzip(), consume);
      else await pipeline(src, consume);
    } catch (e) {
      if (failure || notUtf8) {
        // Stopping early tears the pipeline down; that is not an error.
      } else throw readError(file, e);
    }
  } finally {
    await decoder?.close();
    await fh?.close();
  }
  if (failure) throw failure;
  if (mode.auto && !notUtf8 && utf8Chars > 0 && utf8Chars < UTF8_PREFIX_EVIDENCE) {
    // A UTF-8 BOM counts as one multi-byte character: U+FEFF.
    const bom = evidence[0]?.offset === 0 && evidence[0].bytes[0] === 0xef && evidence[0].bytes[1] === 0xbb && evidence[0].bytes[2] === 0xbf;
    if ((await guessFromFew(file, evidence, bom)) === 'gb18030') notUtf8 = true;
  }
  return { sha256: hash.digest('hex'), notUtf8 };
}

/**
 * An 'auto' guess that rests on few characters (fewer than
 * UTF8_PREFIX_EVIDENCE, all valid UTF-8). Often they are valid GB18030 as well
 * (GB18030 "支", D6 A7, is UTF-8 U+05A7), and a wrong guess turns every such
 * name into another one. What a bank exports decides: GBK text from a core
 * system stays within GB2312 (both bytes 0xA1 and above), and Chinese UTF-8
 * holds CJK, common punctuation and Latin-1. 'utf-8' or 'gb18030' when one
 * reading alone is plausible (or a BOM says UTF-8), else an InputError asking
 * for csv.encoding.
 */
async function guessFromFew(
  file: Pick<SnapshotFile, 'path' | 'format'>,
  lines: { offset: number; bytes: Buffer }[],
  bom: boolean,
): Promise<TextEncoding> {
  if (bom) return 'utf-8';
  const gb = new TextDecoder('gb18030', { fatal: true });
  const asGb: string[] = [];
  for (const l of lines) {
    try {
      asGb.push(gb.decode(l.bytes));
    } catch {
      return 'utf-8';
    }
  }
  const gbPlausible = lines.every((l) => onlyGb2312(l.bytes));
  const utf8Plausible = lines.every((l) => /^[\x00-\x7f\u00a0-\u00ff\u2000-\u206f\u20ac\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*$/.test(l.bytes.toString('utf8')));
  if (utf8Plausible && !gbPlausible) return 'utf-8';
  if (gbPlausible && !utf8Plausible) return 'gb18030';
  const first = lines[0]!;
  const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
  throw new InputError(
    `cannot tell the encoding: the text outside ASCII reads as UTF-8, ${show(first.bytes.toString('utf8'))}, and as GB18030, ${show(asGb[0]!)}; set csv.encoding to "utf-8" or "gb18030" in the config`,
    { file: file.path, line: await lineAt(file, first.offset) },
  );
}

/** Every non-ASCII byte pairs into a GB2312 character (lead and trail 0xA1–0xFE). */
function onlyGb2312(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    if (b[i]! < 0x80) continue;
    if (b[i]! < 0xa1 || b[i]! > 0xfe || i + 1 >= b.length || b[i + 1]! < 0xa1 || b[i + 1]! > 0xfe) return false;
    i++;
  }
  return true;
}

/** Where in a piece TextDecoder failed; the structural scan agrees except for rare unmapped codes, then the first failing line is named. */
function locateGb18030Error(piece: Buffer): number {
  const at = firstInvalidGb18030(piece);
  if (at !== -1) return at;
  const decoder = new TextDecoder('gb18030', { fatal: true });
  let start = 0;
  while (start < piece.length) {
    const end = firstBreak(piece.subarray(start));
    const stop = end === -1 ? piece.length : start + end + 1;
    try {
      decoder.decode(piece.subarray(start, stop));
    } catch {
      return start;
    }
    start = stop;
  }
  return 0;
}

async function nulError(file: Pick<SnapshotFile, 'path' | 'format'>, offset: number): Promise<InputError> {
  const inner = file.format === 'csv.gz' ? ' of the decompressed data' : '';
  return new InputError(
    `a NUL byte (0x00) at byte offset ${offset}${inner}: a CSV file holds none, so the file is damaged or in UTF-16 (save it as UTF-8 or GB18030)`,
    { file: file.path, line: await lineAt(file, offset) },
  );
}

/** A stretch of UTF-8 text in a file read as GB18030 (`setting` says whether the config asked for that). */
async function mixedError(file: Pick<SnapshotFile, 'path' | 'format'>, offset: number, setting: 'gb18030' | null): Promise<InputError> {
  const inner = file.format === 'csv.gz' ? ' of the decompressed data' : '';
  const why =
    setting === 'gb18030'
      ? 'set csv.encoding to "utf-8" or "auto" if the file is UTF-8, else save it in one encoding'
      : 'the file mixes encodings: save it in one encoding, UTF-8 or GB18030';
  return new InputError(`text in UTF-8 from byte offset ${offset}${inner}, in a file that is otherwise GB18030; ${why}`, {
    file: file.path,
    line: await lineAt(file, offset),
  });
}

/** The InputError for a failed read of `file`; `e` may be an error or its { code, message } copied from a worker. */
export function readError(file: Pick<SnapshotFile, 'path' | 'format'>, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'Z_BUF_ERROR') return new InputError(`not a valid gzip file: it is cut short (${err.message}); copy it again`, { file: file.path });
  if (err.code === 'Z_DATA_ERROR') return new InputError(`not a valid gzip file (${err.message})`, { file: file.path });
  return new InputError(`cannot read the file (${err.code ?? err.message})`, { file: file.path });
}

/**
 * Hash and check a CSV snapshot and give DuckDB a UTF-8 file to read. 'auto'
 * takes UTF-8 when the whole file is valid UTF-8, else GB18030.
 */
export async function prepareCsv(
  file: Pick<SnapshotFile, 'path' | 'name' | 'format'>,
  setting: EncodingSetting,
  opts: { tmpDir: string; onBytes?: (bytesRead: number) => void },
): Promise<PreparedCsv> {
  const copyPath = () => join(opts.tmpDir, `${basename(file.name).replace(/[^\w.-]/g, '_')}.${randomUUID().slice(0, 8)}.utf8.csv`);
  const run = async (encoding: TextEncoding, auto: boolean): Promise<PreparedCsv | null> => {
    const out = encoding === 'gb18030' ? copyPath() : null;
    if (out) await mkdir(opts.tmpDir, { recursive: true });
    try {
      const r = await pass(file, encoding, { auto, out, onBytes: opts.onBytes });
      if (r.notUtf8) {
        if (out) await rm(out, { force: true });
        return null;
      }
      return { sha256: r.sha256, encoding, utf8Path: out ?? file.path, isCopy: out !== null };
    } catch (e) {
      if (out) await rm(out, { force: true });
      throw e;
    }
  };
  if (setting === 'gb18030') return (await run('gb18030', false))!;
  if (setting === 'utf-8') return (await run('utf-8', false))!;
  return (await run('utf-8', true)) ?? (await run('gb18030', true))!;
}

/** Hex sha256 of a file (Parquet needs nothing else from this module). */
export async function sha256File(path: string): Promise<string> {
  try {
    return await sha256Of(path);
  } catch (e) {
    throw readError({ path, format: 'parquet' }, e);
  }
}
