// End-to-end: the built site (dist/) served over HTTP, crawled link by link, then
// opened in Chromium — every page kind in both languages, accessibility (axe),
// key figures against the JSON, a page without JavaScript, and screenshots/PDF
// for CI artefacts. Needs `npm run build` first and Debian's chromium.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, get as httpGet, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fig, isSuppressed, percent, valueOf, type Lang } from '../../src/lib/format.ts';
import type { Ratio, ScopeSnapshot } from '../../src/schema/output.ts';
import { periodScope, reportAt, snapshotScope, type Report } from '../../src/site/data.ts';
import { pageData } from '../../src/site/page.ts';
import { href, PAGE_KINDS, routesOf, siteOf, type PageKind, type Route, type Site } from '../../src/site/routes.ts';
import { describeViolations, horizontalOverflow, sharedBrowser, visit } from './browser.ts';
import { countPdfPages } from '../../src/exports/pdf.ts';
import { brokenReferences, crawl, type Crawl } from './crawl.ts';
import { missingBrowser, staleDist } from './preconditions.ts';
import { serveStatic, type StaticServer } from '../../src/exports/staticServer.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const LANGS: readonly Lang[] = ['zh', 'en'];
/** Kinds not required to carry a chart: methodology is text and tables, the branch league a table first. */
const CHARTLESS: ReadonlySet<PageKind> = new Set(['methodology', 'branches']);

// Checked while collecting, so an unmet precondition is one failing test with
// its remedy, and everything that depends on it is skipped rather than failing too.
const stale = staleDist(ROOT);
const noBrowser = missingBrowser();

describe('preconditions', () => {
  it('dist/ is built from the current public/data', () => {
    if (stale) throw new Error(stale);
  });
  it('Debian Chromium and CJK fonts are installed', () => {
    if (noBrowser) throw new Error(noBrowser);
  });
});

