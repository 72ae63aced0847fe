// The leak audit (src/audit/, `npm run audit`) on a small real build: the fixture
// bank run through the pipeline, its JSON and the CSV exports of two scopes in both
// languages, plus an HTML page, an SVG, a PNG and a PPTX. Clean, it reports nothing;
// each test then plants one leak in a fresh copy and checks the audit names it —
// and that the same audit with the check meant for it switched off does not, so
// every test depends on its check. Expected findings come from the planted leak
// (its file and place, the true value counted from the input CSV here), never from
// an earlier audit run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import JSZip from 'jszip';
import { fixtureReport } from './helpers/report.ts';
import { tempDir } from './helpers/pipeline.ts';
import { parseConfig } from '../src/lib/config.ts';
import { pageData } from '../src/site/page.ts';
import { scopeCharts } from '../src/site/catalog.ts';
import { siteOf, type Site } from '../src/site/routes.ts';
import { tableCsv } from '../src/exports/csv.ts';
import type { Report } from '../src/site/data.ts';
import { CHECKS, groundTruth, runAudit, type CheckName, type Ground } from '../src/audit/run.ts';
import { idTag, type Finding } from '../src/audit/report.ts';
import { parseCsv } from './helpers/csv.ts';

const config = parseConfig({});
const TIER_LOWER_YUAN = config.tiers.map((t) => t.lower);
const tierOf = (aum: number) => TIER_LOWER_YUAN.filter((l) => aum >= l).length - 1;

let report: Report;
let site: Site;
let input: string;
let jsonDir: string;
let root: string;
let base: string;
let ground: Ground;
let rows: Map<string, { id: string; branch: string; aum: string }[]>;
let period: { id: string; start: string; end: string };
/** The branch whose CSVs are exported, with a frequency-withheld tier count at the period's end. */
let leak: { branch: string; slug: string; tier: string; tierIndex: number; n: number; amount: string };

/** Input rows of one snapshot, read straight from the fixture's CSV. */
const inputRows = async (date: string) =>
  (await readFile(path.join(input, `snapshot_${date}.csv`), 'utf8'))
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(','))
    .map(([id, branch, aum]) => ({ id: id!, branch: branch!, aum: aum! }));

const trueCount = (date: string, branch: string, tier: number) =>
  rows.get(date)!.filter((r) => r.branch === branch && tierOf(Number(r.aum)) === tier).length;

async function audit(dist: string, json: string, checks: CheckName[] = CHECKS): Promise<Finding[]> {
  return (await runAudit({ dist, data: input, json, config, ground, checks })).findings;
}

/** A fresh copy of the clean dist (and its JSON) for one planted leak. */
async function copy(name: string): Promise<{ dist: string; json: string }> {
  const dist = path.join(root, name, 'dist');
  const json = path.join(root, name, 'json');
  await cp(base, dist, { recursive: true });
  await cp(jsonDir, json, { recursive: true });
  return { dist, json };
}

const without = (c: CheckName) => CHECKS.filter((x) => x !== c);

