import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { pyramidChart } from '../src/charts/pyramid.ts';
import type { ChartContext } from '../src/charts/types.ts';
import { createRasterizer, pngInfo, requireCjkFont, svgToPng, sweepStaleTemp } from '../src/exports/png.ts';
import { slideSvg } from '../src/exports/slide.ts';
import { snapshotScope } from '../src/site/data.ts';
import { fixtureReport } from './helpers/report.ts';
import { tempDir } from './helpers/pipeline.ts';

const HAS_FC_LIST = spawnSync('fc-list', ['--version']).status === 0;

let zhSlide: string;
let enSlide: string;
let zhTitle: string;
let clean: Buffer;

beforeAll(async () => {
  const { report } = await fixtureReport();
  const meta = report.meta();
  const asOf = meta.snapshots.at(-1)!;
  const ctx = (lang: 'zh' | 'en'): ChartContext => ({ lang, meta, branch: null, period: null, asOf });
  const scope = snapshotScope(report.snapshot(asOf), null);
  const zh = pyramidChart(ctx('zh'), scope, 'aum');
  zhTitle = zh.title;
  zhSlide = slideSvg(zh);
  enSlide = slideSvg(pyramidChart(ctx('en'), scope, 'aum'));
  clean = await svgToPng(zhSlide);
});

/** Greyscale pixels of a region, given in 1280×720 slide units (the PNG is 2×). */
async function region(png: Buffer, r: { left: number; top: number; width: number; height: number }) {
  const x2 = { left: r.left * 2, top: r.top * 2, width: r.width * 2, height: r.height * 2 };
  return sharp(png).extract(x2).greyscale().raw().toBuffer();
}

describe('svgToPng', () => {
  it('rasterises a real slide to an opaque 2560×1440 PNG that is not blank', async () => {
    const meta = await sharp(clean).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([2560, 1440]);
    expect(pngInfo(clean)).toEqual({ width: 2560, height: 1440 });
    // The slide is drawn on an opaque white rect, so no alpha channel is needed.
    expect(meta.channels).toBe(3);
    const { channels } = await sharp(clean).stats();
    // A blank page has σ = 0. Dark text and bars on white: a fraction f of pixels about 200
    // levels from white gives σ ≈ 200·√(f(1−f)), so σ > 15 needs f above ~0.6 % ink; the
    // slide (a bold title, axis labels, five pairs of filled bars) has several times that.
    for (const c of channels) expect(c.stdev).toBeGreaterThan(15);
    // Corner is the white background; the title line (x 48…, baseline y 66 at 1×) has ink.
    const corner = await region(clean, { left: 0, top: 0, width: 8, height: 8 });
    expect(Math.min(...corner)).toBe(255);
    const title = await region(clean, { left: 48, top: 36, width: 300, height: 38 });
    expect(Math.min(...title)).toBeLessThan(80);
  });

  it('refuses an SVG that is not 1280×720 instead of stretching it', async () => {
    const square = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" fill="#000"/></svg>';
    await expect(svgToPng(square)).rejects.toThrow(/200×200 px instead of 2560×1440.*1280.*720/);
  });
});

