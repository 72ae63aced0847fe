// The pure pieces that hostile branch codes and names go through, without a build:
// slugs and their collision report, the build's printable form of a code, XML
// escaping of the slide SVG, CSV cells, and the deck's final pass over XML parts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import PptxGenJS from 'pptxgenjs';
import JSZip from 'jszip';
import { printableCode, slugNoteLines, slugPlan } from '../src/site/routes.ts';
import { slideSvg, xmlEscape } from '../src/exports/slide.ts';
import { tableCsv } from '../src/exports/csv.ts';
import { finaliseDeck } from '../src/exports/deck.ts';
import { sparklineChart } from '../src/charts/sparkline.ts';
import { renderSvg } from '../src/charts/render.ts';
import { hatchAsStripes } from '../src/exports/hatch.ts';
import { EXPECTED_SLUGS, HOSTILE_BRANCHES, HOSTILE_STRINGS, xmlVisible } from './fixtures/hostile.ts';
import { elementTexts, notWellFormed, xmlUnescape } from './helpers/xml.ts';
import { csvText, parseCsv } from './helpers/csv.ts';

const CODES = HOSTILE_BRANCHES.map((b) => b.code);
const hash8 = (code: string) => createHash('sha256').update(code).digest('hex').slice(0, 8);

describe('branch slugs of the hostile codes', () => {
  const { slugs, notes } = slugPlan(CODES);

  it('are URL-safe, unique, never reserved, and as README says for each code', () => {
    expect(slugs.size).toBe(CODES.length);
    expect(new Set(slugs.values()).size).toBe(CODES.length);
    for (const [code, slug] of slugs) {
      expect(slug, JSON.stringify(code)).toMatch(/^[a-z0-9][a-z0-9_-]{0,68}$/);
      expect(slug).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9]|bank)$/);
      const want = EXPECTED_SLUGS[code];
      expect(want, `fixture has an expected slug for ${JSON.stringify(code)}`).toBeDefined();
      if (typeof want === 'string') expect(slug).toBe(want);
      else expect(slug).toBe(`${want!.hashed || 'branch'}-${hash8(code)}`);
    }
  });

  it('are the same for the codes in any order', () => {
    const again = slugPlan([...CODES].reverse());
    const shuffled = slugPlan([...CODES].sort((a, b) => hash8(a).localeCompare(hash8(b))));
    expect([...again.slugs].sort()).toEqual([...slugs].sort());
    expect([...shuffled.slugs].sort()).toEqual([...slugs].sort());
    expect(again.notes).toEqual(notes);
    expect(shuffled.notes).toEqual(notes);
  });

  it('report every code that lost its plain slug, grouped by base and reason', () => {
    const expected = new Map<string, { reason: string; codes: string[] }>();
    for (const [code, want] of Object.entries(EXPECTED_SLUGS)) {
      if (typeof want === 'string') continue;
      const g = expected.get(want.hashed) ?? { reason: want.reason, codes: [] };
      g.codes.push(code);
      expected.set(want.hashed, g);
    }
    expect(notes.length).toBe(expected.size);
    for (const n of notes) {
      const g = expected.get(n.base);
      expect(g, `unexpected note for base ${n.base}`).toBeDefined();
      expect(n.reason).toBe(g!.reason);
      expect(n.codes.map((c) => c.code).sort()).toEqual([...g!.codes].sort());
      for (const c of n.codes) expect(c.slug).toBe(slugs.get(c.code));
    }
    const lines = slugNoteLines(notes);
    expect(lines).toHaveLength(notes.length);
    const abLine = lines.find((l) => l.includes('"Ab"'))!;
    expect(abLine).toContain('share the slug ab');
    for (const c of ['AB', 'Ab', 'ab']) expect(abLine).toContain(`"${c}" is at branch/ab-${hash8(c)}/`);
    expect(lines.find((l) => l.includes('"CON"'))).toContain(`reserved name con; "CON" is at branch/con-${hash8('CON')}/`);
  });

  it('keep a code its plain slug even when a hashed slug of other codes would take it', () => {
    // "ab-<hash of Ab>" is itself a code with a unique base: it keeps its slug, and Ab moves on.
    const taken = `ab-${hash8('Ab')}`;
    const { slugs: s } = slugPlan(['Ab', 'ab', taken, `${taken}-2`]);
    expect(s.get(taken)).toBe(taken);
    expect(s.get(`${taken}-2`)).toBe(`${taken}-2`);
    expect(s.get('Ab')).toBe(`${taken}-3`);
    expect(s.get('ab')).toBe(`ab-${hash8('ab')}`);
  });

  it('never end in a hyphen after cutting a long code', () => {
    const { slugs: s } = slugPlan([`${'a'.repeat(59)}-b`]);
    expect(s.get(`${'a'.repeat(59)}-b`)).toBe('a'.repeat(59));
  });
});

