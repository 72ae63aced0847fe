// The PDF of the whole report, made from the built site's print page by headless
// Chromium: the print stylesheet is the one layout of the paper report, so the PDF
// and the browser's own "Print" cannot disagree. Debian's chromium is used, never
// a downloaded one; the page is served over HTTP (not file://) so that its
// root-relative links and assets resolve exactly as on the published site.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Lang } from '../lib/format.ts';
import { fileOfHref } from '../site/routes.ts';
import { serveStatic } from './staticServer.ts';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_MISSING =
  'Chromium is needed to make the PDF: apt-get install chromium, or set "exports": {"pdf": false} in tierscope.config.json';

export interface PdfJob {
  lang: Lang;
  /** The print page's path below the site root, e.g. '/print/' or '/en/print/'. */
  path: string;
  outFile: string;
  /** The data-as-of date (YYYY-MM-DD), written as the PDF's creation date so the same inputs give the same bytes. */
  asOf?: string;
}

export interface PdfResult {
  outFile: string;
  pages: number;
  bytes: number;
  /** From opening the page to the file written; the browser's start-up is not in it. */
  ms: number;
}

export interface PdfOptions {
  /** The built site (dist/). */
  distDir: string;
  jobs: PdfJob[];
  /** The Chromium binary; Debian's by default. */
  chromium?: string;
  /** Per page: loading, and printing. */
  timeoutMs?: number;
  /**
   * Where the site is published (config `exports.siteUrl`): links in the PDF point
   * there. Without it they are printed as plain text, as the PDF would otherwise
   * carry links to the throw-away local server it was printed from.
   */
  siteUrl?: string | null;
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Makes Chromium's PDF a function of the page alone, so a rebuild of the same
 * inputs gives the same file. Chromium stamps the wall-clock time into the
 * document information (replaced by the data's own date) and names the tagged
 * structure's elements after the renderer's DOM node numbers, which depend on
 * what the browser did before (renumbered by rank, which keeps the ID tree's
 * sort order). Every replacement has the same length, so the cross-reference
 * offsets stay valid.
 */
export function pinPdf(pdf: Buffer, isoDate: string): Buffer {
  const stamp = `D:${isoDate.replaceAll('-', '')}000000`;
  if (!/^D:\d{14}$/.test(stamp)) throw new Error(`pinPdf: not a date: ${isoDate}`);
  const text = pdf.toString('latin1');
  const ids = [...new Set([...text.matchAll(/\(node(\d+)\)/g)].map((m) => m[1]!))].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const rank = new Map(ids.map((id, i) => [id, String(i).padStart(id.length, '0')]));
  const pinned = text
    .replace(/\/(CreationDate|ModDate) \(D:\d{14}/g, (_m, key: string) => `/${key} (${stamp}`)
    .replace(/\(node(\d+)\)/g, (m, id: string) => {
      const r = rank.get(id)!;
      return r.length === id.length ? `(node${r})` : m;
    });
  return Buffer.from(pinned, 'latin1');
}

/**
 * Runs in the print page: links within the page stay (the PDF's own outline and
 * cross-references); links to other pages of the site are re-pointed at the
 * published site, or made plain text when it is not known.
 */
function publishLinks(base: string | null): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href]')) {
    const u = new URL(a.getAttribute('href')!, location.href);
    if (u.origin !== location.origin) continue;
    if (u.pathname === location.pathname && u.hash) continue;
    if (base) a.setAttribute('href', new URL(u.pathname.slice(1) + u.search + u.hash, base).href);
    else a.removeAttribute('href');
  }
}

/** The browser asks for /favicon.ico by itself whatever the page links; that miss is not the page's error. */
const isFavicon = (url: string) => /^[a-z]+:\/\/[^/]+\/favicon\.ico$/.test(url);

function pdfinfoPages(file: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('pdfinfo', [file], { timeout: 30_000 }, (err, stdout) => {
      const m = err ? null : /^Pages:\s+(\d+)\s*$/m.exec(stdout);
      resolve(m ? Number(m[1]) : null);
    });
  });
}

/**
 * Pages of a PDF that Chromium wrote: poppler's pdfinfo where installed (it reads
 * the cross-reference table, so nothing about the writer is assumed); otherwise the
 * page dictionaries counted in the file, which works because Chromium's writer
 * (Skia) keeps every object dictionary uncompressed, outside object streams. Not
 * /Count: with an outline, bookmark entries carry /Count too.
 */
