// A chart as a standalone 16:9 slide image: title, subtitle (unit, scope, period),
// the chart, and the source / data-as-of footer, all inside one SVG so the file
// still says what it shows and when once it is pasted into a deck. Light colours
// only (slides are white), fonts named with CJK fallbacks, no external CSS.
import type { ChartSpec } from '../charts/types.ts';
import { renderSvg } from '../charts/render.ts';
import { FONT_FAMILY, FRAME } from '../charts/theme.ts';
import { hatchAsStripes } from './hatch.ts';

/** The slide frame in CSS px; PNGs are drawn at 2× (2560×1440). */
export const SLIDE = { width: 1280, height: 720 } as const;

const PAD = 48;
const TITLE_SIZE = 30;
const SUBTITLE_SIZE = 18;
const FOOTER_SIZE = 15;
const CHART_TOP = 150;
const CHART_BOTTOM = SLIDE.height - 52;

/** Text escaped for SVG/XML character data and attribute values. */
export function xmlEscape(s: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 at all.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/**
 * Approximate advance of a string in em: there is no text measurement at build
 * time, so wide (CJK, full-width) characters count 1 em and the rest about 0.56 em,
 * which errs wide for Latin text in the usual sans fonts.
 */
export function emWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u.test(ch) ? 1 : 0.56;
  return w;
}

/** Greedy line breaking to `maxEm`: at spaces in Latin text, anywhere between CJK characters; at most `maxLines` (the last ends in "…"). */
export function wrapText(s: string, maxEm: number, maxLines: number): string[] {
  const tokens = s.match(/[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef][，。、；：！？）」』》%]*|\S+\s*|\s+/gu) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const tok of tokens) {
    if (line !== '' && emWidth((line + tok).trimEnd()) > maxEm) {
      lines.push(line.trimEnd());
      line = tok.trimStart();
    } else line += tok;
  }
  if (line.trim() !== '') lines.push(line.trimEnd());
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = kept[maxLines - 1] ?? '';
  while (last !== '' && emWidth(`${last}…`) > maxEm) last = [...last].slice(0, -1).join('');
  kept[maxLines - 1] = `${last}…`;
  return kept;
}

function textLines(lines: string[], x: number, y: number, size: number, attrs: string): string {
  return lines.map((l, i) => `<text x="${x}" y="${y + i * size * 1.25}" font-size="${size}" ${attrs}>${xmlEscape(l)}</text>`).join('');
}

/** The chart as a self-contained 1280×720 SVG document; `chartSvg` is the page rendering when the caller has it already. */
export function slideSvg(spec: ChartSpec, chartSvg: string = renderSvg(spec)): string {
  const widthEm = (size: number) => (SLIDE.width - 2 * PAD) / size;
  const title = wrapText(spec.title, widthEm(TITLE_SIZE), 2);
  const subtitleY = PAD + 8 + title.length * TITLE_SIZE * 1.25;
  const chartTop = Math.max(CHART_TOP, subtitleY + 24);
  // The page chart keeps its 16:9 frame, scaled to the room left.
  const scale = Math.min((SLIDE.width - 2 * PAD) / FRAME.width, (CHART_BOTTOM - chartTop) / FRAME.height);
  const w = Math.round(FRAME.width * scale);
  const h = Math.round(FRAME.height * scale);
  const chart = hatchAsStripes(chartSvg).replace(/^<svg\b/, `<svg x="${Math.round((SLIDE.width - w) / 2)}" y="${Math.round(chartTop)}" width="${w}" height="${h}"`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SLIDE.width}" height="${SLIDE.height}" viewBox="0 0 ${SLIDE.width} ${SLIDE.height}" font-family="${xmlEscape(FONT_FAMILY)}" color="#1a1a1a" role="img" aria-labelledby="slide-title slide-desc">`,
    `<title id="slide-title">${xmlEscape(spec.title)}</title>`,
    `<desc id="slide-desc">${xmlEscape(`${spec.subtitle}. ${spec.description}`)}</desc>`,
    `<rect width="${SLIDE.width}" height="${SLIDE.height}" fill="#ffffff"/>`,
    textLines(title, PAD, PAD + TITLE_SIZE * 0.6, TITLE_SIZE, 'font-weight="700" fill="#1a1a1a"'),
    textLines(wrapText(spec.subtitle, widthEm(SUBTITLE_SIZE), 1), PAD, subtitleY, SUBTITLE_SIZE, 'fill="#555555"'),
    chart,
    textLines(wrapText(spec.source, widthEm(FOOTER_SIZE), 1), PAD, SLIDE.height - 24, FOOTER_SIZE, 'fill="#555555"'),
    '</svg>',
  ].join('');
}

/** The chart alone on a white 1280×720 canvas (the page frame is 16:9 too): for the deck, whose slide carries the title and footer itself. */
export function chartOnlySvg(spec: ChartSpec): string {
  const chart = hatchAsStripes(renderSvg(spec)).replace(/^<svg\b/, `<svg x="0" y="0" width="${SLIDE.width}" height="${SLIDE.height}"`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SLIDE.width}" height="${SLIDE.height}" viewBox="0 0 ${SLIDE.width} ${SLIDE.height}" font-family="${xmlEscape(FONT_FAMILY)}" color="#1a1a1a">`,
    `<rect width="${SLIDE.width}" height="${SLIDE.height}" fill="#ffffff"/>`,
    chart,
    '</svg>',
  ].join('');
}
