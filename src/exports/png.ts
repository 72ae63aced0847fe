// Slide SVGs (slideSvg) as 2560×1440 PNGs, with a content-addressed disk cache so
// a rebuild only rasterises the charts whose SVG (or renderer, or fonts) changed,
// and a guard that stops the build before Chinese text would be drawn as boxes.
//
// The renderer is sharp's bundled libvips + librsvg; librsvg lays text out with
// pango, which finds fonts through (sharp's own copy of) fontconfig reading the
// system configuration. So what gets drawn depends on the installed fonts, and
// both the cache key and the font guard ask that same machinery.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp, { type OutputInfo } from 'sharp';
import { FONT_FAMILY } from '../charts/theme.ts';
import { sweepStaleTemp as sweepTemp } from '../engine/staleTemp.ts';
import { SLIDE, xmlEscape } from './slide.ts';

/** Pixel size of every exported PNG: the slide at 2× for sharp text on projectors and retina screens. */
export const PNG_SIZE = { width: SLIDE.width * 2, height: SLIDE.height * 2 } as const;

// librsvg sizes an SVG at 72 dpi by default; 2 × 72 dpi makes 1280×720 → 2560×1440.
const DENSITY = 72 * 2;

// Encoder cost on the same pixels, measured with `scripts/bench-png.ts --settings`
// on 60 real slides (2 cores; rasterising itself is ~35 ms/chart): level 2 7.0 ms
// 163 KB, level 3 7.1 ms 158 KB, level 4 8.3 ms 156 KB, level 6 12.6 ms 150 KB,
// level 9 ~120 ms 130 KB; level 1 is no faster and 260 KB. Adaptive filtering adds
// ~55 ms *and* grows these flat-colour images (180 KB at level 2). Level 3 is the
// knee. A palette (lossy, libimagequant) halves the size but costs ~100 ms.
// Slides are opaque (a white rect under everything), so dropping the alpha channel
// loses nothing and saves ~5 % of the size (172 → 163 KB at level 2).
const PNG_OPTIONS = { compressionLevel: 3, adaptiveFiltering: false } as const;

/**
 * Everything besides the SVG text that decides the PNG's bytes: the libraries
 * that parse, lay out, rasterise and encode, and our settings. Part of the cache
 * key, so upgrading sharp (or changing a setting here) re-renders everything.
 */
export const RENDERER = [
  'tierscope-png/1',
  ...(['sharp', 'vips', 'rsvg', 'pango', 'cairo', 'harfbuzz', 'freetype', 'fontconfig', 'png', 'zlib-ng'] as const).map(
    (k) => `${k}@${(sharp.versions as Record<string, string | undefined>)[k] ?? '-'}`,
  ),
  `density=${DENSITY}`,
  'alpha=removed',
  `png=${JSON.stringify(PNG_OPTIONS)}`,
].join(' ');

/**
 * A 1280×720 slide SVG as a 2560×1440 PNG. Throws if the SVG is another size rather
 * than stretch it. The alpha channel is dropped, so the SVG must paint its own
 * background (slideSvg's white rect does): transparent areas would come out black.
 */
export async function svgToPng(svg: string): Promise<Buffer> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(Buffer.from(svg), { density: DENSITY }).removeAlpha().png(PNG_OPTIONS).toBuffer({ resolveWithObject: true });
  } catch (err) {
    // One of thousands of charts failed: name it (librsvg only says "XML parse error … column N").
    const title = /<title[^>]*>([^<]*)<\/title>/.exec(svg)?.[1] ?? '(untitled)';
    throw new Error(`svgToPng: could not rasterise the slide "${title}": ${(err as Error).message}`, { cause: err });
  }
  const { data, info } = out;
  if (info.width !== PNG_SIZE.width || info.height !== PNG_SIZE.height) {
    throw new Error(
      `svgToPng: the SVG rasterised to ${info.width}×${info.height} px instead of ${PNG_SIZE.width}×${PNG_SIZE.height}: ` +
        `slide SVGs must declare width="${SLIDE.width}" height="${SLIDE.height}" (as slideSvg makes them); resizing would distort the chart`,
    );
  }
  return data;
}

