// Output is built in a sibling temp folder and swapped in only when complete,
// so a failed or killed run leaves the previous output untouched. Used for the
// pipeline's JSON folder, the whole site (dist/) and the sample bank's folder;
// the steps that write into an output in place (build:exports, build:site alone)
// check and mark it here too.
//
// An output folder is the tool's own: it is replaced only when it is absent,
// empty, or holds a previous output of the tool (the marker file below, or a
// pipeline manifest). Anything else is refused (OutputRefused, exit 2) before
// anything is touched: a folder holding the user's files, a file, the data
// folder or a folder inside or around it, the project or its source folders.
// A symlinked output folder is written through: the swap happens beside the
// link's target, and the link stays a link.
import { lstat, mkdir, readFile, readdir, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The output folder could not be written; the previous output is still in place. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** The output folder is not the tool's to replace; nothing was touched. */
export class OutputRefused extends Error {
  override name = 'OutputRefused';
}

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOTDIR: 'a file is in the way of a folder',
  EEXIST: 'a file is in the way',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
};

/** A file-system failure as one line naming the output and what went wrong; other errors pass through. */
export function outputError(e: unknown, out: string, doing: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const why = WHY[code] ?? (e as Error).message;
  return new OutputError(`cannot write ${out} (${doing}): ${why} [${code}]; the previous output was left as it was`);
}

/**
 * Written into every output folder the tool creates (but the pipeline's, whose
 * manifest.json marks it): the top-level entries the tool wrote there, so the
 * next run knows the folder is its own and notices anything added since.
 */
export const MARKER = '.tierscope-output.json';
/** Files an OS puts in any folder it shows; never the user's work. */
const OS_FILES = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's source folders, and whether an output may lie inside (public/ holds public/data, the pipeline's default --out). */
const SOURCE_FOLDERS: [string, boolean][] = [
  ['src', false],
  ['scripts', false],
  ['tests', false],
  ['docs', false],
  ['public', true],
];

export interface OutputFolderOptions {
  /** The data folders the run reads: the output must not be one, lie inside one, or hold one. */
  data?: string[];
  /**
   * An unmarked folder this tool wrote before it marked its folders (the sample
   * generator's, stamped by the build): given the folder's entry names, whether
   * it is one. Such a folder counts as a previous output.
   */
  previous?: (names: string[]) => boolean;
}

const missing = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException)?.code ?? '');
/** A folder as the user names it, with a trailing slash. */
const folder = (p: string) => (p.endsWith('/') || p.endsWith(path.sep) ? p : `${p}/`);
/** A path the tool derived: relative when below the working folder, else absolute. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
const within = (inner: string, outer: string) => {
  const rel = path.relative(outer, inner);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};
const real = (p: string) => realpath(p).catch(() => path.resolve(p));

interface Resolved {
  /** The folder itself, every symbolic link followed (absent folders: their nearest existing ancestor's). */
  target: string;
  /** How messages name it: as given and, for a link, where it points (with a trailing slash where it is a folder). */
  name: (asFolder: boolean) => string;
}

async function resolveOut(out: string): Promise<Resolved> {
  const abs = path.resolve(out);
  const link = await lstat(abs).then((s) => s.isSymbolicLink(), () => false);
  const naming = (target: string) => (asFolder: boolean) => {
    const as = (p: string) => (asFolder ? folder(p) : p.replace(/[\\/]+$/, ''));
    return link ? `${as(out)} (a link to ${as(shown(target))})` : as(out);
  };
  try {
    const target = await realpath(abs);
    return { target, name: naming(target) };
  } catch (e) {
    if (!missing(e)) throw outputError(e, out, 'resolving its path');
  }
  // Absent, or a link to an absent folder: follow the links by hand to the folder to create.
  let p = abs;
  for (let hops = 0; hops < 40; hops++) {
    const st = await lstat(p).catch(() => null);
    if (!st?.isSymbolicLink()) break;
    p = path.resolve(path.dirname(p), await readlink(p));
  }
  const rest: string[] = [];
  let base = p;
  for (;;) {
    rest.unshift(path.basename(base));
    base = path.dirname(base);
    const st = await stat(base).catch(() => null);
    if (!st) continue;
    if (!st.isDirectory())
      throw new OutputRefused(`refusing to replace ${naming(p)(true)}: ${shown(base)} is a file, not a folder; choose an empty or new folder`);
    break;
  }
  const target = path.join(await realpath(base), ...rest);
  return { target, name: naming(target) };
}

/** The output must stay apart from the data and the project's own folders. */
async function checkApart(target: string, name: string, opts: OutputFolderOptions): Promise<void> {
  const root = await real(PROJECT_ROOT);
  const guards: { dir: string; is: string; of: string; inside: boolean }[] = [];
  for (const d of opts.data ?? []) guards.push({ dir: await real(d), is: 'the data folder', of: `the data folder ${folder(d)}`, inside: true });
  guards.push({ dir: root, is: 'the Tierscope project folder', of: `the Tierscope project folder ${folder(root)}`, inside: false });
  for (const [f, mayHold] of SOURCE_FOLDERS) {
    const what = `the project's ${f}/ folder`;
    guards.push({ dir: path.join(root, f), is: what, of: what, inside: !mayHold });
  }
  const same = guards.find((g) => g.dir === target);
  const held = guards.find((g) => within(g.dir, target));
  const around = guards.find((g) => g.inside && within(target, g.dir));
  const why = same ? `is ${same.is}` : held ? `holds ${held.of}` : around ? `is inside ${around.of}` : null;
  if (why) throw new OutputRefused(`refusing to replace ${name}: it ${why}; choose an empty or new folder outside it`);
}

