// Vocabulary shared by the migration charts (heat maps, Sankey, bridges, rates):
// flow directions with their words and colours, a text-width estimate (Plot and
// linkedom measure no text, so Chinese labels get their margins from here), and
// an in-SVG legend of labelled swatches, so no direction is told by colour alone.
import type * as Plot from '@observablehq/plot';
import type { Meta } from '../schema/output.ts';
import type { Lang } from '../lib/format.ts';
import { L } from './common.ts';
import { FLOW_COLORS } from './theme.ts';

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Text on cells and bars that must stay readable whatever the page colours. */
export const INK = { dark: '#1d2330', light: '#ffffff' } as const;
/** Start and end totals of the bridges. */
export const TOTAL_COLOR = '#5a6272';
/** A halo behind text drawn over hatching: the chart card's own colour. */
export const HALO = 'var(--card, #f6f7f9)';

export type Direction = 'up' | 'down' | 'stay' | 'new' | 'lost' | 'transferIn' | 'transferOut';

const DIRECTION_WORDS: Record<Direction, [string, string]> = {
  up: ['向上迁徙 ↑', 'Moved up ↑'],
  down: ['向下迁徙 ↓', 'Moved down ↓'],
  stay: ['保持原等级', 'Stayed in tier'],
  new: ['新增', 'New'],
  lost: ['流失', 'Lost'],
  transferIn: ['转入', 'Transferred in'],
  transferOut: ['转出', 'Transferred out'],
};

export const directionLabel = (d: Direction, lang: Lang): string => L(lang, ...DIRECTION_WORDS[d]);

export function directionColor(d: Direction): string {
  switch (d) {
    case 'up':
      return FLOW_COLORS.up;
    case 'down':
      return FLOW_COLORS.down;
    case 'stay':
      return FLOW_COLORS.stay;
    case 'new':
      return FLOW_COLORS.new;
    case 'lost':
      return FLOW_COLORS.lost;
    case 'transferIn':
    case 'transferOut':
      return FLOW_COLORS.transfer;
  }
}

/** Tier keys in configured order, lowest first. */
export const tierKeys = (meta: Meta): string[] => meta.tiers.map((t) => t.key);

/** The direction of a transition between two scope rows/columns of the matrix. */
export function transitionDirection(meta: Meta, from: string, to: string): Direction {
  if (from === 'new') return 'new';
  if (from === 'transfer_in') return 'transferIn';
  if (to === 'lost') return 'lost';
  if (to === 'transfer_out') return 'transferOut';
  const keys = tierKeys(meta);
  const a = keys.indexOf(from);
  const b = keys.indexOf(to);
  return b > a ? 'up' : b < a ? 'down' : 'stay';
}

/** A key usable in an element id or file name. */
export const safeKey = (key: string): string =>
  key
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'x';

/**
 * Estimated width of a line of text in px: CJK and full-width forms take a full
 * em, Latin letters and digits a little over half. Generous on purpose: it sets
 * margins, and a margin too wide costs less than a clipped label.
 */
export function textWidth(text: string, fontSize = 12): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x2e80 || (c >= 0x2190 && c <= 0x21ff)) em += 1;
    else if (ch === ' ') em += 0.3;
    else if (/[.,:;'’|!il1]/.test(ch)) em += 0.32;
    else if (/[A-Z%mwMW—]/.test(ch)) em += 0.72;
    else em += 0.58;
  }
  return em * fontSize;
}

/** Width of the widest line of a possibly multi-line label. */
export const blockWidth = (text: string, fontSize = 12): number => Math.max(0, ...text.split('\n').map((l) => textWidth(l, fontSize)));

/**
 * Breaks a label into lines no wider than maxWidth: English at spaces, Chinese
 * between characters (a long tier name such as 私人银行客户 becomes two lines).
 */
export function wrapLabel(text: string, maxWidth: number, fontSize = 12): string {
  return text
    .split('\n')
    .map((para) => {
      if (textWidth(para, fontSize) <= maxWidth) return para;
      const cjk = /[\u2e80-\uffff]/.test(para) && !para.includes(' ');
      const units = cjk ? [...para] : para.split(' ');
      const lines: string[] = [];
      let line = '';
      for (const u of units) {
        const next = line === '' ? u : cjk ? line + u : `${line} ${u}`;
        if (line !== '' && textWidth(next, fontSize) > maxWidth) {
          lines.push(line);
          line = u;
        } else line = next;
      }
      if (line !== '') lines.push(line);
      // No orphan: 私人银行客户 breaks as 私人银行 / 客户, not 私人银行客 / 户.
      const last = lines.at(-1);
      const prev = lines.at(-2);
      if (cjk && last !== undefined && prev !== undefined && [...last].length === 1 && [...prev].length > 2) {
        lines[lines.length - 2] = [...prev].slice(0, -1).join('');
        lines[lines.length - 1] = [...prev].at(-1)! + last;
      }
      return lines.join('\n');
    })
    .join('\n');
}

export interface LegendItem {
  label: string;
  fill: string;
  opacity?: number;
}

/** A row of labelled swatches (the label names the direction; colour only repeats it). */
export function legendGroup(document: Document, items: readonly LegendItem[], x: number, y: number, fontSize = 12): Element {
  const g = document.createElementNS(SVG_NS, 'g');
  g.setAttribute('aria-label', 'legend');
  g.setAttribute('class', 'mig-legend');
  g.setAttribute('font-size', String(fontSize));
  g.setAttribute('text-anchor', 'start');
  let cx = x;
  const box = Math.round(fontSize * 0.9);
  for (const item of items) {
    const rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('x', String(cx));
    rect.setAttribute('y', String(y - box / 2));
    rect.setAttribute('width', String(box));
    rect.setAttribute('height', String(box));
    rect.setAttribute('fill', item.fill);
    if (item.opacity !== undefined) rect.setAttribute('fill-opacity', String(item.opacity));
    rect.setAttribute('stroke', 'currentColor');
    rect.setAttribute('stroke-opacity', '0.35');
    g.appendChild(rect);
    const text = document.createElementNS(SVG_NS, 'text');
    text.setAttribute('x', String(cx + box + 4));
    text.setAttribute('y', String(y));
    text.setAttribute('dy', '0.35em');
    text.textContent = item.label;
    g.appendChild(text);
    cx += box + 4 + textWidth(item.label, fontSize) + 14;
  }
  return g;
}

/** Total width legendGroup needs for these items. */
export const legendWidth = (items: readonly LegendItem[], fontSize = 12): number =>
  items.reduce((w, i) => w + Math.round(fontSize * 0.9) + 4 + textWidth(i.label, fontSize) + 14, 0) - 14;

/** The legend as a Plot mark, placed in pixels from the top-left of the frame. */
export const legendMark = (items: readonly LegendItem[], x: number, y: number, fontSize = 12): Plot.Markish =>
  ((_index: unknown, _scales: unknown, _values: unknown, _dims: unknown, context: { document: Document }) =>
    legendGroup(context.document, items, x, y, fontSize)) as unknown as Plot.Markish;