// ── PNG structure ───────────────────────────────────────────────────────────

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (throws if `buf` does not start like a PNG). */
export function pngInfo(buf: Buffer): { width: number; height: number } {
  if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG: no signature and IHDR chunk at the start');
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/**
 * Whether `buf` is a complete, undamaged PNG of `size`: signature, IHDR first
 * with the expected dimensions, every chunk's CRC right, and IEND exactly at the
 * end. A build killed mid-write, a full disk or a flipped bit all fail this, so
 * a bad cache entry is re-rendered instead of being shipped.
 */
export function isCompletePng(buf: Buffer, size: { width: number; height: number } = PNG_SIZE): boolean {
  let info: { width: number; height: number };
  try {
    info = pngInfo(buf);
  } catch {
    return false;
  }
  if (info.width !== size.width || info.height !== size.height) return false;
  let off = 8;
  let sawData = false;
  while (off + 12 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const end = off + 12 + len;
    if (len > 0x7fffffff || end > buf.length) return false;
    const type = buf.toString('latin1', off + 4, off + 8);
    if (crc32(buf.subarray(off + 4, off + 8 + len)) !== buf.readUInt32BE(off + 8 + len)) return false;
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') return sawData && end === buf.length;
    off = end;
  }
  return false;
}

// ── The cached rasteriser ───────────────────────────────────────────────────

export interface RasterizerOptions {
  /** Where PNGs are kept between builds; false for no cache. Default node_modules/.cache/tierscope/png (below the working directory, like public/data). */
  cacheDir?: string | false;
  /** Renders at once. Default os.availableParallelism(): each render is single-threaded and holds ~30 MB of pixels. */
  concurrency?: number;
}

export interface RasterizerStats {
  /** PNGs rasterised by this rasteriser. */
  rendered: number;
  /** PNGs served without rasterising: from the disk cache, or a render of the same SVG already under way. */
  cached: number;
  /** Cache entries found damaged (and re-rendered; included in `rendered`). */
  invalid: number;
}

export interface Rasterizer {
  png(svg: string): Promise<Buffer>;
  stats(): RasterizerStats;
}

export const DEFAULT_CACHE_DIR = path.join('node_modules', '.cache', 'tierscope', 'png');

/** A small FIFO semaphore: thousands of png() calls may be fired at once, but only `n` hold pixels. */
function limiter(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** The half-written entries (`<key>.png.<pid>.<n>.tmp`) of processes that are gone, as a killed build leaves them. */
export const sweepStaleTemp = (cacheDir: string): Promise<number> => sweepTemp(cacheDir, /\.png\.(\d+)\.\d+\.tmp$/);

export function createRasterizer(opts: RasterizerOptions = {}): Rasterizer {
  const cacheDir = opts.cacheDir === false ? null : path.resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? os.availableParallelism()));
  const limit = limiter(concurrency);
  const stats: RasterizerStats = { rendered: 0, cached: 0, invalid: 0 };
  // The same chart can be exported from several pages; render it once.
  const inFlight = new Map<string, Promise<Buffer>>();
  const madeDirs = new Set<string>();
  let tmpSeq = 0;
  let keyPrefix: Promise<string> | null = null;
  const swept = cacheDir === null ? Promise.resolve(0) : sweepStaleTemp(cacheDir);

  const render = async (svg: string) => {
    const buf = await svgToPng(svg);
    stats.rendered++;
    return buf;
  };

  const store = async (file: string, buf: Buffer) => {
    const dir = path.dirname(file);
    // Same folder as the entry, so the rename is atomic: readers see the old entry or the whole new one.
    const tmp = `${file}.${process.pid}.${++tmpSeq}.tmp`;
    try {
      if (!madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        madeDirs.add(dir);
      }
      await writeFile(tmp, buf);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      throw new Error(
        `Could not write the PNG cache entry ${file}: ${(err as Error).message}. ` +
          'Pass another cacheDir to createRasterizer, or cacheDir: false to render without a cache.',
        { cause: err },
      );
    }
  };

  const lookup = async (key: string, svg: string): Promise<Buffer> => {
    if (cacheDir === null) return render(svg);
    await swept;
    const file = path.join(cacheDir, key.slice(0, 2), `${key}.png`);
    // Any read failure is a miss: re-rendering is always correct, and if the folder is
    // really unusable the write below fails with a message that says what to do.
    const hit = await readFile(file).catch(() => null);
    if (hit !== null) {
      if (isCompletePng(hit)) {
        stats.cached++;
        return hit;
      }
      stats.invalid++;
    }
    const buf = await render(svg);
    await store(file, buf);
    return buf;
  };

  return {
    async png(svg) {
      // Fonts decide glyph shapes and widths but are not in the SVG: fingerprint them into the key.
      keyPrefix ??= fontFingerprint().then((f) => `${RENDERER}\0${f}\0`);
      const key = createHash('sha256')
        .update(await keyPrefix)
        .update(svg)
        .digest('hex');
      const pending = inFlight.get(key);
      if (pending) {
        const buf = await pending;
        stats.cached++;
        return buf;
      }
      // Cache reads run under the limit too: thousands of concurrent readFile calls would exhaust file descriptors.
      const job = limit(() => lookup(key, svg)).finally(() => inFlight.delete(key));
      inFlight.set(key, job);
      return job;
    },
    stats: () => ({ ...stats }),
  };
}