export async function countPdfPages(file: string, pdf: Buffer): Promise<number> {
  const fromPdfinfo = await pdfinfoPages(file);
  if (fromPdfinfo !== null) return fromPdfinfo;
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
}

/**
 * Prints each job's page of the built site to a PDF: one browser for all jobs,
 * distDir served on 127.0.0.1, A4 landscape from the page's own @page rules (with
 * their footer margin boxes: title, data-as-of, page n / N), backgrounds printed,
 * headings as the PDF outline. Fails, naming the page, when Chromium is missing,
 * a page is not built, answers other than 200, or logs an error while loading.
 */
export async function buildPdfs(opts: PdfOptions): Promise<PdfResult[]> {
  const executablePath = opts.chromium ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) throw new Error(`${CHROMIUM_MISSING} (looked for ${executablePath})`);
  const distDir = path.resolve(opts.distDir);
  for (const job of opts.jobs)
    if (!existsSync(fileOfHref(distDir, job.path))) throw new Error(`${fileOfHref(distDir, job.path)} is missing: build the site before making the PDF of ${job.path}`);
  if (opts.jobs.length === 0) return [];
  const timeout = opts.timeoutMs ?? 120_000;

  // Imported here, not at the top: a build with the PDF switched off must not need playwright-core.
  const { chromium } = await import('playwright-core');
  const server = await serveStatic(distDir);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'tierscope-pdf-'));
  try {
    const context = await chromium
      .launchPersistentContext(profile, { executablePath, args: ARGS, colorScheme: 'light' })
      .catch((e: unknown) => {
        throw new Error(`${CHROMIUM_MISSING}\n${executablePath} did not start: ${e instanceof Error ? e.message : String(e)}`);
      });
    try {
      // The report is self-contained: anything fetched from elsewhere would make the PDF depend on the network.
      await context.route(
        (url) => /^(https?|wss?):$/.test(url.protocol) && url.origin !== server.origin,
        (route) => route.abort('blockedbyclient'),
      );
      const results: PdfResult[] = [];
      for (const job of opts.jobs) {
        const t0 = performance.now();
        const url = `${server.origin}/${job.path.replace(/^\/+/, '')}`;
        const page = await context.newPage();
        page.setDefaultTimeout(timeout);
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && !isFavicon(m.location().url)) errors.push(`console error: ${m.text()}`);
        });
        page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
        page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
        page.on('response', (r) => {
          if (r.status() >= 400 && !isFavicon(r.url())) errors.push(`HTTP ${r.status()}: ${r.url()}`);
        });
        try {
          const res = await page.goto(url, { waitUntil: 'load', timeout });
          if (res?.status() !== 200) throw new Error(`the print page ${job.path} answered ${res?.status() ?? 'nothing'}, not 200`);
          // A job pointing at the other language's page would still print, under the wrong file name.
          const htmlLang = await page.evaluate(() => document.documentElement.lang);
          if (htmlLang.split('-')[0] !== job.lang) throw new Error(`the print page ${job.path} is in "${htmlLang}", not ${job.lang}`);
          await page.emulateMedia({ media: 'print', colorScheme: 'light' });
          await page.evaluate(publishLinks, opts.siteUrl ? opts.siteUrl.replace(/\/*$/, '/') : null);
          // A PDF printed before the fonts settle is laid out with fallback metrics: wrong line breaks, wrong page count.
          await page.evaluate(async () => {
            await document.fonts.ready;
          });
          if (errors.length) throw new Error(`the print page ${job.path} logged errors:\n  ${errors.join('\n  ')}`);
          const printed = await page.pdf({ preferCSSPageSize: true, printBackground: true, format: 'A4', landscape: true, outline: true, tagged: true });
          if (errors.length) throw new Error(`the print page ${job.path} logged errors while printing:\n  ${errors.join('\n  ')}`);
          const pdf = job.asOf ? pinPdf(printed, job.asOf) : printed;
          await mkdir(path.dirname(job.outFile), { recursive: true });
          await writeFile(job.outFile, pdf);
          const pages = await countPdfPages(job.outFile, pdf);
          results.push({ outFile: job.outFile, pages, bytes: (await stat(job.outFile)).size, ms: performance.now() - t0 });
        } finally {
          await page.close().catch(() => undefined);
        }
      }
      return results;
    } finally {
      await context.close().catch(() => undefined);
    }
  } finally {
    await server.close();
    await rm(profile, { recursive: true, force: true });
  }
}
