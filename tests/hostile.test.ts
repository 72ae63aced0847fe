// Hostile identifiers, end to end: a real `npm run build` (pipeline, site and every
// export kind) in a throw-away project copy, on a bank whose branch codes and
// display names are HTML, script, quotes, path pieces, Windows device names,
// whitespace, zero-width and control characters, right-to-left text, emoji,
// Chinese, a 250-character code, and codes that collide after slugging
// (tests/fixtures/hostile.ts). Everything expected comes from the fixture.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { lstat, readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import JSZip from 'jszip';
import { projectCopy, type ProjectCopy } from './helpers/project.ts';
import { EXPECTED_SLUGS, HOSTILE_BRANCHES, HOSTILE_DATES, BLANK_BRANCH_ROWS, hostileConfig, hostileSnapshots, labelOf, xmlVisible } from './fixtures/hostile.ts';
import { elementTexts, notWellFormed, xmllintOrThrow } from './helpers/xml.ts';
import { csvText, parseCsv } from './helpers/csv.ts';

const LANGS = ['zh', 'en'] as const;
type Lang = (typeof LANGS)[number];
const CODES = HOSTILE_BRANCHES.map((b) => b.code);
const HEADLINE = `${HOSTILE_DATES[0]}_${HOSTILE_DATES[2]}`;
const PERIODS = [`${HOSTILE_DATES[0]}_${HOSTILE_DATES[1]}`, `${HOSTILE_DATES[1]}_${HOSTILE_DATES[2]}`, HEADLINE];
const CONFIG = hostileConfig() as { title: Record<Lang, string> };
// The bank's own row in the league table and CSV (README: "the bank as reference row").
const BANK_LABEL: Record<Lang, string> = { zh: '全行', en: 'Whole bank' };
const prefix = (lang: Lang) => (lang === 'zh' ? '' : '/en');

/** The slug the fixture expects for a code. */
function slugOf(code: string): string {
  const want = EXPECTED_SLUGS[code];
  if (want === undefined) throw new Error(`no expected slug for ${JSON.stringify(code)}`);
  return typeof want === 'string' ? want : `${want.hashed || 'branch'}-${createHash('sha256').update(code).digest('hex').slice(0, 8)}`;
}

async function tree(root: string, skip: (rel: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip(r)) continue;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out.sort();
}

let p: ProjectCopy;
let dist: string;
let first: { status: number | null; stderr: string; stdout: string; seconds: number };
let files: string[];
let rootBefore: string[];
let rootAfter: string[];
let second: string[];
const html = new Map<string, string>();

const built = (rel: string) => readFile(path.join(dist, rel));
const builtText = async (rel: string) => (await built(rel)).toString('utf8');

