// Every page of the site, as data: one table that the catch-all page renders, the
// navigation links to, and the tests crawl. A URL is built only here.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Meta } from '../schema/output.ts';
import { LANGS, type Lang } from '../lib/format.ts';

export const PAGE_KINDS = [
  'summary',
  'pyramid',
  'concentration',
  'migration',
  'new-customers',
  'branches',
  'branch',
  'methodology',
  'print',
] as const;
export type PageKind = (typeof PAGE_KINDS)[number];

/** Pages that take a period (plain-link period selector); the headline is the default URL. */
const PERIODIC: ReadonlySet<PageKind> = new Set(['pyramid', 'concentration', 'migration', 'new-customers', 'branches', 'branch']);

export interface Route {
  /** Path below the site root without leading slash, with trailing slash ('' for the zh home). */
  path: string;
  lang: Lang;
  kind: PageKind;
  /** A period id, or null where the site has none (a single snapshot) or the page takes none. */
  period: string | null;
  /** A branch code for the per-branch page, else null. */
  branch: string | null;
}

// Windows device names, and `bank`, the export folder of the whole bank.
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|bank)$/;

/**
 * URL slugs for branch codes. Codes come from the data, so the slug keeps only
 * [a-z0-9_-]; a code whose slug is empty, reserved on Windows, or shared with
 * another code gets a hash suffix of the code itself, so every slug is unique and
 * stays the same as long as the set of colliding codes does.
 */
export function branchSlugs(codes: readonly string[]): Map<string, string> {
  const base = (code: string) =>
    code
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|[-_]+$/g, '')
      .slice(0, 60);
  const bases = new Map<string, string[]>();
  for (const code of codes) {
    const b = base(code);
    bases.set(b, [...(bases.get(b) ?? []), code]);
  }
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const code of [...codes].sort()) {
    const b = base(code);
    const plain = b !== '' && !RESERVED.test(b) && (bases.get(b)?.length ?? 0) === 1;
    let slug = plain ? b : `${b || 'branch'}-${createHash('sha256').update(code).digest('hex').slice(0, 8)}`;
    for (let i = 2; used.has(slug); i++) slug = `${slug}-${i}`;
    used.add(slug);
    out.set(code, slug);
  }
  return out;
}

export interface Site {
  meta: Meta;
  slugs: Map<string, string>;
  /** The default period: the headline, or null with a single snapshot. */
  headline: string | null;
}

export function siteOf(meta: Meta): Site {
  return { meta, slugs: branchSlugs(meta.branches.map((b) => b.code)), headline: meta.headline };
}

/** The URL of a page, absolute from the site root. */
export function href(site: Site, lang: Lang, kind: PageKind, opts: { period?: string | null; branch?: string | null } = {}): string {
  const parts: string[] = [];
  if (lang !== 'zh') parts.push(lang);
  if (kind === 'branch') {
    const slug = opts.branch == null ? undefined : site.slugs.get(opts.branch);
    if (slug === undefined) throw new Error(`no page for branch ${JSON.stringify(opts.branch)}`);
    parts.push('branch', slug);
  } else if (kind !== 'summary') parts.push(kind);
  const period = opts.period ?? null;
  if (PERIODIC.has(kind) && period !== null && period !== site.headline) {
    if (!site.meta.periods.some((p) => p.id === period)) throw new Error(`no period ${period}`);
    parts.push(period);
  }
  return `/${parts.map((p) => `${p}/`).join('')}`;
}

export function routesOf(site: Site): Route[] {
  const routes: Route[] = [];
  const periods: (string | null)[] = site.meta.periods.length ? site.meta.periods.map((p) => p.id) : [null];
  for (const lang of LANGS) {
    const add = (kind: PageKind, period: string | null, branch: string | null = null) =>
      routes.push({ path: href(site, lang, kind, { period, branch }).slice(1), lang, kind, period, branch });
    add('summary', site.headline);
    for (const kind of ['pyramid', 'concentration', 'migration', 'new-customers', 'branches'] as const)
      for (const p of periods) add(kind, p);
    for (const b of site.meta.branches) for (const p of periods) add('branch', p, b.code);
    add('methodology', null);
    add('print', site.headline);
  }
  return routes;
}

/** The file a static host serves for a site URL: a folder URL is its index.html. */
export function fileOfHref(root: string, url: string): string {
  const rel = url.replace(/^\/+/, '');
  return path.join(root, rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel);
}

export type ExportExt = 'svg' | 'png' | 'csv';

/** Where a chart's exports sit: its period (or, with a single snapshot, its date) and scope. */
export interface ExportScope {
  lang: Lang;
  period: string | null;
  /** The snapshot the figures are as of; names the folder when there is no period. */
  asOf: string;
  branch: string | null;
}

/** `/exports/<period>/<scope>/` (and under `/en/`): scope `bank` or the branch's slug. */
export function exportFolder(site: Site, where: ExportScope): string {
  let scope = 'bank';
  if (where.branch !== null) {
    const slug = site.slugs.get(where.branch);
    if (slug === undefined) throw new Error(`no exports for branch ${JSON.stringify(where.branch)}`);
    scope = slug;
  }
  return `${where.lang === 'zh' ? '' : `/${where.lang}`}/exports/${where.period ?? where.asOf}/${scope}/`;
}

export const exportHref = (site: Site, where: ExportScope, chartId: string, ext: ExportExt): string =>
  `${exportFolder(site, where)}${chartId}.${ext}`;

/** `/embed/<period>/<scope>/<chart>/`: one chart without page chrome, for an iframe. */
export const embedHref = (site: Site, where: ExportScope, chartId: string): string =>
  `${exportFolder(site, where).replace('/exports/', '/embed/')}${chartId}/`;

/** The deck and the PDF of a scope's report, beside its chart exports. */
export const reportFileHref = (site: Site, where: ExportScope, kind: 'pptx' | 'pdf'): string =>
  `${exportFolder(site, where)}${kind === 'pptx' ? 'deck.pptx' : 'report.pdf'}`;
