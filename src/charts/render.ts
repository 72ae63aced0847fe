// Renders a ChartSpec to an SVG string at build time. Plot runs against a
// linkedom document; the output is made page-safe (no per-chart <style>, groups
// with a role so aria-label is allowed) and checked for NaN, which Plot emits
// silently when a channel gets a value it cannot scale.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { ChartSpec } from './types.ts';
import { FONT_FAMILY, hatchId } from './theme.ts';

export const PLOT_CLASS = 'ts-plot';

export function chartDocument(): Document {
  return parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document;
}

let buildDocument: Document | null = null;
/**
 * One document for every chart of a process. Plot and the drawings only create
 * detached elements in it, so parsing a fresh document per chart (over 20 000 in
 * a 40-branch build) bought nothing and cost about 7 % of the site build.
 */
export function sharedDocument(): Document {
  return (buildDocument ??= chartDocument());
}

/** The hatch used for withheld values: declare once per chart, fill with `url(#id)`. */
export function hatchDefs(document: Document, chartId: string): Element {
  const ns = 'http://www.w3.org/2000/svg';
  const defs = document.createElementNS(ns, 'defs');
  const pattern = document.createElementNS(ns, 'pattern');
  pattern.setAttribute('id', hatchId(chartId));
  pattern.setAttribute('width', '6');
  pattern.setAttribute('height', '6');
  pattern.setAttribute('patternUnits', 'userSpaceOnUse');
  pattern.setAttribute('patternTransform', 'rotate(45)');
  const line = document.createElementNS(ns, 'line');
  line.setAttribute('x1', '0');
  line.setAttribute('y1', '0');
  line.setAttribute('x2', '0');
  line.setAttribute('y2', '6');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  line.setAttribute('stroke-opacity', '0.6');
  pattern.appendChild(line);
  defs.appendChild(pattern);
  return defs;
}

/** A Plot mark that only adds the hatch pattern definition. */
export const hatchMark = (chartId: string): Plot.Markish =>
  ((_index: unknown, _scales: unknown, _values: unknown, _dims: unknown, context: { document: Document }) =>
    hatchDefs(context.document, chartId)) as unknown as Plot.Markish;

export function renderElement(spec: ChartSpec, document: Document = sharedDocument()): Element {
  if ('plot' in spec.figure) {
    let el: Element;
    try {
      el = Plot.plot({ ...spec.figure.plot, document, className: PLOT_CLASS } as Plot.PlotOptions) as unknown as Element;
    } catch (e) {
      throw new Error(`chart ${spec.id}: Plot failed: ${(e as Error).message}`, { cause: e });
    }
    if (el.tagName.toLowerCase() !== 'svg')
      throw new Error(`chart ${spec.id}: Plot returned <${el.tagName.toLowerCase()}>, not <svg> (no Plot legends, titles or captions: the page draws those)`);
    return el;
  }
  return spec.figure.draw(document);
}

/** The chart as page-ready SVG markup. */
export function renderSvg(spec: ChartSpec, document: Document = sharedDocument()): string {
  const svg = renderElement(spec, document);
  for (const style of [...svg.querySelectorAll('style')]) style.remove();
  // aria-label is only allowed on elements with a role (axe: aria-prohibited-attr).
  for (const el of [...svg.querySelectorAll('[aria-label]')]) {
    const group = el.tagName.toLowerCase() === 'g';
    if (!el.hasAttribute('role')) el.setAttribute('role', group ? 'group' : 'img');
    // A labelled shape (a heat-map cell, a bar segment) also gets a native tooltip:
    // hover text with no JavaScript.
    if (!group && ![...el.children].some((c) => c.tagName.toLowerCase() === 'title')) {
      const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title.textContent = el.getAttribute('aria-label');
      el.appendChild(title);
    }
  }
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${spec.title}. ${spec.description}`);
  svg.setAttribute('font-family', FONT_FAMILY);
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  svg.removeAttribute('height');
  svg.removeAttribute('width');
  // The element was drawn for this call alone: escape it in place, not on a copy
  // (cloning doubled the DOM nodes made, and with them the garbage collection).
  const markup = svgMarkup(svg, false);
  // Only attribute values: a label may legitimately read "undefined".
  const bad = /="[^"]*(NaN|Infinity)[^"]*"|="undefined"/.exec(markup);
  if (bad) throw new Error(`chart ${spec.id}: SVG attribute ${bad[0]} near …${markup.slice(Math.max(0, bad.index - 80), bad.index + 20)}…`);
  return markup;
}

/**
 * An SVG element of a linkedom HTML document as markup that is well-formed XML and
 * says exactly its labels. linkedom writes an HTML document's attribute values with
 * only `"` escaped, so a label holding "&amp;", "&e;" or "<" would come out as an
 * entity (or a broken one): the rest is escaped here, on a copy of the element
 * unless the caller owns it (`copyFirst` false).
 */
export function svgMarkup(svg: Element, copyFirst = true): string {
  const copy = copyFirst ? (svg.cloneNode(true) as Element) : svg;
  for (const el of [copy, ...copy.querySelectorAll('*')])
    for (const { name, value } of [...el.attributes])
      if (/[&<>]/.test(value)) el.setAttribute(name, value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  return xmlSafeAttributes(copy.outerHTML);
}

/**
 * linkedom escapes only the quote in attribute values, which HTML tolerates but XML
 * does not: a label with "<" or "R&D" would make a standalone SVG unreadable. Text
 * content is already escaped, so the attribute pass changes nothing there.
 */
export function xmlSafeAttributes(markup: string): string {
  // Control characters (but tab, CR, LF) are not allowed anywhere in XML 1.0.
  // eslint-disable-next-line no-control-regex
  return markup.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/="([^"]*)"/g, (_, v: string) =>
    `="${v.replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#x[0-9a-fA-F]+);)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`,
  );
}
