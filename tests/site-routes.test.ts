import { describe, expect, it } from 'vitest';
import { branchSlugs, href, routesOf, siteOf } from '../src/site/routes.ts';
import type { Meta } from '../src/schema/output.ts';

const meta = (branches: string[], periods = 2): Meta => {
  const snapshots = ['2024-12-31', '2025-01-31', '2025-02-28'].slice(0, periods + 1);
  const ps = snapshots.slice(1).map((end, i) => ({ id: `${snapshots[i]}_${end}`, start: snapshots[i]!, end, consecutive: true, headline: false }));
  if (ps.length) ps.push({ id: `${snapshots[0]}_${snapshots.at(-1)}`, start: snapshots[0]!, end: snapshots.at(-1)!, consecutive: false, headline: true });
  return {
    outputVersion: 1,
    toolVersion: 't',
    title: { zh: '报告', en: 'Report' },
    locale: 'zh',
    amountUnit: 'fen',
    tiers: [],
    privacy: { minCell: 10, pPercent: 10 },
    branches: branches.map((code) => ({ code, label: { zh: code, en: code } })),
    snapshots,
    periods: ps,
    headline: ps.at(-1)?.id ?? null,
  };
};

describe('branch slugs', () => {
  it('keep plain codes readable and make every slug unique and URL-safe', () => {
    const codes = ['B001', 'b001', '../etc', 'CON', '', '南京路支行', 'A/B', 'A-B'];
    const slugs = branchSlugs(codes);
    const values = [...slugs.values()];
    expect(new Set(values).size).toBe(codes.length);
    for (const s of values) expect(s).toMatch(/^[a-z0-9_-]+$/);
    // B001 and b001 collide after lower-casing, so both get a suffix; so do A/B and A-B.
    expect(slugs.get('B001')).toMatch(/^b001-[0-9a-f]{8}$/);
    expect(slugs.get('b001')).toMatch(/^b001-[0-9a-f]{8}$/);
    expect(slugs.get('CON')).toMatch(/^con-[0-9a-f]{8}$/);
    expect(slugs.get('../etc')).toBe('etc');
    expect(slugs.get('南京路支行')).toMatch(/^branch-[0-9a-f]{8}$/);
  });

  it('are stable: the same codes in any order give the same slugs', () => {
    const a = branchSlugs(['X1', 'x1', 'Y']);
    const b = branchSlugs(['Y', 'x1', 'X1']);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
  });
});

describe('route table', () => {
  it('lists every page once per language, the headline at the section root', () => {
    const site = siteOf(meta(['B1', 'B2']));
    const routes = routesOf(site);
    const paths = routes.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
    // per language: summary 1, five periodic sections × 3 periods, branches 2 × 3, methodology 1, print 1
    expect(routes.length).toBe(2 * (1 + 5 * 3 + 2 * 3 + 1 + 1));
    expect(paths).toContain('print/');
    expect(paths).toContain('en/print/');
    expect(paths).toContain('');
    expect(paths).toContain('en/');
    expect(paths).toContain('pyramid/');
    expect(paths).toContain('pyramid/2024-12-31_2025-01-31/');
    expect(paths).not.toContain('pyramid/2024-12-31_2025-02-28/'); // the headline is pyramid/
    expect(paths).toContain('en/branch/b1/2025-01-31_2025-02-28/');
    for (const r of routes) expect(r.path.startsWith('en/')).toBe(r.lang === 'en');
  });

  it('links to the headline without a period segment and rejects unknown periods', () => {
    const site = siteOf(meta(['B1']));
    expect(href(site, 'zh', 'migration', { period: '2024-12-31_2025-02-28' })).toBe('/migration/');
    expect(href(site, 'en', 'methodology', { period: '2024-12-31_2025-01-31' })).toBe('/en/methodology/');
    expect(() => href(site, 'zh', 'pyramid', { period: 'nope' })).toThrow(/no period/);
    expect(() => href(site, 'zh', 'branch', { branch: 'B9' })).toThrow(/no page for branch/);
  });

  it('with a single snapshot, every section has one page and no period segment', () => {
    const site = siteOf(meta(['B1'], 0));
    const routes = routesOf(site);
    expect(routes.filter((r) => r.kind === 'migration').map((r) => r.path)).toEqual(['migration/', 'en/migration/']);
    expect(routes.every((r) => r.period === null)).toBe(true);
  });
});