/** PNG with a tEXt chunk right after IHDR (keyword\0text, CRC over type + data). */
async function pngWithText(keyword: string, text: string): Promise<Buffer> {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } }).png().toBuffer();
  const data = Buffer.from(`${keyword}\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

async function pptx(slideText: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file('ppt/slides/slide1.xml', `<?xml version="1.0"?><p:sld xmlns:a="a" xmlns:p="p"><a:t>${slideText}</a:t></p:sld>`);
  return zip.generateAsync({ type: 'nodebuffer' });
}

beforeAll(async () => {
  const fx = await fixtureReport();
  report = fx.report;
  jsonDir = fx.dir;
  input = path.resolve(fx.dir, '../in');
  const meta = report.meta();
  site = siteOf(meta);
  period = meta.periods.find((p) => p.headline)!;
  rows = new Map();
  for (const d of meta.snapshots) rows.set(d, await inputRows(d));

  // A branch with a frequency-withheld count in a tier of 50 000 元 and up at the period's end.
  const snap = report.snapshot(period.end);
  for (const sc of snap.scopes) {
    if (sc.branch === null || leak) continue;
    for (const [t, tier] of sc.tiers.entries()) {
      if (t < 2 || leak || typeof tier.n !== 'object' || tier.n.suppressed !== 'frequency') continue;
      const members = rows.get(period.end)!.filter((r) => r.branch === sc.branch && tierOf(Number(r.aum)) === t);
      leak = { branch: sc.branch, slug: site.slugs.get(sc.branch)!, tier: tier.tier, tierIndex: t, n: members.length, amount: members[0]!.aum };
    }
  }
  expect(leak, 'the fixture has a frequency-withheld tier count').toBeDefined();

  root = await tempDir('ts-audit-');
  base = path.join(root, 'base');
  await cp(jsonDir, path.join(base, 'data'), { recursive: true });
  for (const lang of ['zh', 'en'] as const)
    for (const branch of [null, leak.branch]) {
      const route = { path: '', lang, kind: branch === null ? ('migration' as const) : ('branch' as const), period: period.id, branch };
      const folder = path.join(base, lang === 'zh' ? '' : 'en', 'exports', period.id, branch === null ? 'bank' : leak.slug);
      await mkdir(folder, { recursive: true });
      for (const { spec } of scopeCharts(pageData(route, report, site))) await writeFile(path.join(folder, `${spec.id}.csv`), tableCsv(spec.table, lang));
    }
  await writeFile(path.join(base, 'index.html'), '<!doctype html><html><body><h1>零售客户分层经营报告</h1><p>B001 C0 2024-12-31</p></body></html>');
  await writeFile(path.join(base, 'chart.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><title>Customers by tier</title></svg>');
  await writeFile(path.join(base, 'chart.png'), await pngWithText('Title', 'Customers by tier'));
  await writeFile(path.join(base, 'deck.pptx'), await pptx('Customers by tier'));
  ground = await groundTruth(input, config, meta.periods);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('leak audit', () => {
  it('reports nothing on a clean build', async () => {
    const r = await runAudit({ dist: base, data: input, json: jsonDir, config, ground });
    expect(r.findings).toEqual([]);
    // Every check ran and looked at something.
    expect(r.summaries.map((s) => s.check).sort()).toEqual([...CHECKS].sort());
    expect(ground.ids.size).toBeGreaterThan(150_000);
    expect(ground.truth.small.size).toBeGreaterThan(0);
  });

  it('an unsuppressed small cell in the JSON', async () => {
    const { dist, json } = await copy('small-cell');
    const file = path.join(json, 'snapshots', `${period.end}.json`);
    const snap = JSON.parse(await readFile(file, 'utf8'));
    const tier = snap.scopes.find((s: any) => s.branch === leak.branch).tiers[leak.tierIndex];
    expect(tier.n).toEqual({ suppressed: 'frequency' });
    tier.n = trueCount(period.end, leak.branch, leak.tierIndex);
    expect(tier.n).toBe(leak.n);
    await writeFile(file, JSON.stringify(snap, null, 1));
    const hit = (f: Finding) => f.check === 'small-cells' && f.file === file && f.location.startsWith(`scopes[${leak.branch}].tiers[${leak.tier}].n `);
    expect((await audit(dist, json)).filter(hit)).toHaveLength(1);
    expect((await audit(dist, json, without('small-cells'))).filter(hit)).toHaveLength(0);
  });

  it('a withheld value recoverable because its sibling was published', async () => {
    const { dist, json } = await copy('sibling');
    const file = path.join(json, 'snapshots', `${period.end}.json`);
    const snap = JSON.parse(await readFile(file, 'utf8'));
    // A branch row with exactly two withheld tier counts, one of them secondary, and a published total.
    let target: { branch: string; open: number; hidden: number } | undefined;
    for (const sc of snap.scopes) {
      if (sc.branch === null || typeof sc.customers !== 'number' || target) continue;
      const withheld = sc.tiers.map((t: any, i: number) => [t, i]).filter(([t]: any) => typeof t.n === 'object');
      const secondary = withheld.find(([t]: any) => t.n.suppressed === 'secondary');
      if (withheld.length === 2 && secondary) target = { branch: sc.branch, open: secondary[1], hidden: withheld.find((w: any) => w !== secondary)[1] };
    }
    expect(target, 'a row with two withheld counts').toBeDefined();
    const sc = snap.scopes.find((s: any) => s.branch === target!.branch);
    sc.tiers[target!.open].n = trueCount(period.end, target!.branch, target!.open);
    await writeFile(file, JSON.stringify(snap, null, 1));
    const loc = `scopes[${target!.branch}].tiers[${sc.tiers[target!.hidden].tier}].n,`;
    const hit = (f: Finding) => f.check === 'subtraction' && f.kind === 'recoverable' && f.file === file && f.location.startsWith(loc);
    expect((await audit(dist, json)).filter(hit).length).toBeGreaterThanOrEqual(1);
    expect((await audit(dist, json, without('subtraction'))).filter(hit)).toHaveLength(0);
  });

  it('a withheld value recoverable only by solving the published figures together', async () => {
    const { dist, json } = await copy('system');
    const file = path.join(json, 'snapshots', `${period.end}.json`);
    const snap = JSON.parse(await readFile(file, 'utf8'));
    // Any secondary tier count: it was withheld because publishing it would have let
    // a reader solve for a protected cell, so publishing it now must be caught.
    let target: { branch: string; t: number } | undefined;
    for (const sc of snap.scopes)
      sc.tiers.forEach((t: any, i: number) => {
        if (!target && sc.branch !== null && typeof t.n === 'object' && t.n.suppressed === 'secondary') target = { branch: sc.branch, t: i };
      });
    expect(target, 'a secondary tier count').toBeDefined();
    const sc = snap.scopes.find((s: any) => s.branch === target!.branch);
    sc.tiers[target!.t].n = trueCount(period.end, target!.branch, target!.t);
    await writeFile(file, JSON.stringify(snap, null, 1));
    const hit = (f: Finding) => f.check === 'system' && f.kind === 'recoverable';
    const found = (await audit(dist, json)).filter(hit);
    expect(found.length).toBeGreaterThanOrEqual(1);
    for (const f of found) expect(f.location).toMatch(/from \d+ relation\(s\) solved together: "/);
    expect((await audit(dist, json, without('system'))).filter(hit)).toHaveLength(0);
  });

  it('a CSV showing a number where the JSON withholds it (en)', async () => {
    const { dist, json } = await copy('csv');
    const file = path.join(dist, 'en', 'exports', period.id, leak.slug, 'pyramid-aum.csv');
    const text = await readFile(file, 'utf8');
    const table = parseCsv(text);
    const r = table.findIndex((row) => row[0] === config.tiers[leak.tierIndex]!.label.en);
    expect(table[r]![1]).toBe('suppressed');
    table[r]![1] = String(leak.n);
    await writeFile(file, `\uFEFF${table.map((row) => row.join(',')).join('\r\n')}`);
    const hit = (f: Finding) => f.check === 'csv' && f.file === path.join(dist, path.relative(dist, file)) && f.location.startsWith(`row ${r + 1}, column 2 `);
    expect((await audit(dist, json)).filter(hit)).toHaveLength(1);
    expect((await audit(dist, json, without('csv'))).filter(hit)).toHaveLength(0);
  });

  it("one customer's exact amount in a CSV", async () => {
    const { dist, json } = await copy('amount');
    const file = path.join(dist, 'exports', period.id, leak.slug, 'pyramid-aum.csv');
    const table = parseCsv(await readFile(file, 'utf8'));
    // The total row's amount column (published, so only the amount scan can object).
    const r = table.findIndex((row) => row[0] === '合计');
    table[r]![3] = leak.amount;
    await writeFile(file, `\uFEFF${table.map((row) => row.join(',')).join('\r\n')}`);
    const hit = (f: Finding) => f.check === 'amounts' && f.file === file && f.location.startsWith(`row ${r + 1}, column 4 `);
    expect((await audit(dist, json)).filter(hit)).toHaveLength(1);
    expect((await audit(dist, json, without('amounts'))).filter(hit)).toHaveLength(0);
  });

  const idCases: [string, string, (id: string) => Promise<string | Buffer>][] = [
    ['an HTML page', 'index.html', async (id) => `<!doctype html><html><body><p>客户 ${id}</p></body></html>`],
    ['an SVG', 'chart.svg', async (id) => `<svg xmlns="http://www.w3.org/2000/svg"><title>${id}</title></svg>`],
    ['a PNG tEXt chunk', 'chart.png', (id) => pngWithText('Comment', `customer ${id}`)],
    ['a PPTX XML part', 'deck.pptx', (id) => pptx(`customer ${id}`)],
  ];
  for (const [what, name, make] of idCases)
    it(`a customer id in ${what}`, async () => {
      const { dist, json } = await copy(`id-${name}`);
      const id = rows.get(period.start)![12345]!.id;
      await writeFile(path.join(dist, name), await make(id));
      const hit = (f: Finding) => f.check === 'ids' && f.file === path.join(dist, name) && f.location.endsWith(idTag(id.toLowerCase()));
      const found = await audit(dist, json);
      expect(found.filter(hit)).toHaveLength(1);
      // The finding never carries the id itself.
      expect(JSON.stringify(found)).not.toContain(id);
      expect((await audit(dist, json, without('ids'))).filter(hit)).toHaveLength(0);
    });
});