/** A manifest.json the pipeline wrote: the files it lists, or null. */
async function manifestFiles(file: string): Promise<Set<string> | null> {
  try {
    const m = JSON.parse(await readFile(file, 'utf8')) as { outputVersion?: unknown; toolVersion?: unknown; outputs?: { file?: unknown }[] };
    if (typeof m.outputVersion !== 'number' || typeof m.toolVersion !== 'string' || !Array.isArray(m.outputs)) return null;
    return new Set(m.outputs.map((o) => String(o?.file)));
  } catch {
    return null;
  }
}

/** Every file below dir, as relative paths with forward slashes (OS files left out). */
async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      if (OS_FILES.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out;
}

/**
 * What in a folder the tool did not write: null when the folder is not a
 * previous output at all, else the entries added to it since.
 */
async function foreignInOutput(dir: string, names: string[]): Promise<string[] | null> {
  const marked = await markedEntries(dir);
  if (marked) {
    const ours = new Set([MARKER, ...marked]);
    return names.filter((n) => !ours.has(n));
  }
  // The pipeline's folder: its manifest lists every file it wrote.
  const listed = await manifestFiles(path.join(dir, 'manifest.json'));
  if (listed) return (await filesBelow(dir)).filter((f) => f !== 'manifest.json' && !listed.has(f));
  // A dist/ built before the marker: the site's copy of the pipeline's folder tells it.
  if (await manifestFiles(path.join(dir, 'data', 'manifest.json'))) return [];
  return null;
}

/** The folder is absent, empty, or a previous output with nothing added; else OutputRefused. */
async function checkOwned(target: string, name: Resolved['name'], previous?: (names: string[]) => boolean): Promise<void> {
  const st = await lstat(target).catch((e: unknown) => {
    if (missing(e)) return null;
    throw e;
  });
  if (!st) return;
  if (!st.isDirectory())
    throw new OutputRefused(`refusing to replace ${name(false)}: it is ${st.isFile() ? 'a file, not a folder' : 'not a folder'}; choose an empty or new folder`);
  const names = (await readdir(target)).filter((n) => !OS_FILES.has(n)).sort();
  if (names.length === 0) return;
  const foreign = await foreignInOutput(target, names);
  const theirs = foreign ?? (previous?.(names) ? [] : names);
  if (theirs.length === 0) return;
  const n = theirs.length;
  const list = `${theirs.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}`;
  const entries = `${n} ${n === 1 ? 'entry' : 'entries'} Tierscope did not write (${list})`;
  throw new OutputRefused(
    foreign
      ? `refusing to replace ${name(true)}: it holds a previous Tierscope output and ${entries}; move ${n === 1 ? 'it' : 'them'} away or choose an empty or new folder`
      : `refusing to replace ${name(true)}: it holds ${entries}; choose an empty or new folder`,
  );
}

/**
 * Whether the tool may replace `out`: resolves it (links followed) and refuses,
 * with OutputRefused and one line naming the folder and what it holds, anything
 * but an absent or empty folder or a previous output of the tool. Touches nothing.
 */
export async function checkOutputFolder(out: string, opts: OutputFolderOptions = {}): Promise<string> {
  try {
    const { target, name } = await resolveOut(out);
    const isFolder = await stat(target).then((s) => s.isDirectory(), () => true);
    await checkApart(target, name(isFolder), opts);
    await checkOwned(target, name, opts.previous);
    return target;
  } catch (e) {
    throw e instanceof OutputRefused ? e : outputError(e, out, 'reading what it holds');
  }
}

/** The marker's text: the top-level entries the tool wrote, and a word for people who open it. */
const markerText = (entries: string[]) =>
  `${JSON.stringify(
    {
      writtenBy: 'Tierscope',
      note: 'Written by Tierscope, which replaces this folder whole on its next run; keep your own files elsewhere.',
      entries: [...new Set(entries)].filter((n) => n !== MARKER).sort(),
    },
    null,
    1,
  )}\n`;

/** The entries a folder's marker lists, or null when it has none. */
async function markedEntries(dir: string): Promise<string[] | null> {
  const marker = await readFile(path.join(dir, MARKER), 'utf8').then((t) => JSON.parse(t) as { entries?: unknown }, () => null).catch(() => null);
  return marker && Array.isArray(marker.entries) ? marker.entries.map(String) : null;
}

/**
 * Marks `dir` as the tool's: its marker lists every top-level entry now in it.
 * For a folder the tool has just written whole (`npm run build:site` alone, into
 * the folder Astro emptied).
 */