beforeAll(async () => {
  xmllintOrThrow();
  p = await projectCopy('ts-hostile-');
  for (const [name, text] of Object.entries(hostileSnapshots())) await p.put(`data/snapshots/${name}`, text);
  await p.put('data/tierscope.config.json', JSON.stringify({ ...hostileConfig(), exports: { ...(hostileConfig().exports as object), siteUrl: 'https://intranet.example/报告 & co/' } }));
  dist = path.join(p.root, 'dist');
  const outside = (r: string) => r === 'node_modules' || r === 'dist' || r === 'public/data' || r === '.astro';
  rootBefore = await tree(p.root, outside);
  const t0 = performance.now();
  const r = p.npm('build');
  first = { status: r.status, stderr: r.stderr, stdout: r.stdout, seconds: (performance.now() - t0) / 1000 };
  if (r.status !== 0) throw new Error(`build failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  files = await tree(dist);
  rootAfter = await tree(p.root, outside);
  for (const f of files.filter((f) => f.endsWith('.html'))) html.set(f, await builtText(f));
  // A rebuild of the same inputs: the same URLs.
  const again = p.npm('build');
  if (again.status !== 0) throw new Error(`second build failed (${again.status}):\n${again.stderr.slice(-4000)}`);
  second = await tree(dist);
});

afterAll(async () => {
  await p?.remove();
});

describe('paths and URLs', () => {
  it('the build ran, and wrote nothing outside dist/ and public/data/ (but Astro\'s .astro/ type cache)', () => {
    expect(first.status).toBe(0);
    expect(rootAfter).toEqual(rootBefore);
    process.stderr.write(`hostile build: ${first.seconds.toFixed(0)} s, ${files.length} files in dist/\n`);
  });

  it('every file in dist/ is a plain file that resolves inside dist/', async () => {
    const real = await realpath(dist);
    for (const f of files) {
      expect(f.split('/')).not.toContain('..');
      const st = await lstat(path.join(dist, f));
      expect(st.isFile(), f).toBe(true);
      expect((await realpath(path.join(dist, f))).startsWith(real + path.sep)).toBe(true);
      // URL-safe file names: what a static host serves, on any file system.
      expect(f, f).toMatch(/^[A-Za-z0-9_./-]+$/);
    }
    // The path pieces of the codes never became folders of their own.
    for (const stray of ['x', 'b', 'etc', 'windows', 'passwd']) expect(files.some((f) => f.startsWith(`${stray}/`))).toBe(false);
  });

  it('every branch has its own pages and export folders at the expected slug, and nothing else is there', () => {
    const slugs = CODES.map(slugOf);
    expect(new Set(slugs).size).toBe(CODES.length);
    const set = new Set(files);
    for (const lang of LANGS) {
      const base = prefix(lang).slice(1);
      const under = (rel: string) => (base ? `${base}/${rel}` : rel);
      const branchDirs = new Set(files.filter((f) => f.startsWith(under('branch/'))).map((f) => f.slice(under('branch/').length).split('/')[0]));
      expect([...branchDirs].sort()).toEqual([...slugs].sort());
      for (const slug of slugs) {
        expect(set.has(under(`branch/${slug}/index.html`)), `${lang} ${slug}`).toBe(true);
        for (const period of PERIODS.slice(0, 2)) expect(set.has(under(`branch/${slug}/${period}/index.html`))).toBe(true);
        expect(set.has(under(`exports/${HEADLINE}/${slug}/deck.pptx`)), `deck ${lang} ${slug}`).toBe(true);
      }
      for (const period of PERIODS) {
        const scopes = new Set(files.filter((f) => f.startsWith(under(`exports/${period}/`))).map((f) => f.slice(under(`exports/${period}/`).length).split('/')[0]));
        expect([...scopes].sort()).toEqual(['bank', ...slugs].sort());
        const embeds = new Set(files.filter((f) => f.startsWith(under(`embed/${period}/`))).map((f) => f.slice(under(`embed/${period}/`).length).split('/')[0]));
        expect([...embeds].sort()).toEqual(['bank', ...slugs].sort());
        for (const slug of slugs) {
          expect(set.has(under(`exports/${period}/${slug}/pyramid-aum.svg`))).toBe(true);
          expect(set.has(under(`exports/${period}/${slug}/pyramid-aum.csv`))).toBe(true);
          expect(set.has(under(`embed/${period}/${slug}/pyramid-aum/index.html`))).toBe(true);
        }
      }
    }
  });

  it('a second build gives the same set of files (stable URLs)', () => {
    expect(second).toEqual(files);
  });

  it('reports every collision, empty and reserved slug, one line each, without raw control characters', () => {
    const out = first.stderr + first.stdout;
    const lines = out.split('\n').filter((l) => /^build: branch codes? /.test(l));
    const groups = new Map<string, string[]>();
    for (const [code, want] of Object.entries(EXPECTED_SLUGS)) if (typeof want !== 'string') groups.set(want.hashed, [...(groups.get(want.hashed) ?? []), code]);
    expect(lines).toHaveLength(groups.size);
    for (const codes of groups.values()) {
      const line = lines.find((l) => codes.every((c) => l.includes(`${JSON.stringify(c)} is at branch/${slugOf(c)}/`)));
      expect(line, `a line for ${codes.join(' ')}`).toBeDefined();
      if (codes.length > 1) expect(line).toContain('share the slug');
    }
    expect(lines.find((l) => l.includes('"Ab"'))).toContain('share the slug ab;');
    // The codes' control and bidi characters never reach the terminal raw.
    expect(out).not.toMatch(/[\u0007\u202e\u200b]/);
  });

  it('the methodology page lists the codes with an adjusted address, with working links', () => {
    for (const lang of LANGS) {
      const page = `${prefix(lang).slice(1)}${lang === 'zh' ? '' : '/'}methodology/index.html`;
      const { document } = parseHTML(html.get(page)!);
      const rows = [...document.querySelectorAll('table.branch-urls tbody tr')];
      const adjusted = Object.entries(EXPECTED_SLUGS).filter(([, w]) => typeof w !== 'string').map(([c]) => c);
      expect(rows).toHaveLength(adjusted.length);
      for (const code of adjusted) {
        const row = rows.find((r) => r.querySelector('th code')?.textContent === code);
        expect(row, `${lang} row for ${JSON.stringify(code)}`).toBeDefined();
        expect(row!.querySelector('a')!.getAttribute('href')).toBe(`${prefix(lang)}/branch/${slugOf(code)}/`);
      }
    }
  });
});

describe('JSON', () => {
  it('meta.json holds every code and display name exactly; the blank-branch rows are rejected with a reason', async () => {
    const meta = JSON.parse(await readFile(path.join(p.root, 'public/data/meta.json'), 'utf8')) as { branches: { code: string; label: Record<Lang, string> }[] };
    expect(meta.branches.map((b) => b.code).sort()).toEqual([...CODES].sort());
    for (const b of meta.branches) for (const lang of LANGS) expect(b.label[lang]).toBe(labelOf(b.code, lang));
    const quality = JSON.parse(await readFile(path.join(p.root, 'public/data/quality.json'), 'utf8')) as { files: { rejected: Record<string, number> }[] };
    expect(quality.files).toHaveLength(3);
    for (const f of quality.files) expect(f.rejected).toEqual({ missing_branch: BLANK_BRANCH_ROWS });
    // The site's copy of the data (dist/data) parses and says the same.
    const published = JSON.parse(await builtText('data/meta.json')) as typeof meta;
    expect(published.branches).toEqual(meta.branches);
  });
});

describe('HTML', () => {
  const ownScript = (s: Element) => s.getAttribute('type') === 'module' && /^\/_astro\/[A-Za-z0-9._-]+\.js$/.test(s.getAttribute('src') ?? '') && (s.textContent ?? '') === '';

  it('no page gains an element or attribute from the data: no img, iframe, b, i, event handler or foreign script', () => {
    expect(html.size).toBeGreaterThan(4 * CODES.length * 3);
    // Embed pages share one template (title, subtitle with the scope's name, source): one chart per scope stands for the rest.
    const pages = [...html].filter(([f]) => !/^(en\/)?embed\//.test(f) || /\/pyramid-aum\/index\.html$/.test(f));
    expect(pages.filter(([f]) => f.includes('embed/')).length).toBe(2 * (CODES.length + 1) * PERIODS.length);
    for (const [file, text] of pages) {
      const { document } = parseHTML(text);
      expect(document.querySelectorAll('img, iframe, b, i, object, embed, base').length, file).toBe(0);
      for (const s of document.querySelectorAll('script')) expect(ownScript(s), `${file}: ${s.outerHTML.slice(0, 120)}`).toBe(true);
      for (const el of document.querySelectorAll('*'))
        for (const a of el.attributes) {
          expect(a.name, `${file}: <${el.tagName}>`).not.toMatch(/^on/i);
          if (a.name === 'href' || a.name === 'src') expect(a.value, file).not.toMatch(/^\s*(javascript|data):/i);
        }
      // One <style> (the print margins), nothing closed early: the title survives whole.
      expect(document.querySelectorAll('head style').length, file).toBeLessThanOrEqual(1);
    }
  });

  it('each branch page names its branch exactly, as text and in its title', () => {
    for (const lang of LANGS)
      for (const code of CODES) {
        const file = `${lang === 'zh' ? '' : 'en/'}branch/${slugOf(code)}/index.html`;
        const { document } = parseHTML(html.get(file)!);
        const label = labelOf(code, lang);
        const h1 = document.querySelector('h1')!.textContent!;
        expect(h1.endsWith(label), `${file}: ${JSON.stringify(h1)}`).toBe(true);
        expect(h1.length).toBe((lang === 'zh' ? '网点报告：' : 'Branch report: ').length + label.length);
        expect(document.querySelector('title')!.textContent).toBe(`${h1} · ${CONFIG.title[lang]}`);
        // The branch navigation: a link per branch, its text the label, its href the slug.
        const nav = new Map([...document.querySelectorAll('nav.branch-nav a')].map((a) => [a.getAttribute('href'), a.textContent]));
        expect(nav.size).toBe(CODES.length);
        for (const other of CODES) expect(nav.get(`${prefix(lang)}/branch/${slugOf(other)}/`), `${file} → ${JSON.stringify(other)}`).toBe(labelOf(other, lang));
        // Every chart subtitle carries the label as it is.
        const subtitles = [...document.querySelectorAll('figure.chart p.subtitle')].map((x) => x.textContent!);
        expect(subtitles.length).toBeGreaterThan(10);
        for (const s of subtitles) expect(s.includes(`· ${label} · `), `${file}: ${JSON.stringify(s)}`).toBe(true);
      }
  });

  it('the league table links every branch under its label; attribute values hold the text exactly', () => {
    for (const lang of LANGS) {
      const { document } = parseHTML(html.get(`${lang === 'zh' ? '' : 'en/'}branches/index.html`)!);
      for (const code of CODES) {
        const a = document.querySelector(`table.league a[href="${prefix(lang)}/branch/${slugOf(code)}/"]`);
        expect(a?.textContent, JSON.stringify(code)).toBe(labelOf(code, lang));
      }
      // data-embed-title carries the chart title (which may quote names) back out exactly as the heading says it.
      for (const fig of document.querySelectorAll('figure.chart')) {
        const title = fig.querySelector('.chart-title')!.textContent;
        expect(fig.querySelector('a[data-embed]')!.getAttribute('data-embed-title')).toBe(title);
      }
    }
  });
});

/** The chart SVGs inlined in a page, as the bytes of the file (the HTML parser would forgive what XML does not). */
function inlineSvgs(text: string): string[] {
  const out: string[] = [];
  const open = '<div class="chart-svg">';
  for (let at = text.indexOf(open); at >= 0; at = text.indexOf(open, at + 1)) {
    const start = at + open.length;
    const end = text.indexOf('</svg></div>', start);
    out.push(text.slice(start, end + '</svg>'.length));
  }
  return out;
}

describe('SVG', () => {
  it('every inline chart SVG (pages and embed pages) is well-formed XML', () => {
    const docs = [...html].flatMap(([file, text]) => inlineSvgs(text).map((xml, i) => ({ name: `${file}#${i}`, xml })));
    expect(docs.length).toBeGreaterThan(1000);
    expect(notWellFormed(docs)).toEqual([]);
  });

  it('the league chart draws each published branch under its label, exactly', async () => {
    for (const lang of LANGS) {
      const page = html.get(`${lang === 'zh' ? '' : 'en/'}branches/index.html`)!;
      const svg = inlineSvgs(page).find((s) => s.includes('aria-label'))!;
      const texts = new Set(elementTexts(svg, 'text'));
      const csv = parseCsv(await builtText(`${lang === 'zh' ? '' : 'en/'}exports/${HEADLINE}/bank/branch-mid-high-share.csv`));
      const published = csv.slice(1).filter((r) => /^[0-9.]+$/.test(r[1] ?? ''));
      let drawn = 0;
      for (const code of CODES) {
        const label = labelOf(code, lang);
        if (!published.some((r) => r[0] === csvText(label))) continue;
        expect(texts.has(xmlVisible(label)), `${lang}: ${JSON.stringify(label)}`).toBe(true);
        drawn++;
      }
      expect(drawn).toBeGreaterThanOrEqual(20);
    }
  });

  it('every standalone slide SVG is well-formed, and a branch slide describes its branch exactly', async () => {
    const svgFiles = files.filter((f) => f.endsWith('.svg') && f.includes('exports/'));
    const docs = await Promise.all(svgFiles.map(async (f) => ({ name: f, xml: await built(f) })));
    expect(docs.length).toBeGreaterThan(3000);
    expect(notWellFormed(docs)).toEqual([]);
    for (const lang of LANGS)
      for (const code of CODES) {
        const xml = await builtText(`${lang === 'zh' ? '' : 'en/'}exports/${HEADLINE}/${slugOf(code)}/pyramid-aum.svg`);
        const desc = elementTexts(xml, 'desc')[0]!;
        expect(desc.includes(`· ${xmlVisible(labelOf(code, lang))} · `), `${lang} ${JSON.stringify(code)}: ${desc.slice(0, 300)}`).toBe(true);
      }
  });
});

