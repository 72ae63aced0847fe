// One Chromium for the whole e2e file (Debian's, never a downloaded one), pages
// that record everything that went wrong while they loaded, and the page-level
// probes the tests share.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from './preconditions.ts';

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/** Launches Chromium on a fresh profile; requests leaving `origin` are refused (the report is self-contained). */
export async function launch(origin: string): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'tierscope-e2e-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1366, height: 900 },
      colorScheme: 'light',
    });
    await refuseOutside(context, origin);
  } catch (e) {
    // A launch that fails leaves neither a browser nor its profile behind.
    await context?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface SharedBrowser {
  /** The suite's Chromium, launched by the first test that asks; a launch that failed rejects every later ask too. */
  get: () => Promise<Browser>;
  /** Closes it, if it started. */
  close: () => Promise<void>;
}

/**
 * One Chromium for a suite, asked for in a beforeEach rather than launched in a
 * beforeAll: when it cannot start (e.g. spawn EMFILE), every test that needs it
 * fails with the cause, where a failing beforeAll leaves them all reported as
 * skipped. Only a Chromium that is not installed skips them (see missingBrowser).
 */
export function sharedBrowser(origin: () => string, start: (origin: string) => Promise<Browser> = launch): SharedBrowser {
  let started: Promise<Browser> | null = null;
  return {
    get: () =>
      (started ??= start(origin()).catch((e: unknown) => {
        throw new Error(`Chromium did not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      })),
    close: async () => {
      const browser = await started?.catch(() => null);
      await browser?.close();
    },
  };
}

export async function refuseOutside(context: BrowserContext, origin: string): Promise<void> {
  await context.route(
    (url) => /^(https?|wss?):$/.test(url.protocol) && url.origin !== origin,
    (route) => route.abort('blockedbyclient'),
  );
}

export interface Visit {
  page: Page;
  /** Console errors (CSP violations among them), uncaught exceptions, requests off the page's origin, failed and non-2xx requests, in order. */
  errors: string[];
}

/**
 * The browser asks for /favicon.ico by itself, whatever the page links; the site
 * ships none, which is a cosmetic gap, not an error of the page being tested.
 */
const isFavicon = (url: string) => /^[a-z]+:\/\/[^/]+\/favicon\.ico$/.test(url);

/** Opens `url` in a new page of `context`, recording what goes wrong; the document must answer 200. */
export async function visit(context: BrowserContext, url: string): Promise<Visit> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !isFavicon(m.location().url)) errors.push(`console error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  // The report is self-contained: any request off its origin is an error (and is refused, see refuseOutside).
  const own = new URL(url).origin;
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`${own}/`) && !/^(data|blob|about):/.test(u)) errors.push(`request leaves the site: ${u}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !isFavicon(r.url())) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const res = await page.goto(url, { waitUntil: 'load' });
  if (res?.status() !== 200) throw new Error(`${url} answered ${res?.status() ?? 'nothing'}`);
  return { page, errors };
}

/**
 * Elements that push the page wider than the viewport (those sticking out of
 * their parent, or whose parent still fits), as short paths with their right edge.
 * Content inside a horizontal scroller (e.g. .table-wrap) is not counted.
 */
export function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    const scrolls = (el: Element) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const name = (el: Element) =>
      el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + [...el.classList].map((c) => `.${c}`).join('');
    const out: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (scrolls(a)) clipped = true;
      if (clipped) continue;
      // Report the culprit: it sticks out of its parent, or its parent still fits.
      const parent = el.parentElement;
      const parentRight = parent && parent !== document.body ? parent.getBoundingClientRect().right : 0;
      if (parentRight > width + 1 && r.right <= parentRight + 1) continue;
      const path = [];
      for (let a: Element | null = el; a && a !== document.body && path.length < 4; a = a.parentElement) path.unshift(name(a));
      out.push(`${path.join(' > ')} (right edge ${Math.round(r.right)} px > ${width} px)`);
    }
    return out.slice(0, 10);
  });
}

type Result = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** axe violations as text: rule, impact and help, then each element's selector and what to fix. */
export function describeViolations(violations: Result[], perRule = 8): string {
  return violations
    .map(
      (v) =>
        `[${v.impact ?? '?'}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, perRule)
          .map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').split('\n').slice(1, 3).join(' ').trim()}`)
          .join('\n') +
        (v.nodes.length > perRule ? `\n    … and ${v.nodes.length - perRule} more` : ''),
    )
    .join('\n');
}