let fingerprintMemo: Promise<string> | null = null;

/**
 * A hash of how the slide fonts currently draw Latin, digits and Chinese (bold and
 * regular), so installing or removing a font invalidates cached PNGs whose text
 * it would change. One ~10 ms render per process.
 */
function fontFingerprint(): Promise<string> {
  fingerprintMemo ??= (async () => {
    const sample = 'Tierscope Ag 0123456789 %.,–→ 中高端客户资产占比（%），。';
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="64" font-family="${xmlEscape(FONT_FAMILY)}" font-size="20">` +
      `<rect width="720" height="64" fill="#fff"/><text x="4" y="24">${xmlEscape(sample)}</text>` +
      `<text x="4" y="54" font-weight="700">${xmlEscape(sample)}</text></svg>`;
    const raw = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
    return createHash('sha256').update(raw).digest('hex').slice(0, 16);
  })();
  return fingerprintMemo;
}

// ── The CJK font guard ──────────────────────────────────────────────────────

// Han ideographs plus the CJK punctuation and full-width forms Chinese text uses
// （，。：；！？、「」) — a Latin-only font has none of them.
const CJK = /[\p{Script=Han}\u3001-\u303f\uff01-\uff60\uffe0-\uffe6]/gu;

export type FontCheckMethod = 'fontconfig' | 'render';

export interface CjkCoverage {
  /** How coverage was decided: fc-list's answer, or comparing rendered glyphs with a missing-glyph box. */
  method: FontCheckMethod;
  /** Distinct CJK characters of the text, in first-seen order. */
  checked: string[];
  /** Those no installed font can draw. */
  missing: string[];
}

/**
 * Which CJK characters of `text` no installed font covers. By default asks
 * fontconfig (fc-list) and falls back to a render probe when fc-list is not
 * installed; `method` forces one (for tests).
 */
export async function cjkCoverage(text: string, method?: FontCheckMethod): Promise<CjkCoverage> {
  const checked = [...new Set(text.match(CJK) ?? [])];
  if (checked.length === 0) return { method: method ?? 'fontconfig', checked, missing: [] };
  if (method !== 'render') {
    // HarfBuzz draws a compatibility ideograph (U+F900…) the font lacks as its canonical equivalent, so ask for both.
    const alt = (c: string) => c.normalize('NFD').codePointAt(0)!;
    const covered = await fontconfigCoverage(checked.flatMap((c) => [c.codePointAt(0)!, alt(c)]));
    if (covered !== null) {
      return { method: 'fontconfig', checked, missing: checked.filter((c) => !covered.has(c.codePointAt(0)!) && !covered.has(alt(c))) };
    }
    if (method === 'fontconfig') throw new Error('fc-list (fontconfig) is not installed or failed, so font coverage cannot be asked from fontconfig');
  }
  return { method: 'render', checked, missing: await renderProbeMissing(checked) };
}

const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Throws an actionable Error when Chinese text would render as empty boxes. Call
 * once per build, before rasterising, with all text the PNGs will draw.
 */
export async function requireCjkFont(text: string, opts: { method?: FontCheckMethod } = {}): Promise<void> {
  const { missing, checked } = await cjkCoverage(text, opts.method);
  if (missing.length === 0) return;
  const sample = missing.slice(0, 8).map((c) => `${c} (${hex(c)})`).join(', ');
  const what =
    missing.length === checked.length
      ? 'No font with Chinese glyphs is installed, so Chinese chart text would render as empty boxes.'
      : `The installed fonts lack ${missing.length} of the ${checked.length} Chinese characters the charts use, so those would render as empty boxes.`;
  throw new Error(
    `${what} Uncovered: ${sample}${missing.length > 8 ? `, … (${missing.length} in all)` : ''}. ` +
      'Install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or switch PNG exports off with "exports": {"png": false} in tierscope.config.json.',
  );
}

/**
 * requireCjkFont for a stream of texts (every slide of a build): only characters
 * not yet found covered are asked about, so after the first charts it costs nothing.
 */
export function cjkFontGuard(opts: { method?: FontCheckMethod } = {}): (text: string) => Promise<void> {
  const covered = new Set<string>();
  return async (text) => {
    const fresh = [...new Set(text.match(CJK) ?? [])].filter((c) => !covered.has(c));
    if (fresh.length === 0) return;
    await requireCjkFont(fresh.join(''), opts);
    for (const c of fresh) covered.add(c);
  };
}

/**
 * The code points of `want` that some font pango would use covers, per fontconfig
 * — null when fc-list cannot be run. Pango falls back glyph by glyph across all
 * fonts, so a character counts as covered when any usable font has it; "usable"
 * is pango's own rule (pango_fc_is_supported_font_format): TrueType or CFF, not WOFF.
 */
async function fontconfigCoverage(want: number[]): Promise<Set<number> | null> {
  let out: string;
  try {
    out = await new Promise<string>((resolve, reject) =>
      execFile('fc-list', ['--format', '%{fontformat}|%{file}|%{charset}\\n'], { maxBuffer: 1 << 28, timeout: 20_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
  } catch {
    return null;
  }
  const sorted = [...new Set(want)].sort((a, b) => a - b);
  const covered = new Set<number>();
  for (const line of out.split('\n')) {
    const bar = line.indexOf('|');
    const lastBar = line.lastIndexOf('|');
    if (bar < 0 || lastBar === bar) continue;
    const format = line.slice(0, bar).toLowerCase();
    const file = line.slice(bar + 1, lastBar).toLowerCase();
    if ((format !== 'truetype' && format !== 'cff') || file.endsWith('.woff') || file.endsWith('.woff2')) continue;
    for (const range of line.slice(lastBar + 1).split(' ')) {
      if (range === '') continue;
      const dash = range.indexOf('-');
      const lo = parseInt(dash < 0 ? range : range.slice(0, dash), 16);
      const hi = dash < 0 ? lo : parseInt(range.slice(dash + 1), 16);
      // First wanted code point ≥ lo, then walk while ≤ hi.
      let a = 0;
      let b = sorted.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if (sorted[m]! < lo) a = m + 1;
        else b = m;
      }
      for (let i = a; i < sorted.length && sorted[i]! <= hi; i++) covered.add(sorted[i]!);
    }
  }
  return covered;
}

// Render probe geometry: one glyph per cell, in the slides' font-family list.
const CELL = 64;
const PROBE_SIZE = 40;
const PROBE_COLS = 32;
const PROBE_BATCH = PROBE_COLS * 32 - 2;
// Code points no conforming font maps (unassigned): pango draws its missing-glyph
// box for them, BMP and supplementary boxes having different layouts (4 vs 6 hex digits).
const MISSING_BMP = 0x0378;
const MISSING_SUPP = 0xefffd;

/**
 * The characters of `chars` that come out as pango's missing-glyph box, judged on
 * the pixels sharp itself renders. A missing glyph is a box (with the code point
 * in hex inside) whose frame does not depend on the character, so a character is
 * missing when its cell matches the reference box of an unassigned code point
 * everywhere except inside that box. A real glyph is larger than the box (CJK
 * glyphs fill ~0.9 em, the box ~0.5 em) and has no frame on the box's edges.
 */
async function renderProbeMissing(chars: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let start = 0; start < chars.length; start += PROBE_BATCH) {
    const batch = chars.slice(start, start + PROBE_BATCH);
    const all = [String.fromCodePoint(MISSING_BMP), String.fromCodePoint(MISSING_SUPP), ...batch];
    const rows = Math.ceil(all.length / PROBE_COLS);
    const width = CELL * Math.min(PROBE_COLS, all.length);
    const height = CELL * rows;
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${xmlEscape(FONT_FAMILY)}" font-size="${PROBE_SIZE}">` +
      `<rect width="${width}" height="${height}" fill="#fff"/>` +
      all.map((c, i) => `<text x="${(i % PROBE_COLS) * CELL + 8}" y="${Math.floor(i / PROBE_COLS) * CELL + 48}">${xmlEscape(c)}</text>`).join('') +
      '</svg>';
    const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || info.width !== width || info.height !== height) throw new Error('font probe: unexpected raster layout');
    const cell = (i: number) => ({ x: (i % PROBE_COLS) * CELL, y: Math.floor(i / PROBE_COLS) * CELL });
    const px = (x: number, y: number) => data[y * width + x]!;
    const refs = [0, 1].map((i) => {
      const o = cell(i);
      return { o, box: inkBox(px, o.x, o.y) };
    });
    batch.forEach((ch, j) => {
      const ref = refs[ch.codePointAt(0)! > 0xffff ? 1 : 0]!;
      const o = cell(j + 2);
      if (looksLikeRef(px, o, ref.o, ref.box)) missing.push(ch);
    });
  }
  return missing;
}