describe('CSV', () => {
  it('the branch league CSV parses (RFC 4180) and every name cell round-trips, formulas neutralised', async () => {
    for (const lang of LANGS) {
      const rows = parseCsv(await builtText(`${lang === 'zh' ? '' : 'en/'}exports/${HEADLINE}/bank/branch-mid-high-share.csv`));
      const width = rows[0]!.length;
      for (const r of rows) expect(r).toHaveLength(width);
      const names = rows.slice(1).map((r) => r[0]);
      expect(names.sort()).toEqual([BANK_LABEL[lang], ...CODES.map((c) => labelOf(c, lang))].map(csvText).sort());
    }
  });

  it('every CSV export parses with rows of equal width', async () => {
    for (const f of files.filter((x) => x.endsWith('.csv')).filter((_, i) => i % 7 === 0)) {
      const rows = parseCsv(await builtText(f));
      expect(rows.length, f).toBeGreaterThan(1);
      for (const r of rows) expect(r.length, f).toBe(rows[0]!.length);
    }
  });
});

describe('PPTX', () => {
  async function parts(file: string): Promise<{ name: string; xml: string }[]> {
    const zip = await JSZip.loadAsync(await built(file));
    const out: { name: string; xml: string }[] = [];
    for (const [name, f] of Object.entries(zip.files)) {
      if (f.dir) continue;
      if (name.endsWith('.xml') || name.endsWith('.rels')) out.push({ name: `${file}!${name}`, xml: await f.async('string') });
      else if (name.endsWith('.xlsx')) {
        const inner = await JSZip.loadAsync(await f.async('uint8array'));
        for (const [n, g] of Object.entries(inner.files)) if (!g.dir && (n.endsWith('.xml') || n.endsWith('.rels'))) out.push({ name: `${file}!${name}!${n}`, xml: await g.async('string') });
      }
    }
    return out;
  }

  it('every XML part of every deck (bank and each branch, both languages) is well-formed, and names its branch exactly', async () => {
    const decks = files.filter((f) => f.endsWith('.pptx'));
    expect(decks).toHaveLength(2 * (CODES.length + 1));
    for (const lang of LANGS)
      for (const code of [null, ...CODES]) {
        const file = `${lang === 'zh' ? '' : 'en/'}exports/${HEADLINE}/${code === null ? 'bank' : slugOf(code)}/deck.pptx`;
        const ps = await parts(file);
        expect(notWellFormed(ps)).toEqual([]);
        if (code === null) {
          // The bank deck's league chart: every published branch label among the categories.
          const cats = new Set(ps.filter((x) => /!ppt\/charts\/chart\d+\.xml$/.test(x.name)).flatMap((x) => elementTexts(x.xml, 'c:v')));
          expect(CODES.filter((c) => cats.has(xmlVisible(labelOf(c, lang)))).length).toBeGreaterThanOrEqual(20);
          continue;
        }
        const label = xmlVisible(labelOf(code, lang));
        const title = ps.find((x) => x.name.endsWith('!ppt/slides/slide1.xml'))!;
        expect(elementTexts(title.xml, 'a:t'), `${file}`).toContain(label);
        const core = ps.find((x) => x.name.endsWith('!docProps/core.xml'))!;
        expect(elementTexts(core.xml, 'dc:title')[0]).toBe(xmlVisible(`${CONFIG.title[lang]} · ${labelOf(code, lang)}`));
        // Each chart slide's subtitle quotes the label.
        const slide2 = ps.find((x) => x.name.endsWith('!ppt/slides/slide2.xml'))!;
        expect(elementTexts(slide2.xml, 'a:t').some((t) => t.includes(`· ${label} · `)), file).toBe(true);
      }
  });

  it('the link back to the site is a percent-encoded URL in a well-formed relationship', async () => {
    const rels = (await parts(`exports/${HEADLINE}/${slugOf('spaced')}/deck.pptx`)).find((x) => x.name.endsWith('!ppt/slides/_rels/slide1.xml.rels'))!;
    expect(rels.xml).toContain(`Target="https://intranet.example/%E6%8A%A5%E5%91%8A%20&amp;%20co/branch/spaced/"`);
  });
});

