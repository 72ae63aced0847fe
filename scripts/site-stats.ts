// `npm run site:stats`: the built site's size — pages, total bytes, and the page
// weight (HTML + the CSS and JS it loads, gzipped) of the summary pages.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(process.argv[2] ?? 'dist');
if (!existsSync(path.join(dist, 'index.html'))) {
  console.error(`${dist}/index.html is missing: run \`npm run build\` first`);
  process.exit(1);
}

let pages = 0;
let bytes = 0;
const walk = (d: string) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const full = path.join(d, e.name);
    if (e.isDirectory()) walk(full);
    else {
      bytes += statSync(full).size;
      if (e.name === 'index.html') pages++;
    }
  }
};
walk(dist);

const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
function weight(page: string) {
  const html = readFileSync(path.join(dist, page));
  const assets = [...html.toString('utf8').matchAll(/<(?:link[^>]+href|script[^>]+src)="(\/[^"]+\.(?:css|js))"/g)].map((m) => m[1]!);
  let raw = html.length;
  let zipped = gz(html);
  for (const a of new Set(assets)) {
    const b = readFileSync(path.join(dist, a));
    raw += b.length;
    zipped += gz(b);
  }
  return { raw, zipped, assets: assets.length };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`pages: ${pages}`);
console.log(`dist total: ${(bytes / 1e6).toFixed(1)} MB`);
for (const p of ['index.html', 'en/index.html', 'migration/index.html']) {
  if (!existsSync(path.join(dist, p))) continue;
  const w = weight(p);
  console.log(`${p}: HTML+CSS+JS ${kb(w.raw)} raw, ${kb(w.zipped)} gzip (${w.assets} CSS/JS files)`);
}