// Seconds of work each: a bound sized to it, unlike the suites over the whole site.
describe('the e2e helpers themselves', { timeout: 60_000 }, () => {
  it('the static server refuses escapes; the crawler reports every broken link, redirect and anchor', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tierscope-e2e-site-'));
    const outside = await mkdtemp(path.join(os.tmpdir(), 'tierscope-e2e-outside-'));
    try {
      await mkdir(path.join(dir, 'a'));
      await writeFile(path.join(outside, 'secret.txt'), 'secret');
      await symlink(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
      await writeFile(path.join(dir, 'style.css'), 'p{}');
      await writeFile(
        path.join(dir, 'index.html'),
        '<html lang="en"><link rel="stylesheet" href="/style.css"><a href="/a/">ok</a> <a href="/a/#top">anchor</a> ' +
          '<a href="/a/#nowhere">bad anchor</a> <a href="/missing/">missing</a> <a href="/a">redirect</a> ' +
          '<a href="https://example.com/">external</a> <a href="mailto:x@example.com">mail</a><!-- <a href="/commented/"> -->' +
          '<script type="module">const code = `<iframe src="${"/in-script/"}">`;</script></html>',
      );
      await writeFile(path.join(dir, 'a/index.html'), '<html lang="en"><h1 id="top">A</h1><a href="../">up</a><img src="/gone.png"></html>');
      const local = await serveStatic(dir);
      try {
        const status = async (p: string) => {
          const res = await fetch(`${local.origin}${p}`, { redirect: 'manual' });
          await res.body?.cancel();
          return res.status;
        };
        expect(await status('/leak.txt')).toBe(403);
        expect(await status('/..%2f..%2fetc/passwd')).toBe(403);
        expect(await status('/style.css')).toBe(200);
        const c = await crawl([`${local.origin}/`]);
        const broken = brokenReferences(c, local.origin).map((b) => b.replace(/ — .*/, ''));
        expect(broken.sort()).toEqual(['/a (301 → /a/)', '/a/#nowhere (no such id)', '/gone.png (404)', '/missing/ (404)']);
      } finally {
        await local.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('the crawler asks only for the headers of downloads, keeps to its concurrency and leaves no response open', async () => {
    // 12 pages, each linking 25 PNG downloads of 1 MiB, an embed page and a stylesheet; a
    // ".php" that is really a page (a HEAD shows it, then it is fetched and followed);
    // extensionless 32 MiB downloads (fetched, their bodies dropped: one left unread would
    // hold a socket of the crawler's pool, and more of them than its size would stall it);
    // broken ones of each kind.
    const PAGES = 12;
    const PNGS = 25;
    const CONCURRENCY = 3;
    const png = Buffer.alloc(1 << 20, 7);
    // Larger than the socket buffers: unless the client reads or cancels it, its response stays open.
    const blob = Buffer.alloc(32 << 20, 7);
    const html = (body: string) => `<html lang="en"><link rel="stylesheet" href="/s.css">${body}</html>`;
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const open = new Set<ServerResponse>();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      log.push(`${req.method} ${url.pathname}`);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      open.add(res);
      res.on('close', () => open.delete(res));
      // Each answer waits a moment, so requests the crawler runs side by side overlap here;
      // until it starts, the client is surely still waiting on the request.
      const reply = (status: number, type: string, body: string | Buffer) =>
        setTimeout(() => {
          inFlight--;
          res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
          res.end(req.method === 'HEAD' ? undefined : body);
        }, 3);
      const p = url.pathname;
      let m: RegExpExecArray | null;
      if (p === '/')
        reply(200, 'text/html', html(Array.from({ length: PAGES }, (_, i) => `<a href="/p${i}/">${i}</a>`).join('') + '<a href="/legacy.php">old</a><a href="/blob0">0</a><a href="/blob1">1</a><a href="/blob2">2</a><a href="/blob3">3</a><a href="/nothing.csv">gone</a>'));
      else if ((m = /^\/p(\d+)\/$/.exec(p)))
        reply(200, 'text/html', html(Array.from({ length: PNGS }, (_, j) => `<a href="c${j}.png">PNG</a>`).join('') + `<a href="e/#chart">embed</a><img src="/p${m[1]}/c0.png">`));
      else if (/^\/p\d+\/e\/$/.test(p)) reply(200, 'text/html', html('<svg id="chart"></svg><a href="../c0.png">PNG</a><img src="missing.svg">'));
      else if (/^\/p\d+\/c\d+\.png$/.test(p)) reply(200, 'image/png', png);
      else if (p === '/s.css') reply(200, 'text/css', 'p{}');
      else if (p === '/legacy.php') reply(200, 'text/html', html('<a href="/deep/">deep</a>'));
      else if (p === '/deep/') reply(200, 'text/html', html('deep'));
      else if (/^\/blob\d$/.test(p)) reply(200, 'application/octet-stream', blob);
      else reply(404, 'text/plain', 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const openFds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
    const baseline = openFds();
    try {
      const c = await crawl([`${origin}/`], CONCURRENCY);
      const broken = brokenReferences(c, origin).map((b) => b.replace(/ — .*/, ''));
      expect(broken.sort()).toEqual([...Array.from({ length: PAGES }, (_, i) => `/p${i}/e/missing.svg (404)`), '/nothing.csv (404)'].sort());
      const count = (re: RegExp) => log.filter((l) => re.test(l)).length;
      expect(count(/^GET .*\.(png|svg|csv|css)$/), 'downloads and assets fetched with GET').toBe(0);
      expect(count(/^HEAD \/p\d+\/c\d+\.png$/)).toBe(PAGES * PNGS);
      expect(count(/^GET \/p\d+\/(e\/)?$/)).toBe(2 * PAGES);
      expect(log.filter((l) => l.endsWith(' /legacy.php'))).toEqual(['HEAD /legacy.php', 'GET /legacy.php']);
      expect(c.pages.get(`${origin}/deep/`)?.status).toBe(200);
      expect(log.filter((l) => l.includes(' /blob')).sort()).toEqual(['GET /blob0', 'GET /blob1', 'GET /blob2', 'GET /blob3']);
      expect(new Set(log).size, 'each URL asked for once (HEAD then GET for a page in disguise)').toBe(log.length);
      expect(maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
      expect(maxInFlight, 'requests side by side').toBeGreaterThan(1);
      // A dropped body closes its response a moment after the crawl returns.
      for (let tries = 0; tries < 100 && (open.size > 0 || openFds() > baseline); tries++) await sleep(20);
      expect([...open].map((r) => `${r.req.method} ${r.req.url}`), 'responses still open').toEqual([]);
      // Nor sockets, on either end (the crawler's keep-alive ones included).
      expect(openFds() - baseline, 'descriptors left open by the crawl').toBeLessThanOrEqual(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a Chromium that cannot start fails each test that needs it, with the cause, after one attempt', async () => {
    let attempts = 0;
    const shared = sharedBrowser(
      () => 'http://127.0.0.1:1',
      async () => {
        attempts++;
        throw new Error('spawn /usr/bin/chromium EMFILE');
      },
    );
    for (let test = 0; test < 3; test++) await expect(shared.get()).rejects.toThrow('Chromium did not start: spawn /usr/bin/chromium EMFILE');
    expect(attempts).toBe(1);
    await shared.close();
  });

  // A client that goes away mid-body (a cancelled fetch, a closed tab) must not
  // leave the file open: tens of thousands of them once left Chromium unable to start (EMFILE).
  it.skipIf(!existsSync('/proc/self/fd'))('the static server closes the file of every response the client abandons', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tierscope-e2e-abort-'));
    const openFds = () => readdirSync('/proc/self/fd').length;
    try {
      // Larger than the socket buffers of both ends, so the server is still reading when the client leaves.
      await writeFile(path.join(dir, 'big.png'), Buffer.alloc(32 << 20, 1));
      const local = await serveStatic(dir);
      try {
        const baseline = openFds();
        const abandon = () =>
          new Promise<void>((resolve, reject) => {
            const req = httpGet(`${local.origin}/big.png`, (res) => {
              res.once('data', () => {
                req.destroy();
                resolve();
              });
            });
            req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
          });
        const ABANDONED = 40;
        for (let i = 0; i < ABANDONED; i += 8) await Promise.all(Array.from({ length: 8 }, abandon));
        // The server sees each close a little later: poll a bounded number of times.
        let now = openFds();
        for (let tries = 0; tries < 100 && now > baseline; tries++) {
          await sleep(20);
          now = openFds();
        }
        expect(now - baseline, `file descriptors still open after ${ABANDONED} abandoned responses`).toBeLessThanOrEqual(0);
      } finally {
        await local.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

let server: StaticServer;
let origin: string;
let report: Report;
let site: Site;

beforeAll(async () => {
  if (stale) return;
  report = reportAt(path.join(ROOT, 'public/data'));
  site = siteOf(report.meta());
  server = await serveStatic(path.join(ROOT, 'dist'));
  origin = server.origin;
});
afterAll(async () => {
  await server?.close();
});

/** The route of a page kind at the headline period (the first branch for the branch page). */
function routeOf(kind: PageKind, lang: Lang, branch: string | null = null): Route {
  const b = kind === 'branch' ? (branch ?? site.meta.branches[0]?.code ?? null) : null;
  const p = href(site, lang, kind, { period: site.headline, branch: b }).slice(1);
  const route = routesOf(site).find((r) => r.path === p);
  if (!route) throw new Error(`no route for ${kind} (${lang})`);
  return route;
}
const urlOf = (route: Route) => `${origin}/${route.path}`;

describe.skipIf(stale)('the built site over HTTP', () => {
  let crawled: Promise<Crawl> | null = null;
  const result = () => (crawled ??= crawl([`${origin}/`, `${origin}/en/`]));
  // A test given up on (e.g. under a --testTimeout) leaves its crawl running: let it
  // settle before the browser suite starts, so its requests do not compete with Chromium.
  afterAll(async () => {
    await crawled?.catch(() => undefined);
  });
  const htmlPages = async () => [...(await result()).pages.values()].filter((p) => p.html !== null);

  it('static server: index.html for folders, content types, 404, nothing outside dist/', async () => {
    // Headers only: each body is cancelled, so no response holds a connection or a file.
    const get = async (p: string) => {
      const res = await fetch(`${origin}${p}`, { redirect: 'manual' });
      await res.body?.cancel();
      return res;
    };
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await get('/data/meta.json')).headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await get('/no/such/page/')).status).toBe(404);
    expect((await get('/methodology')).status).toBe(301);
    for (const p of ['/%2e%2e/package.json', '/..%2fpackage.json', '/data/%2e%2e/%2e%2e/package.json', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd'])
      expect([403, 404], p).toContain((await get(p)).status);
  });

  it('every internal link and asset from / and /en/ answers 200 (anchors included)', async () => {
    const c = await result();
    const broken = brokenReferences(c, origin);
    expect(broken, `${broken.length} broken link(s):\n  ${broken.join('\n  ')}\n`).toEqual([]);
    expect(c.references.length).toBeGreaterThan(0);
  });

  it('every page of the route table is reachable by links and answers 200', async () => {
    const c = await result();
    const routes = routesOf(site);
    const missing = routes
      .map((r) => ({ r, page: c.pages.get(urlOf(r)) }))
      .filter(({ page }) => page?.status !== 200)
      .map(({ r, page }) => `/${r.path} (${r.kind}, ${r.lang}): ${page ? `HTTP ${page.status}` : 'not linked from any page'}`);
    expect(missing, `${missing.length} of ${routes.length} routes unreachable:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });

  it('every page declares its language by its path, and lets the reader zoom', async () => {
    const problems: string[] = [];
    for (const p of await htmlPages()) {
      const html = p.html!;
      const where = p.url.slice(origin.length);
      const want = where.startsWith('/en/') ? 'en' : 'zh-CN';
      const lang = /<html\b[^>]*\slang="([^"]*)"/i.exec(html)?.[1];
      if (lang !== want) problems.push(`${where}: <html lang="${lang ?? ''}">, want "${want}"`);
      const viewport = /<meta\b[^>]*\bname="viewport"[^>]*>/i.exec(html)?.[0];
      const content = viewport && /\scontent="([^"]*)"/i.exec(viewport)?.[1];
      if (!content) problems.push(`${where}: no viewport meta`);
      else if (/maximum-scale|user-scalable\s*=\s*(no|0)/i.test(content)) problems.push(`${where}: viewport "${content}" blocks zooming`);
    }
    expect(problems, `${problems.length} problem(s):\n  ${problems.slice(0, 40).join('\n  ')}\n`).toEqual([]);
    expect((await htmlPages()).length).toBeGreaterThanOrEqual(routesOf(site).length);
  });
});

describe.skipIf(stale || noBrowser)('in Chromium', () => {
  const browser = sharedBrowser(() => origin);
  let context: BrowserContext;
  const axeFindings: unknown[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
  });
  // Chromium failing to start fails each of these tests, with its cause.
  beforeEach(async () => {
    context = (await browser.get()).context;
  });
  afterAll(async () => {
    await browser.close();
    if (axeFindings.length) await writeFile(path.join(ROOT, 'artifacts/axe.json'), `${JSON.stringify(axeFindings, null, 1)}\n`);
  });

  describe.each(LANGS)('every page kind (%s)', (lang) => {
    it.each(PAGE_KINDS)('%s: no errors, one <h1>, charts, withheld cells, no serious axe violations', async (kind) => {
      const route = routeOf(kind, lang);
      const { page, errors } = await visit(context, urlOf(route));
      try {
        const h1 = await page.locator('h1').allInnerTexts();
        expect(h1.length, `<h1> count on /${route.path}`).toBe(1);
        expect(h1[0]?.trim()).not.toBe('');

        if (!CHARTLESS.has(kind)) expect(await page.locator('figure.chart svg').count(), `figure.chart svg on /${route.path}`).toBeGreaterThan(0);

        // A withheld cell shows "—" or "< minCell", never a number.
        const min = site.meta.privacy.minCell;
        const withheld = await page.locator('td[data-suppressed]').allTextContents();
        const shown = withheld.map((t) => t.trim()).filter((t) => t !== '—' && t !== `< ${min}`);
        expect(shown, `withheld cells showing a value on /${route.path}`).toEqual([]);

        const axe = await new AxeBuilder({ page }).analyze();
        const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        for (const v of axe.violations)
          axeFindings.push({ page: `/${route.path}`, id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) });
        expect(serious.length, `axe on /${route.path}:\n${describeViolations(serious)}\n`).toBe(0);

        expect(errors, `errors on /${route.path}`).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });

  describe('key figures match the JSON', () => {
    const shareText = (v: Ratio, lang: Lang) => fig(v, 'percent', lang, site.meta.privacy.minCell);

    it.each(LANGS)('pyramid (%s): every tier’s customer and asset share, as format.percent', async (lang) => {
      const route = routeOf('pyramid', lang);
      const scope = snapshotScope(report.snapshot(pageData(route, report, site).end), null);
      const { page } = await visit(context, urlOf(route));
      try {
        const text = (await page.locator('main').textContent()) ?? '';
        const missing: string[] = [];
        for (const t of scope.tiers)
          for (const [what, v] of [['customer share', t.nShare], ['asset share', t.aumShare]] as const) {
            const n = valueOf(v);
            if (n !== null && !text.includes(percent(n, lang))) missing.push(`${t.tier} ${what} ${percent(n, lang)}`);
          }
        expect(missing, `not on /${route.path}`).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it.each(LANGS)('summary (%s): KPI cards and narrative carry the headline figures', async (lang) => {
      const route = routeOf('summary', lang);
      const data = pageData(route, report, site);
      const snap = snapshotScope(report.snapshot(data.end), null);
      const head = data.period ? periodScope(report.period(data.period.id), null) : null;
      const { page } = await visit(context, urlOf(route));
      try {
        const card = async (id: string) => (await page.locator(`#kpi-${id} .value`).textContent())?.trim();
        expect(await card('customers')).toBe(fig(snap.customers, 'count', lang, site.meta.privacy.minCell));
        expect(await card('mid-high')).toBe(fig(snap.midHigh.n, 'count', lang, site.meta.privacy.minCell));
        expect(await card('mid-high-aum')).toBe(shareText(snap.midHigh.aumShare, lang));
        expect(await card('mid-high-deposits')).toBe(shareText(snap.midHigh.depositsShare, lang));
        if (head) {
          expect(await card('mid-high-up')).toBe(shareText(head.pooled.midHigh.gross.up, lang));
          expect(await card('mid-high-down')).toBe(shareText(head.pooled.midHigh.gross.down, lang));
          expect(await card('new')).toBe(fig(head.newMix.total, 'count', lang, site.meta.privacy.minCell));
        }
        const sentences = await page.locator('.narrative p').allTextContents();
        expect(sentences.length).toBeGreaterThanOrEqual(4);
        expect(sentences.length).toBeLessThanOrEqual(6);
        const point80 = valueOf(snap.concentration.aum.point80);
        if (point80 !== null) expect(sentences.join(' ')).toContain(percent(point80, lang));
        // Every KPI with a history draws its sparkline.
        expect(await page.locator('.kpi svg').count()).toBe(await page.locator('.kpi').count());
      } finally {
        await page.close();
      }
    });

    /** The first branch with a withheld tier share at the headline period's end. */
    const withheldBranch = (): { code: string; scope: ScopeSnapshot } | null => {
      const file = report.snapshot(pageData(routeOf('summary', 'zh'), report, site).end);
      for (const b of site.meta.branches) {
        const scope = snapshotScope(file, b.code);
        if (scope.tiers.some((t) => isSuppressed(t.nShare) || isSuppressed(t.aumShare))) return { code: b.code, scope };
      }
      return null;
    };

    it.each(LANGS)('branch pyramid (%s): withheld shares show as —, never as 0.00', async (lang) => {
      const found = withheldBranch();
      if (!found) return; // nothing withheld in this report
      const route = routeOf('branch', lang, found.code);
      const { page } = await visit(context, urlOf(route));
      try {
        const figure = page.locator('figure#pyramid-aum');
        const headers = (await figure.locator('thead th').allTextContents()).map((h) => h.trim());
        const col = (labels: string[]) => headers.findIndex((h) => labels.includes(h));
        const nCol = col(['客户数占比', 'Customer share']);
        const aumCol = col(['金融资产占比', 'Asset share']);
        expect(nCol, `columns of the pyramid table: ${headers.join(' | ')}`).toBeGreaterThan(0);
        expect(aumCol).toBeGreaterThan(0);
        const rows = new Map<string, string[]>();
        for (const row of await figure.locator('tbody tr').all()) {
          const cells = (await row.locator('th, td').allTextContents()).map((c) => c.trim());
          rows.set(cells[0] ?? '', cells);
        }
        const wrong: string[] = [];
        let zeros = 0;
        for (const t of found.scope.tiers) {
          const label = site.meta.tiers.find((x) => x.key === t.tier)?.label[lang] ?? t.tier;
          const cells = rows.get(label);
          if (!cells) {
            wrong.push(`no row for ${label}`);
            continue;
          }
          for (const [i, v] of [[nCol, t.nShare], [aumCol, t.aumShare]] as const) {
            if (cells[i] !== shareText(v, lang)) wrong.push(`${label} ${headers[i]}: "${cells[i]}", want "${shareText(v, lang)}"`);
            if (shareText(v, lang) === percent(0, lang)) zeros++;
          }
        }
        expect(wrong, `pyramid table on /${route.path} (branch ${found.code})`).toEqual([]);
        // The chart's bar labels: "0.00%" only as often as a published share rounds to it.
        const labels = await figure.locator('svg text').allTextContents();
        expect(labels.filter((l) => l.trim() === percent(0, lang)).length, `"0.00%" labels in the chart on /${route.path}`).toBeLessThanOrEqual(zeros);
      } finally {
        await page.close();
      }
    });
  });

  it('without JavaScript the zh pyramid page draws its charts', async () => {
    const browserOf = context.browser();
    if (!browserOf) throw new Error('playwright gave no Browser for the persistent context');
    const noJs = await browserOf.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
    try {
      const probe = await noJs.newPage();
      await probe.setContent('<body><script>document.body.dataset.js = "on"</script></body>');
      expect(await probe.evaluate(() => document.body.dataset.js), 'scripts must not run in this context').toBeUndefined();
      await probe.close();

      const route = routeOf('pyramid', 'zh');
      const { page, errors } = await visit(noJs, urlOf(route));
      const svgs = page.locator('figure.chart svg');
      expect(await svgs.count()).toBeGreaterThan(0);
      for (const svg of await svgs.all()) {
        await svg.scrollIntoViewIfNeeded();
        expect(await svg.isVisible()).toBe(true);
        const box = await svg.boundingBox();
        expect(box?.width ?? 0).toBeGreaterThan(0);
        expect(box?.height ?? 0).toBeGreaterThan(0);
      }
      expect(errors).toEqual([]);
    } finally {
      await noJs.close();
    }
  });

  describe('downloads and embed pages', () => {
    it.each(LANGS)('every chart on the migration page (%s) offers PNG, SVG, CSV and an embed page that answer with the right type', async (lang) => {
      const route = routeOf('migration', lang);
      const { page, errors } = await visit(context, urlOf(route));
      try {
        const figures = page.locator('figure.chart');
        const n = await figures.count();
        expect(n).toBeGreaterThan(5);
        const want: Record<string, RegExp> = { PNG: /^image\/png$/, SVG: /^image\/svg\+xml$/, CSV: /^text\/csv/ };
        for (const fig of await figures.all()) {
          const id = await fig.getAttribute('id');
          const links = fig.locator('details.downloads a');
          const labels = await links.allTextContents();
          expect(labels.slice(0, 3), `downloads of #${id}`).toEqual(['PNG', 'SVG', 'CSV']);
          for (const a of (await links.all()).slice(0, 3)) {
            const label = (await a.textContent())!;
            const res = await fetch(new URL((await a.getAttribute('href'))!, origin), { method: 'HEAD' });
            expect(res.status, `${label} of #${id}`).toBe(200);
            expect(res.headers.get('content-type'), `${label} of #${id}`).toMatch(want[label]!);
          }
        }
        // With JavaScript the copy button appears and copies an iframe for the embed page.
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
        const first = figures.first();
        await first.locator('details.downloads summary').click();
        const button = first.locator('button.copy-embed');
        await expect.poll(() => button.isVisible()).toBe(true);
        await button.click();
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        const embed = await first.locator('a[data-embed]').getAttribute('href');
        expect(copied).toBe(`<iframe src="${origin}${embed}" title="${(await first.locator('.chart-title').textContent())!.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}" width="800" height="450" style="border:0" loading="lazy"></iframe>`);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it.each(LANGS)('an embed page (%s) shows only the chart and fits an 800×450 iframe without scroll bars', async (lang) => {
      const route = routeOf('migration', lang);
      const { page: host, errors } = await visit(context, urlOf(route));
      try {
        const embeds = await host.locator('a[data-embed]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
        // The widest (Sankey) and a tall one (heat map) are the hard cases; check them all on this page.
        expect(embeds.length).toBeGreaterThan(5);
        for (const url of embeds) {
          await host.setContent(`<iframe src="${url}" width="800" height="450" style="border:0"></iframe>`);
          const frame = host.frameLocator('iframe');
          await frame.locator('svg').first().waitFor();
          const f = host.frames().find((x) => x.url() === url)!;
          const m = await f.evaluate(() => {
            const d = document.documentElement;
            const svg = document.querySelector('.chart-svg > svg')!.getBoundingClientRect();
            return { sw: d.scrollWidth, sh: d.scrollHeight, cw: d.clientWidth, ch: d.clientHeight, nav: document.querySelectorAll('nav, header, footer').length, svgW: svg.width, svgH: svg.height, bottom: svg.bottom };
          });
          expect(m.nav, url).toBe(0);
          expect(m.sw, `${url} scrolls sideways`).toBeLessThanOrEqual(m.cw);
          expect(m.sh, `${url} scrolls down`).toBeLessThanOrEqual(m.ch);
          expect(m.svgH, `${url} chart height`).toBeGreaterThan(250);
          expect(m.bottom, url).toBeLessThanOrEqual(450);
        }
        expect(errors).toEqual([]);
      } finally {
        await host.close();
      }
    });
  });

  describe('screenshots and print (artifacts/screenshots/)', () => {
    const SHOT_PAGES = ['summary', 'migration'] as const;
    for (const kind of SHOT_PAGES)
      it.each(LANGS)(`${kind} (%s): desktop, phone and print`, async (lang) => {
        const route = routeOf(kind, lang);
        const { page, errors } = await visit(context, urlOf(route));
        const file = (form: string, ext = 'png') => path.join(SHOTS, `${kind}-${lang}-${form}.${ext}`);
        try {
          await page.screenshot({ path: file('desktop'), fullPage: true });

          await page.setViewportSize({ width: 390, height: 844 });
          const overflow = await horizontalOverflow(page);
          await page.screenshot({ path: file('phone'), fullPage: true });
          expect(overflow, `/${route.path} is wider than a 390 px phone:\n  ${overflow.join('\n  ')}\n`).toEqual([]);

          // A4 landscape at 96 dpi.
          await page.setViewportSize({ width: 1123, height: 794 });
          await page.emulateMedia({ media: 'print' });
          await page.screenshot({ path: file('print'), fullPage: true });
          if (kind === 'summary') {
            const pdf = await page.pdf({ path: file('print', 'pdf'), format: 'A4', landscape: true, printBackground: true });
            expect(await countPdfPages(file('print', 'pdf'), pdf), 'pages in the summary PDF').toBeGreaterThanOrEqual(1);
          }
          expect(errors).toEqual([]);
        } finally {
          await page.close();
        }
      });
  });
});
