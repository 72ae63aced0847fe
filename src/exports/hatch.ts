// Withheld shapes in exported images: the page fills them with a hatch <pattern>,
// which browsers draw fast but librsvg (the PNG rasteriser) draws ten times slower
// than the whole rest of a chart — a heat map with withheld cells took 0.4–0.5 s.
// For exports the same look is drawn as plain diagonal lines clipped to the
// withheld shapes, which rasterises at the speed of any other path.
import { parseHTML } from 'linkedom';
import { svgMarkup } from '../charts/render.ts';

const NS = 'http://www.w3.org/2000/svg';
const SHAPES = new Set(['rect', 'path', 'polygon', 'circle', 'ellipse']);
const GEOMETRY = ['x', 'y', 'width', 'height', 'rx', 'ry', 'd', 'points', 'cx', 'cy', 'r', 'transform'];

/** Diagonal lines 6 units apart (the page hatch's spacing) over a generous area around a 720×405 chart. */
function stripes(): string {
  const parts: string[] = [];
  for (let x = -1400; x <= 1000; x += 6 * Math.SQRT2) parts.push(`M${x.toFixed(2)},1000L${(x + 1200).toFixed(2)},-200`);
  return parts.join('');
}
const STRIPES = stripes();

/** The chart SVG with every `fill="url(#<hatch id>)"` drawn as clipped stripes; unchanged when nothing is hatched. */
export function hatchAsStripes(svg: string): string {
  if (!svg.includes('url(#ts-hatch-')) return svg;
  const { document } = parseHTML(`<!doctype html><html><body>${svg}</body></html>`);
  const root = document.querySelector('svg');
  if (!root) return svg;
  const filled = [...root.querySelectorAll('[fill^="url(#ts-hatch-"]')];
  let defs = root.querySelector('defs');
  if (!defs) {
    defs = document.createElementNS(NS, 'defs');
    root.insertBefore(defs, root.firstChild);
  }
  filled.forEach((el, i) => {
    const hatchRef = el.getAttribute('fill')!;
    const id = `${hatchRef.slice(5, -1)}-clip-${i}`;
    const clip = document.createElementNS(NS, 'clipPath');
    clip.setAttribute('id', id);
    const group = el.tagName.toLowerCase() === 'g';
    const shapes = group ? [...el.children].filter((c) => SHAPES.has(c.tagName.toLowerCase()) && !c.getAttribute('fill')) : [el];
    for (const s of shapes) {
      const c = document.createElementNS(NS, s.tagName.toLowerCase());
      for (const a of GEOMETRY) {
        const v = s.getAttribute(a);
        if (v !== null) c.setAttribute(a, v);
      }
      clip.appendChild(c);
    }
    // A group's own transform moves its children; the clip must move with them.
    const t = group ? el.getAttribute('transform') : null;
    if (t) clip.setAttribute('transform', t);
    defs!.appendChild(clip);

    const hatch = document.createElementNS(NS, 'g');
    hatch.setAttribute('clip-path', `url(#${id})`);
    hatch.setAttribute('aria-hidden', 'true');
    const lines = document.createElementNS(NS, 'path');
    lines.setAttribute('d', STRIPES);
    lines.setAttribute('fill', 'none');
    lines.setAttribute('stroke', 'currentColor');
    lines.setAttribute('stroke-width', '1.5');
    lines.setAttribute('stroke-opacity', '0.6');
    hatch.appendChild(lines);
    el.parentNode!.insertBefore(hatch, el);
    // The shape keeps its outline and its tooltip, over the stripes.
    el.setAttribute('fill', 'none');
  });
  return svgMarkup(root);
}