export async function markOutput(dir: string): Promise<void> {
  try {
    await writeFile(path.join(dir, MARKER), markerText(await readdir(dir)));
  } catch (e) {
    throw outputError(e, dir, `writing ${MARKER}`);
  }
}

/**
 * For a step that writes into an output folder in place (`npm run build:exports`
 * into dist/, the build's stamp in data/sample/): refuses, like stageFolder, a
 * folder that is not absent, empty or a previous output, before `write` runs;
 * then marks the top-level entries `write` added as the tool's, so the next run
 * does not take them for the user's. A pipeline output is left to its manifest.
 */
export async function writeInPlace<T>(dir: string, write: () => Promise<T>, opts: OutputFolderOptions = {}): Promise<T> {
  await checkOutputFolder(dir, opts);
  const before = new Set(await readdir(dir).catch(() => [] as string[]));
  const result = await write();
  try {
    const marked = await markedEntries(dir);
    const now = await readdir(dir);
    if (marked) {
      const added = now.filter((n) => !before.has(n) && !marked.includes(n));
      if (added.length) await writeFile(path.join(dir, MARKER), markerText([...marked, ...added]));
    } else if (!now.includes('manifest.json')) {
      // Absent, empty or a previous output without a marker: all that is in it now is the tool's.
      await writeFile(path.join(dir, MARKER), markerText(now));
    }
  } catch (e) {
    throw outputError(e, dir, `writing ${MARKER}`);
  }
  return result;
}

const stagePrefix = (out: string) => `.${path.basename(out)}.tierscope-tmp-`;
const oldPrefix = (out: string) => `.${path.basename(out)}.tierscope-old-`;

/** Restore an output folder left renamed away by a run killed mid-swap, and clear stale staging folders. */
async function recover(out: string): Promise<void> {
  const parent = path.dirname(out);
  const names = await readdir(parent).catch(() => [] as string[]);
  const outExists = await stat(out).then(() => true, () => false);
  for (const name of names.sort()) {
    const full = path.join(parent, name);
    if (name.startsWith(oldPrefix(out))) {
      if (!outExists) await rename(full, out);
      else await rm(full, { recursive: true, force: true });
    } else if (name.startsWith(stagePrefix(out))) {
      await rm(full, { recursive: true, force: true });
    }
  }
}

export interface StagedFolder {
  /** The temp folder to fill; beside the output, never inside it. */
  dir: string;
  /** Swap the filled folder in for the output. */
  commit(): Promise<void>;
  /** Remove the temp folder; the output is untouched. */
  abort(): Promise<void>;
}

export interface StageOptions extends OutputFolderOptions {
  /** Write the marker into the folder (default); off for the pipeline's, whose manifest marks it. */
  marker?: boolean;
}

/**
 * A temp folder beside `out` (beside its target, for a link) to fill and swap in.
 * Refuses (OutputRefused) a folder the tool may not replace, before and again just
 * before the swap, so nothing added meanwhile is lost.
 */
export async function stageFolder(out: string, opts: StageOptions = {}): Promise<StagedFolder> {
  const target = await checkOutputFolder(out, opts);
  const parent = path.dirname(target);
  const dir = path.join(parent, `${stagePrefix(target)}${process.pid}`);
  try {
    await mkdir(parent, { recursive: true });
    await recover(target);
    await rm(dir, { recursive: true, force: true });
    // Not recursive: the parent exists, and a recursive mkdir reports ENOENT where the real cause is EROFS.
    await mkdir(dir);
  } catch (e) {
    throw outputError(e, out, 'creating a temporary folder beside it');
  }
  return {
    dir,
    async commit() {
      const old = path.join(parent, `${oldPrefix(target)}${process.pid}`);
      try {
        if (opts.marker !== false) await writeFile(path.join(dir, MARKER), markerText(await readdir(dir)));
      } catch (e) {
        throw outputError(e, out, `writing ${MARKER}`);
      }
      // Anything put into the folder while the run worked is refused too; it is the tool's only if nothing was.
      if ((await checkOutputFolder(out, opts)) !== target) throw new OutputError(`cannot write ${out}: it was moved or relinked during the run; the previous output was left as it was`);
      try {
        const existed = await stat(target).then(() => true, () => false);
        if (existed) await rename(target, old);
        await rename(dir, target);
        if (existed) await rm(old, { recursive: true, force: true });
      } catch (e) {
        throw outputError(e, out, 'swapping the new output in');
      }
    },
    async abort() {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

export interface StagedOutput extends StagedFolder {
  write(relPath: string, text: string): Promise<{ file: string; sha256: string; bytes: number }>;
}

/** The pipeline's output: files written with their sha256 for the manifest, which marks the folder as the tool's. */
export async function stageOutput(out: string, opts: OutputFolderOptions = {}): Promise<StagedOutput> {
  const folder = await stageFolder(out, { ...opts, marker: false });
  return {
    ...folder,
    async write(relPath, text) {
      const full = path.join(folder.dir, relPath);
      const bytes = Buffer.from(text, 'utf8');
      try {
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, bytes);
      } catch (e) {
        throw outputError(e, out, `writing ${relPath}`);
      }
      return { file: relPath, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    },
  };
}
