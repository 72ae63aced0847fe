// Migration charts against the fixture bank's JSON: every expected figure below
// is read from the JSON (or worked out by hand), never from the chart code.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { transitionHeatmapChart } from '../src/charts/transitionHeatmap.ts';
import { sankeyChart } from '../src/charts/sankey.ts';
import { tierBridgeChart } from '../src/charts/tierBridge.ts';
import { assetBridgeChart } from '../src/charts/assetBridge.ts';
import { migrationRatesChart, migrationTrendChart } from '../src/charts/migrationRates.ts';
import { renderSvg } from '../src/charts/render.ts';
import type { ChartContext, ChartSpec } from '../src/charts/types.ts';
import { periodScope, seriesScope, type Report } from '../src/site/data.ts';
import { amountScale, count, decimal, isSuppressed, month, percent, valueOf, type Lang } from '../src/lib/format.ts';
import type { Fig, Meta, Period, ScopePeriod, TierFlow } from '../src/schema/output.ts';
import { fixtureReport } from './helpers/report.ts';
import { normaliseSvg } from './helpers/svg.ts';

let report: Report;
let meta: Meta;
let headline: Period;
let bank: ScopePeriod;
beforeAll(async () => {
  ({ report } = await fixtureReport());
  meta = report.meta();
  headline = meta.periods.find((p) => p.headline)!;
  bank = periodScope(report.period(headline.id), null);
});

