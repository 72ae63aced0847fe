import * as Plot from '@observablehq/plot';
import { describe, expect, it } from 'vitest';
import { renderSvg } from '../src/charts/render.ts';
import type { ChartSpec } from '../src/charts/types.ts';

const spec = (marks: Plot.Markish[], extra: Partial<Plot.PlotOptions> = {}): ChartSpec => ({
  id: 't',
  title: 'Title',
  subtitle: '',
  source: '',
  description: 'Description',
  notes: [],
  table: { columns: [], rows: [] },
  figure: { plot: { width: 200, height: 100, marks, ...extra } },
});

describe('renderSvg', () => {
  it('gives a labelled, page-safe <svg>: role, name, no per-chart style, groups with a role', () => {
    const svg = renderSvg(spec([Plot.barX([{ x: 1, y: 'a' }], { x: 'x', y: 'y' })]));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Title. Description"');
    expect(svg).not.toContain('<style');
    for (const g of svg.match(/<g [^>]*aria-label="[^"]*"[^>]*>/g) ?? []) expect(g).toContain('role="group"');
  });

  it('gives labelled shapes a role and a native tooltip', () => {
    const svg = renderSvg({
      ...spec([]),
      figure: {
        draw: (document) => {
          const ns = 'http://www.w3.org/2000/svg';
          const root = document.createElementNS(ns, 'svg');
          const rect = document.createElementNS(ns, 'rect');
          rect.setAttribute('aria-label', 'Ordinary → Potential: 1.12%');
          root.appendChild(rect);
          return root;
        },
      },
    });
    const rect = /<rect [^>]*>.*?<\/rect>/.exec(svg)?.[0] ?? '';
    expect(rect).toContain('role="img"');
    expect(rect).toContain('<title>Ordinary → Potential: 1.12%</title>');
  });

  it('refuses a chart whose attributes hold NaN, as Plot writes when a channel gets a function it cannot use', () => {
    // insetLeft takes a constant; a function there becomes x="NaN".
    const bad = spec([Plot.barX([{ x: 1 }], { x: 'x', insetLeft: (() => 3) as unknown as number })]);
    expect(() => renderSvg(bad)).toThrow(/NaN/);
  });

  it('refuses captions, which would make Plot return a <figure>, naming the chart', () => {
    expect(() => renderSvg(spec([Plot.dot([{ x: 1 }], { x: 'x' })], { caption: 'c' }))).toThrow(/^chart t: /);
  });
});
