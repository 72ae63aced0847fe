// The pipeline cache: what the row-level stage computed for one snapshot file or
// one pair of them, kept between runs so a rebuild redoes only what changed.
//
// An entry is named by a key that hashes everything its content depends on (the
// input file's sha256 and name, the parts of the config the row-level stage
// reads, the tool version and a fingerprint of the code that computes it), so a
// stale entry is never looked up rather than detected. What is found is still
// not trusted: the header must name the same key and kind, the payload's length
// and sha256 must match, and the payload must pass its schema. Anything else is
// reported, removed and recomputed. Deleting the folder is always safe.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { sweepStaleTemp } from './staleTemp.ts';

/** Bumped when the entry layout changes; old entries then fail the header check. */
export const CACHE_FORMAT = 1;
const MAGIC = 'tierscope-pipeline-cache';
/** `<key>.json.tmp-<pid>-<random>`: an entry being written. */
const TEMP_NAME = /\.json\.tmp-(\d+)-[0-9a-f]{8}$/;

/** Below the working directory, like the PNG cache: `npm install` keeps it, `rm -rf node_modules` clears it. */
export const DEFAULT_PIPELINE_CACHE = path.join('node_modules', '.cache', 'tierscope', 'pipeline');

export type EntryKind = 'snapshot' | 'flows' | 'report';
const KINDS: readonly EntryKind[] = ['snapshot', 'flows', 'report'];

/**
 * Entries no run has used for this long are removed after a successful run
 * (--cache-keep-days). Long enough that a folder rebuilt monthly or quarterly
 * beside others in the same cache keeps its entries.
 */
export const DEFAULT_KEEP_DAYS = 90;
const DAY_MS = 86_400_000;

interface Header {
  cache: string;
  format: number;
  kind: EntryKind;
  key: string;
  bytes: number;
  sha256: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The key of an entry: sha256 of its inputs' description (plain JSON values in a fixed order). */
export const entryKey = (inputs: unknown): string => sha256(JSON.stringify(inputs));

export interface CacheStats {
  hits: Record<EntryKind, number>;
  misses: Record<EntryKind, number>;
  /** Entries found but not trusted, with why. */
  rejected: { file: string; why: string }[];
}

export class PipelineCache {
  readonly dir: string;
  readonly stats: CacheStats = { hits: { snapshot: 0, flows: 0, report: 0 }, misses: { snapshot: 0, flows: 0, report: 0 }, rejected: [] };
  #warn: (message: string) => void;
  #writable = true;
  #swept: Promise<number> | null = null;
  /** Entry files this run read or wrote: never pruned by it. */
  #used = new Set<string>();

  constructor(dir: string, warn: (message: string) => void) {
    this.dir = dir;
    this.#warn = warn;
  }

  /** What killed runs left half-written goes first, once per run. */
  #sweep(): Promise<number> {
    return (this.#swept ??= sweepStaleTemp(this.dir, TEMP_NAME).catch(() => 0));
  }

  fileOf(kind: EntryKind, key: string): string {
    return path.join(this.dir, kind, `${key}.json`);
  }

  /** The entry's payload, or null when there is none or it cannot be trusted. */
  async read<S extends z.ZodType>(kind: EntryKind, key: string, schema: S): Promise<z.infer<S> | null> {
    await this.#sweep();
    const file = this.fileOf(kind, key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      this.stats.misses[kind]++;
      return null;
    }
    const why = check(bytes, kind, key, schema);
    if (typeof why === 'string') {
      this.stats.misses[kind]++;
      this.stats.rejected.push({ file, why });
      this.#warn(`cache entry ${file} is not trusted (${why}); recomputing it`);
      await rm(file, { force: true }).catch(() => {});
      return null;
    }
    this.stats.hits[kind]++;
    this.#used.add(file);
    // The modification time stands for "last used", which pruning goes by.
    const now = new Date();
    await utimes(file, now, now).catch(() => {});
    return why.value as z.infer<S>;
  }

  /** Store a payload; a cache that cannot be written is reported once and then left alone. */
  async write(kind: EntryKind, key: string, payload: unknown): Promise<void> {
    if (!this.#writable) return;
    await this.#sweep();
    const file = this.fileOf(kind, key);
    const body = Buffer.from(JSON.stringify(payload));
    const header: Header = { cache: MAGIC, format: CACHE_FORMAT, kind, key, bytes: body.length, sha256: sha256(body) };
    const tmp = `${file}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]));
      // A rename is atomic: a reader sees the whole entry or none, even with two pipelines at once.
      await rename(tmp, file);
      this.#used.add(file);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {});
      this.#writable = false;
      this.#warn(`cannot write the pipeline cache in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); continuing without storing results`);
    }
  }

  /**
   * Remove the entries this run did not use that no run has used for `keepDays`
   * days (0: every entry this run did not use). Returns what was removed.
   */
  async prune(keepDays: number, now = Date.now()): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    if (!this.#writable) return { entries, bytes };
    for (const kind of KINDS) {
      const names = await readdir(path.join(this.dir, kind)).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const file = path.join(this.dir, kind, name);
        if (this.#used.has(file)) continue;
        const s = await stat(file).catch(() => null);
        if (!s || now - s.mtimeMs < keepDays * DAY_MS) continue;
        await rm(file, { force: true }).then(
          () => ((entries += 1), (bytes += s.size)),
          () => {},
        );
      }
    }
    return { entries, bytes };
  }

  /** Entries and bytes in the folder, for the run's summary. */
  async size(): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    for (const kind of KINDS) {
      const names = await readdir(path.join(this.dir, kind)).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        entries++;
        bytes += await stat(path.join(this.dir, kind, name)).then((s) => s.size, () => 0);
      }
    }
    return { entries, bytes };
  }
}

/** Why an entry's bytes cannot be trusted, or its parsed payload. */
function check(bytes: Buffer, kind: EntryKind, key: string, schema: z.ZodType): string | { value: unknown } {
  const nl = bytes.indexOf(0x0a);
  let header: Partial<Header> | null = null;
  try {
    if (nl >= 0) header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as Partial<Header>;
  } catch {
    // not JSON: not ours
  }
  if (header?.cache !== MAGIC) return 'not a Tierscope pipeline cache entry';
  if (header.format !== CACHE_FORMAT) return `entry format ${String(header.format)}, this version reads ${CACHE_FORMAT}`;
  if (header.kind !== kind || header.key !== key) return 'written for another key';
  const body = bytes.subarray(nl + 1);
  if (body.length !== header.bytes) return `truncated or padded: ${body.length} bytes, header says ${String(header.bytes)}`;
  if (sha256(body) !== header.sha256) return 'checksum mismatch';
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'payload is not JSON';
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return `payload does not match its schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  // The raw value, not zod's copy: zod rebuilds objects in schema key order, and
  // the output's bytes depend on the order the pipeline built them in.
  return { value };
}

/**
 * A fingerprint of the code whose results the cache keeps (the engine, the
 * pure metric code and the output schema), so a changed formula never meets an
 * entry computed by the old one, even when the version number was not bumped.
 */
export async function codeFingerprint(srcDir = path.resolve(import.meta.dirname, '..')): Promise<string> {
  const hash = createHash('sha256');
  for (const sub of ['engine', 'lib', 'schema']) {
    const files = (await readdir(path.join(srcDir, sub), { recursive: true }))
      .filter((f) => f.endsWith('.ts'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const f of files) hash.update(`${sub}/${f}\0`).update(await readFile(path.join(srcDir, sub, f))).update('\0');
  }
  return hash.digest('hex');
}