describe('Chinese text in PNGs', () => {
  // The same slide and font guard in a child whose fontconfig sees only a Latin font
  // folder: librsvg gets its fonts through fontconfig (sharp's bundled copy reads
  // FONTCONFIG_FILE like the system one), so this is a machine without CJK fonts.
  const LATIN_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/usr/share/fonts/truetype/liberation'];
  let child: { png: Buffer; errors: Record<string, string | null>; latinOnly: string | null };

  beforeAll(async () => {
    const dir = await tempDir('ts-png-fonts-');
    const latin = LATIN_DIRS.find((d) => existsSync(d) && readdirSync(d).some((f) => /\.(ttf|otf)$/i.test(f)));
    // Without any Latin font folder the child sees no fonts at all, which is also a machine without CJK fonts.
    const conf = path.join(dir, 'fonts.conf');
    await writeFile(
      conf,
      `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>` +
        `${latin ? `<dir>${latin}</dir>` : ''}<cachedir>${path.join(dir, 'fc-cache')}</cachedir></fontconfig>`,
    );
    await writeFile(path.join(dir, 'slide.svg'), zhSlide);
    const script = path.join(dir, 'child.mjs');
    const png = pathToFileURL(path.resolve('src/exports/png.ts')).href;
    await writeFile(
      script,
      `import { readFileSync, writeFileSync } from 'node:fs';
import { requireCjkFont, svgToPng } from ${JSON.stringify(png)};
const dir = ${JSON.stringify(dir)};
const svg = readFileSync(dir + '/slide.svg', 'utf8');
writeFileSync(dir + '/latin.png', await svgToPng(svg));
const errors = {};
for (const method of ${JSON.stringify(HAS_FC_LIST ? ['fontconfig', 'render'] : ['render'])}) {
  errors[method] = await requireCjkFont(svg, { method }).then(() => null, (e) => e.message);
}
const latinOnly = await requireCjkFont('Tierscope 2025-03-31 · 85.20%').then(() => null, (e) => e.message);
process.stdout.write(JSON.stringify({ errors, latinOnly }));
`,
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [script], { env: { ...process.env, FONTCONFIG_FILE: conf } }, (err, stdout, stderr) =>
        err ? reject(new Error(`child failed: ${stderr}`)) : resolve(stdout),
      ),
    );
    child = { ...JSON.parse(out), png: await readFile(path.join(dir, 'latin.png')) };
  });

  it('draws the title with a CJK font, unlike a machine with only Latin fonts', async () => {
    expect(pngInfo(child.png)).toEqual({ width: 2560, height: 1440 });
    // The title starts with ten Chinese characters (30 px bold from x = 48, ~300 px): in
    // the real render that stretch holds only CJK glyphs, so the difference there is CJK
    // glyphs vs missing-glyph boxes (narrower, so the Latin-only render's digits move in).
    expect(zhTitle.slice(0, 10)).toMatch(/^\p{Script=Han}{10}$/u);
    const box = { left: 48, top: 36, width: 290, height: 38 };
    const [a, b] = [await region(clean, box), await region(child.png, box)];
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    // Mean absolute difference per pixel: identical renders give 0; glyphs that differ
    // in shape over a run of bold characters change a large share of the pixels.
    expect(diff / a.length).toBeGreaterThan(20);
  });

  it('passes in this environment, where the CJK fonts are installed', async () => {
    await expect(requireCjkFont(zhSlide, { method: 'render' })).resolves.toBeUndefined();
    if (HAS_FC_LIST) await expect(requireCjkFont(zhSlide, { method: 'fontconfig' })).resolves.toBeUndefined();
    await expect(requireCjkFont(zhSlide)).resolves.toBeUndefined();
  });

  it('fails with an actionable message without them, naming uncovered characters', () => {
    expect(Object.keys(child.errors)).toContain('render');
    for (const message of Object.values(child.errors)) {
      expect(message).toContain('No font with Chinese glyphs is installed, so Chinese chart text would render as empty boxes.');
      expect(message).toContain('apt-get install fonts-noto-cjk');
      expect(message).toContain('"exports": {"png": false} in tierscope.config.json');
      // 中 is the title's first character, U+4E2D.
      expect(message).toContain('中 (U+4E2D)');
    }
    // Text with no Chinese in it needs no Chinese font.
    expect(child.latinOnly).toBeNull();
  });
});