const ctxOf = (lang: Lang, branch: string | null, period: Period = headline): ChartContext => ({ lang, meta, branch, period, asOf: period.end });
const dom = (svg: string) => parseHTML(`<div>${svg}</div>`).document;
const num = (el: Element, a: string) => Number(el.getAttribute(a));
const rectsOf = (doc: Document, cls: string) => [...doc.querySelectorAll(`g.${cls} rect`)];
const hatch = (id: string) => `url(#ts-hatch-${id})`;
/** The fill a rect is painted with: its own, or its mark's (Plot puts a constant fill on the group). */
function fillOf(r: Element): string | null {
  const own = r.getAttribute('fill') ?? r.parentElement?.getAttribute('fill') ?? null;
  // A hatch must be declared in the same SVG.
  const ref = own && /^url\(#(.+)\)$/.exec(own)?.[1];
  if (ref) expect(r.ownerDocument.querySelector(`pattern[id="${ref}"]`), `pattern ${ref}`).not.toBeNull();
  return own;
}
const EN: Record<string, string> = { ordinary: 'Ordinary', potential: 'Potential', mid: 'Mid-market', high: 'High-end', private: 'Private banking', new: 'New', lost: 'Lost', transfer_in: 'Transferred in', transfer_out: 'Transferred out' };
const BRIDGE_KEYS = ['start', 'new', 'inUp', 'inDown', 'outUp', 'outDown', 'lost', 'transferIn', 'transferOut', 'end'] as const;
const fullyPublished = (t: TierFlow) => BRIDGE_KEYS.every((k) => typeof t[k] === 'number');

/**
 * A branch scope of the headline period whose ordinary tier moved customers both
 * ways between branches, and that tier with a whole bridge. Disclosure control
 * withholds a branch's transfers often (they are small, and tied across branches
 * by the bank's matrix), so where the fixture withholds a term of that bridge it
 * is filled with a made-up value that keeps the identity: what these tests check
 * is how the charts draw a transfer, not the data.
 */
function branchWithTransfers(): { scope: ScopePeriod; tier: TierFlow } {
  for (const s of report.period(headline.id).scopes) {
    if (s.branch === null) continue;
    const t = s.tiers.find((x) => x.tier === 'ordinary')!;
    const moved = (v: TierFlow[keyof TierFlow]) => typeof v !== 'number' || v > 0;
    if (typeof t.start !== 'number' || typeof t.end !== 'number' || typeof t.rates.gross.transferOut !== 'number') continue;
    if (!moved(t.transferIn) || !moved(t.transferOut) || t.transferOut === 0) continue;
    const filled = { ...t } as TierFlow;
    const terms = [['new', 1], ['inUp', 1], ['inDown', 1], ['outUp', -1], ['outDown', -1], ['lost', -1], ['transferIn', 1], ['transferOut', -1]] as const;
    for (const [k] of terms) if (typeof filled[k] !== 'number') (filled as Record<string, unknown>)[k] = 7;
    const r = (t.end as number) - (t.start as number) - terms.reduce((sum, [k, sign]) => sum + sign * (filled[k] as number), 0);
    if (typeof t.transferIn !== 'number') (filled as Record<string, unknown>).transferIn = (filled.transferIn as number) + Math.max(r, 0);
    else (filled as Record<string, unknown>).transferOut = (filled.transferOut as number) - Math.min(r, 0);
    const after = (filled.end as number) - (filled.start as number) - terms.reduce((sum, [k, sign]) => sum + sign * (filled[k] as number), 0);
    if (after !== 0) continue;
    return { scope: { ...s, tiers: s.tiers.map((x) => (x === t ? filled : x)) }, tier: filled };
  }
  throw new Error('the fixture has no branch whose ordinary tier moved customers both ways');
}

/**
 * Walks a drawn waterfall: from the top of the start bar, each step must begin
 * where the last one ended (an inflow rises from it, an outflow falls from it),
 * and the last must end at the top of the end bar. Returns px per unit.
 */
function walkBridge(doc: Document, steps: { label: string; delta: number }[]): number {
  const totals = rectsOf(doc, 'mig-total');
  expect(totals).toHaveLength(2);
  const [start, end] = totals as [Element, Element];
  const drawn = [...rectsOf(doc, 'mig-step'), ...rectsOf(doc, 'mig-withheld')].sort((a, b) => num(a, 'x') - num(b, 'x'));
  expect(drawn.map((r) => r.getAttribute('aria-label'))).toEqual(steps.map((s) => s.label));
  let level = num(start, 'y');
  const scales: number[] = [];
  drawn.forEach((r, i) => {
    const { delta } = steps[i]!;
    const [y, h] = [num(r, 'y'), num(r, 'height')];
    if (delta >= 0) {
      expect(y + h).toBeCloseTo(level, 2);
      level = y;
    } else {
      expect(y).toBeCloseTo(level, 2);
      level = y + h;
    }
    if (delta !== 0) scales.push(h / Math.abs(delta));
  });
  expect(level).toBeCloseTo(num(end, 'y'), 2);
  // One scale for every step: a bar's height is its value.
  for (const s of scales) expect(s).toBeCloseTo(scales[0]!, 6);
  return scales[0] ?? 0;
}

describe('transition heat map', () => {
  it('gross: one cell per flow of the JSON, text = the JSON share and count, withheld cells hatched', () => {
    const spec = transitionHeatmapChart(ctxOf('en', null), bank, 'gross');
    const doc = dom(renderSvg(spec));
    const m = meta.tiers.length;
    const shaded = rectsOf(doc, 'mig-share');
    const withheld = rectsOf(doc, 'mig-withheld');
    const counts = rectsOf(doc, 'mig-count');
    // m tiers + New as rows, m tiers + Lost as columns; a new customer cannot be lost in the same period.
    expect(shaded.length + withheld.length + counts.length).toBe((m + 1) * (m + 1) - 1);
    expect(shaded.length + withheld.length + counts.length).toBe(bank.transitions.length);

    const tierRows = bank.transitions.filter((t) => t.from !== 'new');
    const published = tierRows.filter((t) => typeof t.n === 'number' && typeof t.grossShare === 'number');
    const hidden = bank.transitions.filter((t) => isSuppressed(t.n) || (t.from !== 'new' && isSuppressed(t.grossShare)));
    expect(hidden.length).toBeGreaterThan(0);
    expect(shaded).toHaveLength(published.length);
    expect(withheld).toHaveLength(hidden.length);

    const labels = shaded.map((r) => r.getAttribute('aria-label'));
    for (const t of published)
      expect(labels).toContain(`${EN[t.from]} → ${EN[t.to]}: ${percent(t.grossShare as number, 'en')}, ${count(t.n as number, 'en')}`);
    // The visible text carries the same two lines.
    const texts = [...doc.querySelectorAll('text')].map((t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join('|'));
    const op = published.find((t) => t.from !== t.to && t.to !== 'lost');
    expect(op, 'the fixture publishes an off-diagonal tier-to-tier cell').toBeDefined();
    expect(texts).toContain(`${percent(op!.grossShare as number, 'en')}|${count(op!.n as number, 'en')}`);

    // Withheld: hatched, shown as "< 10" or "—", never a shaded cell of 0.
    for (const r of withheld) expect(fillOf(r)).toBe(hatch(spec.id));
    for (const t of hidden) expect(labels.some((l) => l!.startsWith(`${EN[t.from]} → ${EN[t.to]}:`))).toBe(false);
    const freq = hidden.filter((t) => isSuppressed(t.n) && t.n.suppressed === 'frequency').length;
    expect(texts.filter((t) => t.endsWith('< 10')).length).toBe(freq);

    // The New row has no start denominator: counts only.
    const newCells = counts.filter((r) => r.getAttribute('aria-label')!.startsWith('New →'));
    expect(newCells.length).toBe(bank.transitions.filter((t) => t.from === 'new' && typeof t.n === 'number').length);
    for (const r of newCells) expect(r.getAttribute('aria-label')).not.toContain('%');

    // The table holds exactly the drawn cells; withheld ones have no value.
    expect(spec.table.rows).toHaveLength(bank.transitions.length);
    for (const c of spec.table.rows.flat().filter((c) => c.suppressed)) expect(c.value).toBeNull();
    expect(spec.subtitle).toMatch(/^Gross basis/);
  });

  it('tiers run low → high down and right, so a cell right of the diagonal is an up move; the diagonal is outlined', () => {
    const doc = dom(renderSvg(transitionHeatmapChart(ctxOf('en', null), bank, 'gross')));
    const cell = (from: string, to: string) =>
      [...doc.querySelectorAll('g.mig-share rect, g.mig-withheld rect, g.mig-count rect')].find((r) => r.getAttribute('aria-label')!.startsWith(`${EN[from]} → ${EN[to]}:`))!;
    const stay = cell('ordinary', 'ordinary');
    const up = cell('ordinary', 'potential');
    const down = cell('potential', 'ordinary');
    expect(num(up, 'x')).toBeGreaterThan(num(stay, 'x'));
    expect(num(up, 'y')).toBeCloseTo(num(stay, 'y'), 3);
    expect(num(down, 'y')).toBeGreaterThan(num(stay, 'y'));
    expect(num(down, 'x')).toBeCloseTo(num(stay, 'x'), 3);
    expect(rectsOf(doc, 'mig-diagonal')).toHaveLength(meta.tiers.length);
  });

  it('adjusted: the m × m matrix of retained customers, no Lost column, adjusted shares; both bases explained', () => {
    const spec = transitionHeatmapChart(ctxOf('en', null), bank, 'adjusted');
    const svg = renderSvg(spec);
    const doc = dom(svg);
    const m = meta.tiers.length;
    const all = [...rectsOf(doc, 'mig-share'), ...rectsOf(doc, 'mig-withheld'), ...rectsOf(doc, 'mig-count')];
    expect(all).toHaveLength(m * m);
    expect(svg).not.toContain('>Lost<');
    expect(svg).not.toContain('>New<');
    const labels = rectsOf(doc, 'mig-share').map((r) => r.getAttribute('aria-label'));
    const tierToTier = bank.transitions.filter((t) => t.from !== 'new' && t.to !== 'lost');
    for (const t of tierToTier.filter((t) => typeof t.adjustedShare === 'number'))
      expect(labels).toContain(`${EN[t.from]} → ${EN[t.to]}: ${percent(t.adjustedShare as number, 'en')}, ${count(t.n as number, 'en')}`);
    expect(spec.subtitle).toMatch(/^Adjusted basis/);
    expect(spec.notes[0]).toMatch(/Adjusted basis: .*retained|still with the bank/);
    expect(spec.notes.join(' ')).toMatch(/above \(right of\) the diagonal moved up/);
  });

  it('branch scope: Transferred in row and Transferred out column', () => {
    const { scope } = branchWithTransfers();
    const spec = transitionHeatmapChart(ctxOf('en', scope.branch), scope, 'gross');
    const svg = renderSvg(spec);
    const doc = dom(svg);
    const m = meta.tiers.length;
    const all = [...rectsOf(doc, 'mig-share'), ...rectsOf(doc, 'mig-withheld'), ...rectsOf(doc, 'mig-count')];
    // (m + 2) rows × (m + 2) columns less the four entry × exit corners.
    expect(all).toHaveLength((m + 2) * (m + 2) - 4);
    expect(all).toHaveLength(scope.transitions.length);
    expect(svg).toContain('>Transferred in<');
    expect(svg).toContain('Transferred out');
  });
});

describe('sankey', () => {
  it('draws one link per published non-zero flow, coloured and labelled by direction, in tier order', () => {
    const spec = sankeyChart(ctxOf('en', null), bank);
    const svg = renderSvg(spec);
    expect(renderSvg(sankeyChart(ctxOf('en', null), bank))).toBe(svg); // deterministic
    const doc = dom(svg);
    const links = [...doc.querySelectorAll('g.mig-links path')];
    const drawn = bank.transitions.filter((t) => typeof t.n === 'number' && t.n > 0);
    expect(links).toHaveLength(drawn.length);
    const order = meta.tiers.map((t) => t.key);
    const dir = (from: string, to: string) =>
      from === 'new' ? 'new' : to === 'lost' ? 'lost' : order.indexOf(to) > order.indexOf(from) ? 'up' : order.indexOf(to) < order.indexOf(from) ? 'down' : 'stay';
    for (const d of ['up', 'down', 'stay', 'new', 'lost'])
      expect(links.filter((l) => l.getAttribute('data-direction') === d).length, d).toBe(drawn.filter((t) => dir(t.from, t.to) === d).length);
    // Band width is proportional to the count (for bands above the 1.5 px floor).
    const widthOf = (from: string, to: string) => num(links.find((l) => l.querySelector('title')!.textContent!.startsWith(`${EN[from]} → ${EN[to]} `))!, 'stroke-width');
    const big = [...drawn].sort((a, b) => (b.n as number) - (a.n as number));
    expect(widthOf(big[1]!.from, big[1]!.to) / widthOf(big[0]!.from, big[0]!.to)).toBeCloseTo((big[1]!.n as number) / (big[0]!.n as number), 2);

    // Withheld flows are counted in a note, not drawn.
    const withheld = bank.transitions.filter((t) => isSuppressed(t.n)).length;
    expect(withheld).toBeGreaterThan(0);
    expect(spec.notes.join(' ')).toContain(`${withheld} flows have a withheld count and are not drawn`);
    // The legend names each direction in words.
    const legend = [...doc.querySelectorAll('g.mig-legend text')].map((t) => t.textContent);
    expect(legend).toEqual(['Moved up ↑', 'Moved down ↓', 'Stayed in tier', 'New', 'Lost']);
    // Start nodes top → bottom: highest tier first, New last.
    const starts = [...doc.querySelectorAll('g.mig-nodes rect')].filter((r) => r.getAttribute('data-node')!.startsWith('start:'));
    const byY = [...starts].sort((a, b) => num(a, 'y') - num(b, 'y')).map((r) => r.getAttribute('data-node')!.slice(6));
    // Every tier with customers at the start has a node, even when all its flows are withheld.
    const startOf = (k: string) => bank.tiers.find((t) => t.tier === k)?.start;
    const expected = [...order].reverse().concat('new').filter((k) => drawn.some((t) => t.from === k) || (startOf(k) !== undefined && startOf(k) !== 0));
    expect(byY).toEqual(expected);
    // Node labels carry the published counts.
    const nodeText = [...doc.querySelectorAll('g.mig-node-labels text')].map((t) => t.textContent);
    const ord = bank.tiers.find((t) => t.tier === 'ordinary')!;
    expect(nodeText).toContain(`Ordinary ${count(ord.start as number, 'en')}`);
    expect(nodeText).toContain(`Ordinary ${count(ord.end as number, 'en')}`);
  });

  it('branch scope: transfer nodes and links', () => {
    const { scope } = branchWithTransfers();
    const doc = dom(renderSvg(sankeyChart(ctxOf('en', scope.branch), scope)));
    const links = [...doc.querySelectorAll('g.mig-links path')];
    const drawn = (pred: (t: ScopePeriod['transitions'][number]) => boolean) => scope.transitions.filter((t) => pred(t) && typeof t.n === 'number' && t.n > 0).length;
    expect(links.filter((l) => l.getAttribute('data-direction') === 'transferIn')).toHaveLength(drawn((t) => t.from === 'transfer_in'));
    expect(links.filter((l) => l.getAttribute('data-direction') === 'transferOut')).toHaveLength(drawn((t) => t.to === 'transfer_out'));
    const nodes = [...doc.querySelectorAll('g.mig-nodes rect')].map((r) => r.getAttribute('data-node'));
    // A transfer node is drawn where a published transfer link leaves or enters it.
    const tin = drawn((t) => t.from === 'transfer_in');
    const tout = drawn((t) => t.to === 'transfer_out');
    expect(tin + tout, 'the fixture branch publishes a transfer link').toBeGreaterThan(0);
    if (tin > 0) expect(nodes).toContain('start:transfer_in');
    else expect(nodes).not.toContain('start:transfer_in');
    if (tout > 0) expect(nodes).toContain('end:transfer_out');
    else expect(nodes).not.toContain('end:transfer_out');
    expect([...doc.querySelectorAll('g.mig-legend text')].map((t) => t.textContent)).toContain('Transferred in / out');
  });
});

describe('tier bridge', () => {
  it('a fully published tier: start + Σ steps = end on the drawn bars', () => {
    const t = bank.tiers.find(fullyPublished)!;
    expect(t, 'the bank has a fully published tier').toBeDefined();
    expect(t.tier).toBe('ordinary'); // the bottom tier: nothing can arrive from below it or leave downwards
    const v = (k: keyof TierFlow) => t[k] as number;
    // The identity in the JSON itself.
    expect(v('start') + v('new') + v('inDown') - v('outUp') - v('lost')).toBe(v('end'));
    const spec = tierBridgeChart(ctxOf('en', null), bank, t.tier);
    const doc = dom(renderSvg(spec));
    walkBridge(doc, [
      { label: `New: ${count(v('new'), 'en', true)}`, delta: v('new') },
      { label: `In from above ↓: ${count(v('inDown'), 'en', true)}`, delta: v('inDown') },
      { label: `Moved up ↑: ${count(-v('outUp'), 'en', true)}`, delta: -v('outUp') },
      { label: `Lost: ${count(-v('lost'), 'en', true)}`, delta: -v('lost') },
    ]);
    expect(rectsOf(doc, 'mig-withheld')).toHaveLength(0);
    const net = v('end') - v('start');
    expect(spec.title).toBe(`Ordinary: ${count(Math.abs(net), 'en')} ${net > 0 ? 'more' : 'fewer'} customers, net (${count(v('new'), 'en')} new, ${count(v('lost'), 'en')} lost)`);
  });

  it('a middle tier worked by hand: every kind of step in its place', () => {
    // 100 + 12 new + 20 from below + 15 from above − 11 up − 13 down − 10 lost = 113.
    const hand: TierFlow = { ...bank.tiers.find((t) => t.tier === 'mid')!, start: 100, new: 12, inUp: 20, inDown: 15, outUp: 11, outDown: 13, lost: 10, transferIn: 0, transferOut: 0, end: 113, netChange: 13 };
    const scope: ScopePeriod = { ...bank, tiers: bank.tiers.map((t) => (t.tier === 'mid' ? hand : t)) };
    const doc = dom(renderSvg(tierBridgeChart(ctxOf('en', null), scope, 'mid')));
    walkBridge(doc, [
      { label: 'New: +12', delta: 12 },
      { label: 'In from below ↑: +20', delta: 20 },
      { label: 'In from above ↓: +15', delta: 15 },
      { label: 'Moved up ↑: -11', delta: -11 },
      { label: 'Moved down ↓: -13', delta: -13 },
      { label: 'Lost: -10', delta: -10 },
    ]);
  });

  it('withheld steps become one hatched step, end − start − the published ones, just before the end', () => {
    const scope = report.period(headline.id).scopes.find((s) => s.branch === null)!;
    const t = scope.tiers.find((x) => typeof x.start === 'number' && typeof x.end === 'number' && BRIDGE_KEYS.some((k) => isSuppressed(x[k])))!;
    expect(t, 'a bank tier with withheld steps').toBeDefined();
    const i = meta.tiers.findIndex((x) => x.key === t.tier);
    const last = meta.tiers.length - 1;
    const terms: [keyof TierFlow, 1 | -1, boolean][] = [
      ['new', 1, true],
      ['inUp', 1, i > 0],
      ['inDown', 1, i < last],
      ['outUp', -1, i < last],
      ['outDown', -1, i > 0],
      ['lost', -1, true],
    ];
    const possible = terms.filter(([, , ok]) => ok);
    const known = possible.filter(([k]) => typeof t[k] === 'number');
    const combined = (t.end as number) - (t.start as number) - known.reduce((s, [k, sign]) => s + sign * (t[k] as number), 0);
    const spec = tierBridgeChart(ctxOf('en', null), scope, t.tier);
    const doc = dom(renderSvg(spec));
    const w = rectsOf(doc, 'mig-withheld');
    expect(w).toHaveLength(1);
    expect(fillOf(w[0]!)).toBe(hatch(spec.id));
    expect(w[0]!.getAttribute('aria-label')).toBe(`Withheld (combined): ${count(combined, 'en', true)}`);
    expect(rectsOf(doc, 'mig-step')).toHaveLength(known.length);
    const end = rectsOf(doc, 'mig-total')[1]!;
    for (const s of rectsOf(doc, 'mig-step')) expect(num(s, 'x')).toBeLessThan(num(w[0]!, 'x'));
    expect(num(w[0]!, 'x')).toBeLessThan(num(end, 'x'));
    const row = spec.table.rows.find((r) => r[0]!.text === 'Withheld (combined)')!;
    expect(row[1]!.value).toBe(combined);
    expect(spec.notes.join(' ')).toContain(`${possible.length - known.length} steps (`);
  });

  it('start or end withheld: no bridge, the published steps as a list, and it says so', () => {
    let found: { scope: ScopePeriod; tier: TierFlow } | undefined;
    for (const s of report.period(headline.id).scopes)
      for (const t of s.tiers)
        if (!found && isSuppressed(t.start) && BRIDGE_KEYS.some((k) => k !== 'start' && k !== 'end' && typeof t[k] === 'number' && t[k] > 0)) found = { scope: s, tier: t };
    expect(found, 'a branch tier with a withheld start count').toBeDefined();
    const { scope, tier } = found!;
    const spec = tierBridgeChart(ctxOf('en', scope.branch), scope, tier.tier);
    const doc = dom(renderSvg(spec));
    expect(rectsOf(doc, 'mig-total')).toHaveLength(0);
    expect(spec.title).toMatch(/cannot be drawn in full/);
    expect(spec.notes.join(' ')).toMatch(/cannot be drawn in full/);
    const i = meta.tiers.findIndex((x) => x.key === tier.tier);
    const last = meta.tiers.length - 1;
    const possible: (keyof TierFlow)[] = ['new', 'transferIn', 'lost', 'transferOut', ...(i > 0 ? (['inUp', 'outDown'] as const) : []), ...(i < last ? (['inDown', 'outUp'] as const) : [])];
    expect(rectsOf(doc, 'mig-known-step')).toHaveLength(possible.filter((k) => typeof tier[k] === 'number').length);
  });

  it('branch scope: transfer steps carry the JSON values and the identity still holds', () => {
    const { scope, tier: t } = branchWithTransfers();
    const v = (k: keyof TierFlow) => t[k] as number;
    expect(t.tier).toBe('ordinary');
    const doc = dom(renderSvg(tierBridgeChart(ctxOf('en', scope.branch), scope, t.tier)));
    walkBridge(doc, [
      { label: `New: ${count(v('new'), 'en', true)}`, delta: v('new') },
      { label: `In from above ↓: ${count(v('inDown'), 'en', true)}`, delta: v('inDown') },
      { label: `Transferred in: ${count(v('transferIn'), 'en', true)}`, delta: v('transferIn') },
      { label: `Moved up ↑: ${count(-v('outUp'), 'en', true)}`, delta: -v('outUp') },
      { label: `Lost: ${count(-v('lost'), 'en', true)}`, delta: -v('lost') },
      { label: `Transferred out: ${count(-v('transferOut'), 'en', true)}`, delta: -v('transferOut') },
    ]);
  });
});

describe('asset bridge', () => {
  it('bank: start − lost + new + Σ retained change = end on the drawn bars, in the scale’s unit', () => {
    const a = bank.assetBridge;
    const figs: Fig[] = [a.start, a.lost, a.new, a.end, ...a.retainedChange.map((c) => c.change)];
    expect(figs.every((f) => typeof f === 'number'), 'the bank asset bridge is fully published').toBe(true);
    const n = (f: Fig) => f as number;
    const changes = a.retainedChange.map((c) => n(c.change));
    expect(n(a.start) - n(a.lost) + n(a.new) + changes.reduce((s, c) => s + c, 0)).toBe(n(a.end));
    const spec = assetBridgeChart(ctxOf('zh', null), bank);
    const doc = dom(renderSvg(spec));
    const { divisor, unit } = amountScale(Math.max(...figs.map((f) => Math.abs(n(f)))), 'zh');
    expect(spec.subtitle).toContain(`（${unit}）`);
    const label = (name: string, fen: number) => `${name}: ${decimal(fen / divisor, 'zh', 2, true)}`;
    const tierZh: Record<string, string> = { ordinary: '普通客户', potential: '潜力客户', mid: '中端客户', high: '高端客户', private: '私人银行客户' };
    walkBridge(doc, [
      { label: label('流失客户', -n(a.lost)), delta: -n(a.lost) },
      { label: label('新增客户', n(a.new)), delta: n(a.new) },
      ...a.retainedChange.map((c) => ({ label: label(`留存·${tierZh[c.tier]}`, n(c.change)), delta: n(c.change) })),
    ]);
    expect(spec.table.rows.at(-1)![1]!.value).toBe(n(a.end));
  });

  it('branch: withheld amounts become one hatched step of end − start − the published ones', () => {
    const s = report
      .period(headline.id)
      .scopes.find((x) => x.branch !== null && typeof x.assetBridge.start === 'number' && typeof x.assetBridge.end === 'number' && [x.assetBridge.transferIn, x.assetBridge.transferOut].some(isSuppressed))!;
    expect(s, 'a branch with a withheld transfer amount').toBeDefined();
    const a = s.assetBridge;
    const signed: [Fig, 1 | -1][] = [[a.lost, -1], [a.new, 1], ...a.retainedChange.map((c) => [c.change, 1] as [Fig, 1]), [a.transferIn, 1], [a.transferOut, -1]];
    const combined = (a.end as number) - (a.start as number) - signed.filter(([f]) => typeof f === 'number').reduce((t, [f, sg]) => t + sg * (f as number), 0);
    const spec = assetBridgeChart(ctxOf('en', s.branch), s);
    const doc = dom(renderSvg(spec));
    const w = rectsOf(doc, 'mig-withheld');
    expect(w).toHaveLength(1);
    expect(fillOf(w[0]!)).toBe(hatch(spec.id));
    expect(spec.table.rows.find((r) => r[0]!.text === 'Withheld (combined)')![1]!.value).toBe(combined);
    expect(rectsOf(doc, 'mig-step')).toHaveLength(signed.filter(([f]) => typeof f === 'number').length);
    // Transfer terms are part of the branch bridge.
    expect(spec.table.rows.map((r) => r[0]!.text)).toEqual(expect.arrayContaining(['Transferred in', 'Transferred out']));
  });
});

describe('migration rates', () => {
  it('100% bars of the gross rates, adjusted beside them in the table, "—" where a move is impossible', () => {
    const spec = migrationRatesChart(ctxOf('en', null), bank);
    const doc = dom(renderSvg(spec));
    const segs = [...rectsOf(doc, 'mig-stay'), ...rectsOf(doc, 'mig-moves')];
    const rowOf = (r: Element) => r.getAttribute('aria-label')!.split(' · ')[0]!;
    const rows = new Map<string, Element[]>();
    for (const r of segs) rows.set(rowOf(r), [...(rows.get(rowOf(r)) ?? []), r]);
    const widths = [...rows.values()].map((rs) => rs.reduce((s, r) => s + num(r, 'width'), 0));
    for (const w of widths) expect(w).toBeCloseTo(Math.max(...widths), 0);
    // The ordinary bar: the up segment's share of the bar is the JSON gross up rate.
    const ord = bank.tiers.find((t) => t.tier === 'ordinary')!;
    const up = rows.get('Ordinary')!.find((r) => r.getAttribute('aria-label')!.includes('Moved up'))!;
    expect(num(up, 'width') / Math.max(...widths)).toBeCloseTo(ord.rates.gross.up as number, 3);
    expect(up.getAttribute('aria-label')).toBe(`Ordinary · Moved up ↑: ${percent(ord.rates.gross.up as number, 'en')}`);
    // Withheld rates: one hatched remainder, no figure on it.
    for (const r of segs.filter((r) => r.getAttribute('aria-label')!.includes('Withheld'))) {
      expect(fillOf(r)).toBe(hatch(spec.id));
      expect(r.getAttribute('aria-label')).not.toMatch(/\d/);
    }
    // Title from the pooled mid-high rates.
    const mh = bank.pooled.midHigh.gross;
    if (typeof mh.up === 'number' && typeof mh.down === 'number') {
      const [u, d] = [mh.up, mh.down];
      expect(spec.title).toBe(u > d ? `More mid-high customers moved up (${percent(u, 'en')}) than down (${percent(d, 'en')})` : `Fewer mid-high customers moved up (${percent(u, 'en')}) than down (${percent(d, 'en')})`);
    } else {
      // A withheld rate gives no comparison: the title stays neutral.
      expect(spec.title).toBe('Migration rates by tier (gross basis)');
    }
    // Table: gross and adjusted side by side; the top tier cannot move up ("—", undefined, not withheld).
    const cols = spec.table.columns.map((c) => c.label);
    expect(cols.slice(1, 3)).toEqual(['Up (gross)', 'Up (adjusted)']);
    const top = spec.table.rows.find((r) => r[0]!.text === 'Private banking')!;
    expect(bank.tiers.at(-1)!.rates.gross.up).toBeNull();
    expect([top[1]!.text, top[2]!.text]).toEqual(['—', '—']);
    expect(top[1]!.suppressed).toBeUndefined();
    const ordRow = spec.table.rows.find((r) => r[0]!.text === 'Ordinary')!;
    expect(ordRow[2]!.text).toBe(percent(ord.rates.adjusted.up as number, 'en'));
    expect(ordRow[3]!.text).toBe('—'); // the bottom tier cannot move down
  });

  it('branch scope: a transferred-out segment and column', () => {
    const { scope } = branchWithTransfers();
    const spec = migrationRatesChart(ctxOf('en', scope.branch), scope);
    const doc = dom(renderSvg(spec));
    const ord = scope.tiers.find((t) => t.tier === 'ordinary')!;
    const seg = rectsOf(doc, 'mig-moves').find((r) => r.getAttribute('aria-label') === `Ordinary · Transferred out: ${percent(ord.rates.gross.transferOut as number, 'en')}`);
    expect(seg).toBeDefined();
    expect(spec.table.columns.at(-1)!.label).toBe('Transferred out (gross)');
  });

  it('trend: one point per published period, direct labels at the line ends, mobility in its own panel', () => {
    const series = seriesScope(report.series(), null);
    const spec = migrationTrendChart(ctxOf('en', null), series);
    const svg = renderSvg(spec);
    const doc = dom(svg);
    const periods = series.periods;
    expect(periods.length).toBe(meta.periods.filter((p) => p.consecutive).length);
    for (const k of ['up', 'down', 'loss'] as const) {
      const d = doc.querySelector(`g.mig-line-${k} path`)!.getAttribute('d')!;
      expect(d.match(/[ML]/g)!.length, k).toBe(periods.filter((p) => typeof p[k] === 'number').length);
    }
    const labels = [...doc.querySelectorAll('g.mig-line-labels text')].map((t) => t.textContent);
    const lastUp = valueOf(periods.filter((p) => typeof p.up === 'number').at(-1)!.up)!;
    expect(labels).toContain(`Up ↑ ${percent(lastUp, 'en')}`);
    expect(labels).toHaveLength(3);
    expect(spec.table.rows.map((r) => r[0]!.text)).toEqual(periods.map((p) => month(p.end, 'en')));
    const mobility = periods.filter((p) => typeof p.mobility === 'number');
    if (mobility.length === 0) expect(spec.notes.join(' ')).toMatch(/mobility index is withheld in every period/);
    else expect(doc.querySelector('g.mig-line-mobility path')!.getAttribute('d')!.match(/[ML]/g)!.length).toBe(mobility.length);
    // Two panels in one SVG.
    expect(doc.querySelectorAll('svg > svg')).toHaveLength(2);
  });
});

describe('every migration chart, every scope', () => {
  const all = (ctx: ChartContext, s: ScopePeriod): ChartSpec[] => [
    transitionHeatmapChart(ctx, s, 'gross'),
    transitionHeatmapChart(ctx, s, 'adjusted'),
    sankeyChart(ctx, s),
    ...s.tiers.map((t) => tierBridgeChart(ctx, s, t.tier)),
    assetBridgeChart(ctx, s),
    migrationRatesChart(ctx, s),
    migrationTrendChart(ctx, seriesScope(report.series(), s.branch)),
  ];

  it('renders without NaN for every scope and period, in both languages, with unique ids', () => {
    let n = 0;
    for (const period of meta.periods) {
      for (const s of report.period(period.id).scopes) {
        for (const lang of period.headline ? (['zh', 'en'] as const) : (['zh'] as const)) {
          const specs = all(ctxOf(lang, s.branch, period), s);
          expect(new Set(specs.map((x) => x.id)).size).toBe(specs.length);
          for (const spec of specs) {
            const svg = renderSvg(spec); // throws on NaN, Infinity or "undefined" in an attribute
            expect(svg).not.toMatch(/>(NaN|undefined)</);
            expect(spec.title.length).toBeGreaterThan(0);
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
  });
});

describe('snapshots', () => {
  const shot = (name: string, spec: ChartSpec) => expect(normaliseSvg(renderSvg(spec))).toMatchFileSnapshot(`./__snapshots__/${name}.svg`);
  it('heat maps', async () => {
    await shot('migration-heatmap-gross-zh', transitionHeatmapChart(ctxOf('zh', null), bank, 'gross'));
    await shot('migration-heatmap-adjusted-en', transitionHeatmapChart(ctxOf('en', null), bank, 'adjusted'));
  });
  it('sankey', async () => {
    await shot('migration-sankey-zh', sankeyChart(ctxOf('zh', null), bank));
  });
  it('tier bridge', async () => {
    await shot('migration-bridge-potential-zh', tierBridgeChart(ctxOf('zh', null), bank, 'potential'));
  });
  it('asset bridge', async () => {
    await shot('migration-asset-bridge-zh', assetBridgeChart(ctxOf('zh', null), bank));
  });
  it('rates and trend', async () => {
    await shot('migration-rates-zh', migrationRatesChart(ctxOf('zh', null), bank));
    await shot('migration-trend-en', migrationTrendChart(ctxOf('en', null), seriesScope(report.series(), null)));
  });
});