describe('printable codes (the build output)', () => {
  it('round-trip through JSON and carry no control, format or separator character', () => {
    for (const s of HOSTILE_STRINGS) {
      const p = printableCode(s);
      expect(JSON.parse(p)).toBe(s);
      expect(p).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
    }
    expect(printableCode('bell\u0007esc\u001b')).toBe('"bell\\u0007esc\\u001b"');
    expect(printableCode('a\u202eb')).toBe('"a\\u202eb"');
  });
});

describe('slide SVG escaping', () => {
  it('xmlEscape gives character data that reads back as the text (controls dropped)', () => {
    const docs = HOSTILE_STRINGS.map((s, i) => ({ name: JSON.stringify(s), xml: `<t a="${xmlEscape(s)}">${xmlEscape(s)}</t>`, s, i }));
    expect(notWellFormed(docs)).toEqual([]);
    for (const d of docs) {
      expect(elementTexts(d.xml, 't')).toEqual([xmlVisible(d.s)]);
      expect(xmlUnescape(/a="([^"]*)"/.exec(d.xml)![1]!)).toBe(xmlVisible(d.s));
    }
  });

  it('a slide whose title, subtitle, description and source are hostile is well-formed and says them', () => {
    const docs = HOSTILE_STRINGS.filter((s) => s.trim() !== '').map((s, i) => {
      const spec = { ...sparklineChart({ id: `h${i}`, label: s, lang: 'en', kind: 'count', points: [{ x: s, y: 1 }, { x: 'b', y: 2 }], source: s }), subtitle: s };
      return { name: JSON.stringify(s), xml: slideSvg(spec), spec, s, page: renderSvg(spec) };
    });
    expect(notWellFormed(docs)).toEqual([]);
    expect(notWellFormed(docs.map((d) => ({ name: d.name, xml: d.page })))).toEqual([]);
    for (const d of docs) {
      expect(elementTexts(d.xml, 'title')[0]).toBe(xmlVisible(d.spec.title));
      expect(elementTexts(d.xml, 'desc')[0]).toBe(xmlVisible(`${d.s}. ${d.spec.description}`));
    }
  });

  it('hatching withheld shapes for an export keeps hostile labels as they are', () => {
    const docs = HOSTILE_STRINGS.map((s, i) => {
      const page = renderSvg({ ...sparklineChart({ id: `x${i}`, label: s, lang: 'en', kind: 'count', points: [{ x: 'a', y: 1 }, { x: 'b', y: 2 }], source: 's' }), description: s });
      // A withheld shape as the charts draw one: filled with the hatch, labelled.
      const hatched = page.replace(/<\/svg>$/, `<rect width="10" height="10" fill="url(#ts-hatch-x${i})" aria-label="${xmlEscape(s)}"></rect></svg>`);
      return { name: JSON.stringify(s), xml: hatchAsStripes(hatched), s };
    });
    expect(notWellFormed(docs)).toEqual([]);
    for (const d of docs) {
      expect(d.xml).toContain('clip-path=');
      const labels = [...d.xml.matchAll(/ aria-label="([^"]*)"/g)].map((m) => xmlUnescape(m[1]!));
      expect(labels).toContain(xmlVisible(d.s));
      expect(labels.some((l) => l.endsWith(`. ${xmlVisible(d.s)}`))).toBe(true);
    }
  });
});