describe('PDF', () => {
  const pdfText = (file: string) => {
    const r = spawnSync('pdftotext', ['-enc', 'UTF-8', path.join(dist, file), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.replace(/\s+/g, '');
  };

  it('both PDFs are valid and show the names their fonts cover', () => {
    for (const lang of LANGS) {
      const file = `${lang === 'zh' ? '' : 'en/'}exports/${HEADLINE}/bank/report.pdf`;
      const info = spawnSync('pdfinfo', [path.join(dist, file)], { encoding: 'utf8' });
      expect(info.status, info.stderr).toBe(0);
      expect(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1])).toBeGreaterThan(10);
      expect(info.stdout).toContain(`Title:`);
      const text = pdfText(file);
      // Names in Latin or CJK script without invisible or control characters (pdftotext drops or reorders those).
      const plain = CODES.map((c) => labelOf(c, lang)).filter((l) => /^[\x20-\x7e\u4e00-\u9fff“”’]+$/.test(l));
      expect(plain.length).toBeGreaterThanOrEqual(10);
      // A table cell may wrap (between Latin and Chinese, or a long name anywhere), and pdftotext then reads the
      // row's other cells in between: each script run is checked, a long one by its first 24 characters.
      for (const l of plain)
        for (const part of l.replace(/\s+/g, '').match(/[\x20-\x7e“”’]+|[\u4e00-\u9fff]+/g)!) expect(text.includes(part.slice(0, 24)), `${lang}: ${JSON.stringify(l)}: ${part}`).toBe(true);
      expect(text).toContain(CONFIG.title[lang].replace(/\s+/g, ''));
    }
  });
});