type Px = (x: number, y: number) => number;
type Box = { x0: number; y0: number; x1: number; y1: number } | null;

const INK = 224;
// Antialiasing at identical sub-pixel positions is identical; the slack only absorbs rounding.
const SAME = 24;

function inkBox(px: Px, ox: number, oy: number): Box {
  let box: Box = null;
  for (let y = 0; y < CELL; y++) {
    for (let x = 0; x < CELL; x++) {
      if (px(ox + x, oy + y) >= INK) continue;
      if (box === null) box = { x0: x, y0: y, x1: x, y1: y };
      else {
        box.x0 = Math.min(box.x0, x);
        box.x1 = Math.max(box.x1, x);
        box.y0 = Math.min(box.y0, y);
        box.y1 = Math.max(box.y1, y);
      }
    }
  }
  return box;
}

/**
 * Whether the cell at `o` matches the reference cell at `r` outside the reference
 * box's interior: same pixels outside the box and on its outermost rows and
 * columns (the frame). Digits inside the box are the code point and may differ.
 * With no reference ink at all (no fonts whatsoever), the cell must be blank too.
 */
function looksLikeRef(px: Px, o: { x: number; y: number }, r: { x: number; y: number }, box: Box): boolean {
  for (let y = 0; y < CELL; y++) {
    for (let x = 0; x < CELL; x++) {
      const inside = box !== null && x > box.x0 && x < box.x1 && y > box.y0 && y < box.y1;
      if (inside) continue;
      if (Math.abs(px(o.x + x, o.y + y) - px(r.x + x, r.y + y)) > SAME) return false;
    }
  }
  return true;
}