describe('CSV cells', () => {
  it('every hostile string round-trips through an RFC 4180 parser, formulas neutralised', () => {
    for (const s of HOSTILE_STRINGS) {
      const csv = tableCsv({ columns: [{ label: s, numeric: false }, { label: 'n', numeric: true }], rows: [[{ text: s, value: s }, { text: '1', value: 1, kind: 'count' }]] }, 'en');
      expect(csv.startsWith('\uFEFF')).toBe(true);
      const rows = parseCsv(csv);
      expect(rows, JSON.stringify(s)).toEqual([
        [csvText(s), 'n'],
        [csvText(s), '1'],
      ]);
    }
  });
});

describe('deck XML', () => {
  it('the final pass leaves every part well-formed when slide text, alt text, notes and chart labels are hostile', async () => {
    const pptx = new PptxGenJS();
    const strings = HOSTILE_STRINGS.filter((s) => s !== '');
    const slide = pptx.addSlide();
    for (const s of strings) slide.addText(s, { x: 0.5, y: 0.5, w: 5, h: 0.5 });
    slide.addNotes(strings.join('\n'));
    slide.addChart(pptx.ChartType.bar, [{ name: strings[0]!, labels: strings, values: strings.map((_, i) => i + 1) }], { x: 1, y: 1, w: 6, h: 4, altText: strings.join(' ') });
    slide.addText([{ text: 'link', options: { hyperlink: { url: 'https://intranet.example/a&b/?x=1&y=2', tooltip: strings[1]! } } }], { x: 0.5, y: 6, w: 5, h: 0.5 });
    pptx.title = strings.join(' · ');
    const raw = (await pptx.write({ outputType: 'nodebuffer' })) as Buffer;
    const deck = await finaliseDeck(raw, { when: new Date('2025-02-28T00:00:00Z'), lang: 'en' });
    const zip = await JSZip.loadAsync(deck);
    const parts: { name: string; xml: string }[] = [];
    for (const [name, file] of Object.entries(zip.files)) {
      if (file.dir) continue;
      if (name.endsWith('.xml') || name.endsWith('.rels')) parts.push({ name, xml: await file.async('string') });
      if (name.endsWith('.xlsx')) {
        const inner = await JSZip.loadAsync(await file.async('uint8array'));
        for (const [n, f] of Object.entries(inner.files)) if (!f.dir && (n.endsWith('.xml') || n.endsWith('.rels'))) parts.push({ name: `${name}!${n}`, xml: await f.async('string') });
      }
    }
    expect(parts.length).toBeGreaterThan(10);
    expect(notWellFormed(parts)).toEqual([]);
    const slideXml = parts.find((p) => p.name === 'ppt/slides/slide1.xml')!.xml;
    const texts = elementTexts(slideXml, 'a:t');
    for (const s of strings) expect(texts, JSON.stringify(s)).toContain(xmlVisible(s));
    const chart = parts.find((p) => /^ppt\/charts\/chart\d+\.xml$/.test(p.name))!.xml;
    const cats = elementTexts(chart, 'c:v');
    for (const s of strings) expect(cats).toContain(xmlVisible(s));
    const notes = parts.find((p) => /^ppt\/notesSlides\/notesSlide\d+\.xml$/.test(p.name))!.xml;
    expect(elementTexts(notes, 'a:t')).toEqual(expect.arrayContaining(strings.map(xmlVisible).filter((s) => s.trim() !== '' && !s.includes('\n'))));
  });
});
