// What the end-to-end suite needs before it starts, each with one message that
// says how to get it: a dist/ built from the current public/data, and Chromium
// with CJK fonts from Debian.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p, base) : [path.relative(base, p)];
  });
}

/**
 * Why dist/ cannot be tested, or null. Astro copies public/ into dist/, so a dist
 * built from the current data holds the same data files: the manifest (which
 * carries every output's sha256) and meta byte for byte, every other file by size.
 */
export function staleDist(root: string): string | null {
  const data = path.join(root, 'public/data');
  const dist = path.join(root, 'dist');
  const why = (() => {
    if (!existsSync(path.join(data, 'manifest.json'))) return 'public/data has no manifest.json';
    if (!existsSync(path.join(dist, 'index.html'))) return 'dist/index.html is missing';
    for (const f of ['manifest.json', 'meta.json']) {
      const built = path.join(dist, 'data', f);
      if (!existsSync(built) || !readFileSync(built).equals(readFileSync(path.join(data, f))))
        return `dist/data/${f} differs from public/data/${f}`;
    }
    for (const f of files(data)) {
      const built = path.join(dist, 'data', f);
      if (!existsSync(built)) return `dist/data/${f} is missing`;
      if (statSync(built).size !== statSync(path.join(data, f)).size) return `dist/data/${f} differs from public/data/${f}`;
    }
    return null;
  })();
  return why && `dist/ is missing or out of date (${why}): run \`npm run build\` first`;
}

/** Why the browser tests cannot run, or null. */
export function missingBrowser(): string | null {
  const missing = [existsSync(CHROMIUM) ? null : CHROMIUM, existsSync(CJK_FONT) ? null : CJK_FONT].filter((x) => x !== null);
  return missing.length
    ? `${missing.join(' and ')} not found: install the Debian packages \`chromium fonts-noto-cjk\` (apt-get install --no-install-recommends chromium fonts-noto-cjk)`
    : null;
}