describe('createRasterizer cache', () => {
  async function entries(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const sub of await readdir(dir)) for (const f of await readdir(path.join(dir, sub))) out.push(path.join(dir, sub, f));
    return out;
  }

  it('serves the second request from the cache, also across rasterisers (rebuilds)', async () => {
    const dir = await tempDir('ts-png-cache-');
    const r = createRasterizer({ cacheDir: dir });
    const first = await r.png(zhSlide);
    expect(first.equals(clean)).toBe(true);
    expect(r.stats()).toMatchObject({ rendered: 1, cached: 0 });
    const second = await r.png(zhSlide);
    expect(r.stats()).toMatchObject({ rendered: 1, cached: 1 });
    expect(second.equals(clean)).toBe(true);

    const next = createRasterizer({ cacheDir: dir });
    expect((await next.png(zhSlide)).equals(clean)).toBe(true);
    expect(next.stats()).toMatchObject({ rendered: 0, cached: 1 });
    // Another SVG is another entry; nothing half-written is left behind.
    await next.png(enSlide);
    expect(next.stats()).toMatchObject({ rendered: 1, cached: 1 });
    const files = await entries(dir);
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.png'))).toBe(true);
  });

  it('clears half-written entries of killed builds, never those of a live one', async () => {
    const dir = await tempDir('ts-png-sweep-');
    // A pid that is certainly gone: a child that has exited.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await mkdir(path.join(dir, 'ab'));
    const dead = path.join(dir, 'ab', `abcd.png.${gone}.1.tmp`);
    const live = path.join(dir, 'ab', `abce.png.${process.pid}.7.tmp`);
    const entry = path.join(dir, 'ab', 'abcf.png');
    for (const f of [dead, live, entry]) await writeFile(f, 'x');
    const r = createRasterizer({ cacheDir: dir });
    await r.png(zhSlide);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(entry)).toBe(true);
    expect(await sweepStaleTemp(dir)).toBe(0);
  });

  it('renders a burst of requests for one SVG once, even with no disk cache to find it in', async () => {
    const r = createRasterizer({ cacheDir: false });
    const all = await Promise.all(Array.from({ length: 5 }, () => r.png(zhSlide)));
    expect(r.stats()).toMatchObject({ rendered: 1, cached: 4 });
    for (const b of all) expect(b.equals(clean)).toBe(true);
  });

  it('holds at most `concurrency` renders in sharp at once, however many are asked for', async () => {
    const r = createRasterizer({ cacheDir: false, concurrency: 2 });
    await r.png(enSlide); // the one-off font fingerprint render, outside the measurement
    // Distinct SVGs (a comment changes the key, not the picture), all requested at once.
    const svgs = Array.from({ length: 8 }, (_, i) => `${zhSlide.slice(0, -'</svg>'.length)}<!-- ${i} --></svg>`);
    let peak = 0;
    let done = false;
    // sharp's own count of pipelines running on its worker threads (libuv's pool has
    // 4, so without a limit all of them would be busy). Its `queue` counter is left
    // out: the two are read separately while a worker moves a task from one to the
    // other, so their sum can briefly count a starting render twice.
    const sample = () => {
      peak = Math.max(peak, sharp.counters().process);
      if (!done) setImmediate(sample);
    };
    sample();
    const out = await Promise.all(svgs.map((svg) => r.png(svg)));
    done = true;
    expect(r.stats()).toMatchObject({ rendered: 9, cached: 0 });
    for (const b of out) expect(b.equals(clean)).toBe(true);
    expect(peak).toBe(2);
  });

  const damages: [string, (b: Buffer) => Buffer][] = [
    ['truncated (a killed write)', (b) => b.subarray(0, Math.floor(b.length / 2))],
    ['empty', () => Buffer.alloc(0)],
    ['IHDR tampered (height byte)', (b) => flip(b, 8 + 8 + 7)],
    ['IEND tampered (last byte)', (b) => flip(b, b.length - 1)],
    ['image data tampered (a middle byte)', (b) => flip(b, b.length >> 1)],
  ];
  function flip(b: Buffer, at: number): Buffer {
    const c = Buffer.from(b);
    c[at] = c[at]! ^ 0xff;
    return c;
  }

  it.each(damages)('re-renders an entry that is %s, byte for byte like a clean render', async (_name, damage) => {
    const dir = await tempDir('ts-png-cache-');
    await createRasterizer({ cacheDir: dir }).png(zhSlide);
    const [file] = await entries(dir);
    expect((await readFile(file!)).equals(clean)).toBe(true);
    await writeFile(file!, damage(clean));

    const r = createRasterizer({ cacheDir: dir });
    const got = await r.png(zhSlide);
    expect(r.stats()).toEqual({ rendered: 1, cached: 0, invalid: 1 });
    expect(got.equals(clean)).toBe(true);
    // The entry is repaired on disk too.
    expect((await readFile(file!)).equals(clean)).toBe(true);
  });

  it('says which entry it could not write and how to do without the cache', async () => {
    // A file where the cache folder should be: nothing can be created below it.
    const blocker = path.join(await tempDir('ts-png-cache-'), 'blocked');
    await writeFile(blocker, 'not a folder');
    const r = createRasterizer({ cacheDir: blocker });
    await expect(r.png(zhSlide)).rejects.toThrow(/Could not write the PNG cache entry .*cacheDir: false/);
  });
});
