// The published pages are self-contained and carry a Content-Security-Policy that
// runs no inline script unless hashed: every HTML file of dist/ (report pages,
// print pages, embed pages) checked statically, and the checks themselves shown to
// catch a planted inline script, a foreign source and an off-origin load, in the
// page and in the browser.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/site/csp.ts';
import { serveStatic, type StaticServer } from '../../src/exports/staticServer.ts';
import type { BrowserContext } from 'playwright-core';
import { sharedBrowser, visit } from './browser.ts';
import { missingBrowser, staleDist } from './preconditions.ts';
import { policiesOf, selfContainedProblems } from './selfContained.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const stale = staleDist(ROOT);
const noBrowser = missingBrowser();

function* filesOf(dir: string, ext: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* filesOf(p, ext);
    else if (e.name.endsWith(ext)) yield p;
  }
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
const page = (head: string, body = '<p>x</p>') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${esc(CONTENT_SECURITY_POLICY)}">${head}</head><body>${body}</body></html>`;

describe('the self-containment check', () => {
  it('passes a page like the site’s and names each planted fault', () => {
    const good = page('<link rel="stylesheet" href="/_astro/a.css"><script type="module" src="/_astro/b.js"></script><style>p{color:red}</style>', '<svg><style>.x{}</style></svg><script type="application/json">{"a":1}</script>');
    expect(selfContainedProblems(good, 'good')).toEqual([]);
    expect(policiesOf(good)).toEqual([CONTENT_SECURITY_POLICY]);

    const inline = page('', '<script>alert(1)</script>');
    expect(selfContainedProblems(inline, 'p')).toEqual([expect.stringMatching(/^p: inline script not allowed by a hash \('sha256-[^']+'\): alert\(1\)$/)]);
    // The same script is fine once its hash is in the policy.
    const hash = `'sha256-${createHash('sha256').update('alert(1)').digest('base64')}'`;
    const hashed = inline.replace("script-src 'self'", `script-src 'self' ${hash}`);
    expect(selfContainedProblems(hashed, 'p')).toEqual([]);

    expect(selfContainedProblems(page('', '<img src="https://cdn.example.com/x.png" alt="">'), 'p')).toEqual([expect.stringContaining('loads from another origin')]);
    expect(selfContainedProblems(page('<link rel="stylesheet" href="//fonts.example.com/f.css">'), 'p')).toEqual([expect.stringContaining('loads from another origin')]);
    expect(selfContainedProblems(page('<style>@font-face{src:url(https://fonts.example.com/a.woff2)}</style>'), 'p')).toEqual([expect.stringContaining('CSS url(https://fonts.example.com/a.woff2)')]);
    expect(selfContainedProblems(page('').replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"), 'p')).toEqual([expect.stringContaining("script-src allows 'self' 'unsafe-inline'")]);
    expect(selfContainedProblems(page('').replace("img-src 'self' data:", "img-src 'self' data: https:"), 'p')).toEqual(['p: img-src allows https:']);
    expect(selfContainedProblems('<html><head></head><body></body></html>', 'p')).toContain('p: 0 Content-Security-Policy <meta> elements, want 1');
  });
});

describe.skipIf(stale)('every HTML file of dist/', () => {
  it('carries the policy, runs no unhashed inline script, and loads nothing from another origin', () => {
    const problems: string[] = [];
    let pages = 0;
    let embeds = 0;
    for (const file of filesOf(DIST, '.html')) {
      const rel = path.relative(DIST, file);
      const html = readFileSync(file, 'utf8');
      pages++;
      if (/(^|\/)embed\//.test(rel)) embeds++;
      problems.push(...selfContainedProblems(html, rel));
      const [policy] = policiesOf(html);
      if (policy !== undefined && policy !== CONTENT_SECURITY_POLICY) problems.push(`${rel}: a policy other than the site's: ${policy}`);
      if (problems.length > 50) break;
    }
    expect(problems, `${problems.length} problem(s):\n  ${problems.slice(0, 50).join('\n  ')}\n`).toEqual([]);
    expect(pages).toBeGreaterThan(100);
    expect(embeds).toBeGreaterThan(0);
  });

  it('its stylesheets load nothing from another origin', () => {
    const bad: string[] = [];
    for (const file of filesOf(DIST, '.css')) {
      const css = readFileSync(file, 'utf8');
      for (const m of css.matchAll(/(?:url\(\s*["']?|@import\s+["'])((?:https?:)?\/\/[^)"']+)/gi)) bad.push(`${path.relative(DIST, file)}: ${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});

describe.skipIf(noBrowser)('in Chromium, a planted page', () => {
  let dir: string;
  let server: StaticServer;
  const browser = sharedBrowser(() => server.origin);
  let context: BrowserContext;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tierscope-csp-'));
    await mkdir(path.join(dir, 'planted'));
    await writeFile(
      path.join(dir, 'planted', 'index.html'),
      page('', '<img src="https://cdn.example.com/x.png" alt=""><script>document.title = "ran"</script>'),
    );
    server = await serveStatic(dir);
  });
  // Chromium failing to start fails the test, with its cause.
  beforeEach(async () => {
    context = (await browser.get()).context;
  });
  afterAll(async () => {
    await browser.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is reported for its off-origin request, and the policy stops its inline script', async () => {
    const { page: p, errors } = await visit(context, `${server.origin}/planted/`);
    expect(await p.title()).not.toBe('ran');
    expect(errors).toContain('request leaves the site: https://cdn.example.com/x.png');
    expect(errors.some((e) => /^console error: .*Content Security Policy/.test(e))).toBe(true);
    await p.close();
  });
});
