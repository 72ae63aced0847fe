// Where the customers went: a Sankey from the start tiers (and the new customers,
// and transfers in at branch scope) on the left to the end tiers (and the lost
// customers, and transfers out) on the right. Start and end are separate nodes,
// so the graph is acyclic; higher tiers sit higher, so an up-migration band
// rises. The layout is deterministic: fixed node and link order, no relaxation.
import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import type { Fig, ScopePeriod } from '../schema/output.ts';
import { count, fig, isSuppressed, percent, valueOf } from '../lib/format.ts';
import { figCell, L, scopeAndWhen, sourceLine, suppressionNote, textCell, tierLabel } from './common.ts';
import { PLOT_CLASS } from './render.ts';
import { FLOW_COLORS, FRAME, tierColors } from './theme.ts';
import type { Cell, ChartContext, ChartSpec } from './types.ts';
import {
  directionColor,
  directionLabel,
  legendGroup,
  SVG_NS,
  textWidth,
  tierKeys,
  transitionDirection,
  type Direction,
  type LegendItem,
} from './migrationCommon.ts';

interface NodeDatum {
  id: string;
  key: string;
  side: 'start' | 'end';
  /** Position top → bottom within its column. */
  order: number;
  label: string;
  color: string;
}
interface LinkDatum {
  direction: Direction;
  n: number;
  title: string;
}
type SNode = SankeyNode<NodeDatum, LinkDatum>;
type SLink = SankeyLink<NodeDatum, LinkDatum>;

const FONT = 12;
const NODE_WIDTH = 12;
/** Narrowest band drawn, in px, so a flow of a few customers stays visible. */
const MIN_LINK = 1.5;
const LEGEND_Y = 12;
const TOP = 56;

const sumIfAll = (figs: Fig[]): number | null => {
  let s = 0;
  for (const f of figs) {
    if (typeof f !== 'number') return null;
    s += f;
  }
  return s;
};

export function sankeyChart(ctx: ChartContext, scope: ScopePeriod): ChartSpec {
  const { lang, meta } = ctx;
  const id = 'migration-sankey';
  const atBranch = scope.branch !== null;
  const tiers = tierKeys(meta);
  const colors = tierColors(meta);
  const minCell = meta.privacy.minCell;
  const label = (k: string) => tierLabel(meta, k, lang);
  const flow = (k: string) => scope.tiers.find((t) => t.tier === k);

  // Published totals beside each node; a sum only where every part is published.
  const startCount = (k: string): string | null =>
    k === 'new'
      ? fig(scope.newMix.total, 'count', lang, minCell)
      : k === 'transfer_in'
        ? nullable(sumIfAll(scope.tiers.map((t) => t.transferIn)))
        : fig(flow(k)?.start ?? { suppressed: 'secondary' }, 'count', lang, minCell);
  const endCount = (k: string): string | null =>
    k === 'lost'
      ? nullable(sumIfAll(scope.tiers.map((t) => t.lost)))
      : k === 'transfer_out'
        ? nullable(sumIfAll(scope.tiers.map((t) => t.transferOut)))
        : fig(flow(k)?.end ?? { suppressed: 'secondary' }, 'count', lang, minCell);
  function nullable(v: number | null): string | null {
    return v === null ? null : count(v, lang);
  }

  const highFirst = [...tiers].reverse();
  const startKeys = [...highFirst, 'new', ...(atBranch ? ['transfer_in'] : [])];
  const endKeys = [...highFirst, 'lost', ...(atBranch ? ['transfer_out'] : [])];
  const nodeColor = (k: string) => {
    const i = tiers.indexOf(k);
    if (i >= 0) return colors[i]!;
    return k === 'new' ? FLOW_COLORS.new : k === 'lost' ? FLOW_COLORS.lost : FLOW_COLORS.transfer;
  };
  const nodeLabel = (k: string, c: string | null) => (c === null ? label(k) : `${label(k)} ${c}`);
  const allNodes: NodeDatum[] = [
    ...startKeys.map((k, i) => ({ id: `start:${k}`, key: k, side: 'start' as const, order: i, label: nodeLabel(k, startCount(k)), color: nodeColor(k) })),
    ...endKeys.map((k, i) => ({ id: `end:${k}`, key: k, side: 'end' as const, order: i, label: nodeLabel(k, endCount(k)), color: nodeColor(k) })),
  ];

  const relevant = scope.transitions.filter((t) => startKeys.includes(t.from) && endKeys.includes(t.to));
  const drawn = relevant.filter((t): t is typeof t & { n: number } => typeof t.n === 'number' && t.n > 0);
  const withheld = relevant.filter((t) => isSuppressed(t.n));
  const used = new Set(drawn.flatMap((t) => [`start:${t.from}`, `end:${t.to}`]));
  // A tier whose every flow is withheld still has a published count: keep its node,
  // so the reader sees it exists, rather than a chart that silently drops a tier.
  const hasCustomers = (n: NodeDatum) => {
    if (!tiers.includes(n.key)) return false;
    const v = n.side === 'start' ? flow(n.key)?.start : flow(n.key)?.end;
    return v !== undefined && v !== 0;
  };
  const nodes = allNodes.filter((n) => used.has(n.id) || hasCustomers(n));
  const dirOf = (from: string, to: string) => transitionDirection(meta, from, to);
  const linkTitle = (from: string, to: string, n: Fig) =>
    `${label(from)} → ${label(to)}（${directionLabel(dirOf(from, to), lang)}）：${fig(n, 'count', lang, minCell)}`;
  const enTitle = (from: string, to: string, n: Fig) =>
    `${label(from)} → ${label(to)} (${directionLabel(dirOf(from, to), lang)}): ${fig(n, 'count', lang, minCell)}`;

  // ── Layout ────────────────────────────────────────────────────────────────
  const leftW = Math.max(40, ...nodes.filter((n) => n.side === 'start').map((n) => textWidth(n.label, FONT)));
  const rightW = Math.max(40, ...nodes.filter((n) => n.side === 'end').map((n) => textWidth(n.label, FONT)));
  const x0 = Math.ceil(leftW + 10);
  const x1 = Math.floor(FRAME.width - rightW - 10);
  const rank = (n: NodeDatum) => n.order;
  const graph =
    drawn.length === 0
      ? null
      : sankey<NodeDatum, LinkDatum>()
          .nodeId((n) => n.id)
          .nodeAlign((n) => (n.side === 'start' ? 0 : 1))
          .nodeSort((a, b) => rank(a) - rank(b))
          .linkSort((a, b) => rank(a.target as NodeDatum) - rank(b.target as NodeDatum) || rank(a.source as NodeDatum) - rank(b.source as NodeDatum))
          .iterations(0)
          .nodeWidth(NODE_WIDTH)
          .nodePadding(16)
          .extent([
            [x0, TOP],
            [x1, FRAME.height - 6],
          ])({
          nodes: nodes.map((n) => ({ ...n })),
          links: drawn.map((t) => ({
            source: `start:${t.from}`,
            target: `end:${t.to}`,
            value: t.n,
            direction: dirOf(t.from, t.to),
            n: t.n,
            title: L(lang, linkTitle(t.from, t.to, t.n), enTitle(t.from, t.to, t.n)),
          })),
        });

  // ── Words ─────────────────────────────────────────────────────────────────
  const stay = valueOf(scope.pooled.all.gross.stay);
  const title =
    stay !== null && stay >= 0.5
      ? L(lang, `多数客户留在原等级：期初客户中${percent(stay, lang)}等级未变`, `Most customers stayed in their tier: ${percent(stay, lang)} of those at the start`)
      : L(lang, '客户从期初等级到期末等级的流向', 'Where customers went, from start tier to end tier');
  const notes: string[] = [
    L(
      lang,
      `左侧为期初等级${atBranch ? '、新增与转入' : '与新增'}客户，右侧为期末等级${atBranch ? '、流失与转出' : '与流失'}客户；流带宽度与人数成正比。高等级在上，向上迁徙的流带向上走，并以颜色和图例文字区分方向。`,
      `Start tiers${atBranch ? ', new and transferred-in' : ' and new'} customers on the left, end tiers${atBranch ? ', lost and transferred-out' : ' and lost'} customers on the right; band width is proportional to customers. Higher tiers sit higher, so a band that rises moved up; the legend names each direction.`,
    ),
  ];
  if (withheld.length > 0)
    notes.push(
      L(
        lang,
        `${withheld.length}条流向的人数因隐私保护未公布，图中未画出；节点高度只计入已画出的流向，节点旁的人数为公布的总数。`,
        `${withheld.length} flows have a withheld count and are not drawn; node heights add up only the drawn flows, while the number beside a node is its published total.`,
      ),
    );
  notes.push(L(lang, '人数很少的流向画得比实际略宽（至少1.5像素），以便看得见。', 'Very small flows are drawn slightly wider than their size (at least 1.5 px) so that they stay visible.'));
  const sup = suppressionNote(ctx, relevant.map((t) => t.n));
  if (sup) notes.push(sup);

  const sorted = [...drawn].sort((a, b) => b.n - a.n);
  const shown = sorted.slice(0, 12);
  const description = L(
    lang,
    `桑基图：左侧期初等级，右侧期末等级，共画出${drawn.length}条流向${withheld.length ? `，另有${withheld.length}条因隐私保护未画出` : ''}。人数最多的流向：${shown.map((t) => `${label(t.from)}→${label(t.to)} ${count(t.n, lang)}户`).join('；')}${sorted.length > shown.length ? `；其余${sorted.length - shown.length}条见数据表` : ''}。`,
    `Sankey diagram: start tiers on the left, end tiers on the right; ${drawn.length} flows drawn${withheld.length ? `, ${withheld.length} withheld and not drawn` : ''}. Largest flows: ${shown.map((t) => `${label(t.from)} → ${label(t.to)} ${count(t.n, lang)}`).join('; ')}${sorted.length > shown.length ? `; ${sorted.length - shown.length} more in the data table` : ''}.`,
  );

  const rows: Cell[][] = relevant.map((t) => [
    textCell(label(t.from)),
    textCell(label(t.to)),
    textCell(directionLabel(dirOf(t.from, t.to), lang)),
    figCell(t.n, 'count', ctx),
  ]);

  const dirs: Direction[] = ['up', 'down', 'stay', 'new', 'lost'];
  const legend: LegendItem[] = [
    ...dirs.map((d) => ({ label: directionLabel(d, lang), fill: directionColor(d) })),
    ...(atBranch ? [{ label: L(lang, '转入 / 转出', 'Transferred in / out'), fill: FLOW_COLORS.transfer }] : []),
  ];

  const draw = (document: Document): Element => {
    const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
      const e = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const svg = el('svg', { class: PLOT_CLASS, viewBox: `0 0 ${FRAME.width} ${FRAME.height}`, width: FRAME.width, height: FRAME.height, fill: 'currentColor', 'font-size': FONT });
    svg.appendChild(legendGroup(document, legend, 4, LEGEND_Y, FONT));
    if (!graph) {
      svg.appendChild(el('text', { x: FRAME.width / 2, y: FRAME.height / 2, 'text-anchor': 'middle' }, L(lang, '没有可以画出的流向（均为零或未公布）', 'No flow to draw (all zero or withheld)')));
      return svg;
    }
    const path = sankeyLinkHorizontal<NodeDatum, LinkDatum>();
    const links = el('g', { 'aria-label': 'links', class: 'mig-links', fill: 'none' });
    // Stay bands first, so the moves are drawn over them.
    const order = (l: SLink) => (l.direction === 'stay' ? 0 : 1);
    for (const l of [...graph.links].sort((a, b) => order(a) - order(b) || (a.index ?? 0) - (b.index ?? 0))) {
      const p = el('path', {
        d: path(l) ?? '',
        stroke: directionColor(l.direction),
        'stroke-opacity': l.direction === 'stay' ? 0.3 : 0.7,
        'stroke-width': Math.max(MIN_LINK, l.width ?? 0).toFixed(2),
        'data-direction': l.direction,
      });
      p.appendChild(el('title', {}, l.title));
      links.appendChild(p);
    }
    svg.appendChild(links);
    const nodeG = el('g', { 'aria-label': 'nodes', class: 'mig-nodes' });
    const labelG = el('g', { 'aria-label': 'node labels', class: 'mig-node-labels' });
    for (const n of graph.nodes as SNode[]) {
      const [nx0, nx1, ny0, ny1] = [n.x0 ?? 0, n.x1 ?? 0, n.y0 ?? 0, n.y1 ?? 0];
      const h = Math.max(1, ny1 - ny0);
      const r = el('rect', { x: nx0, y: ((ny0 + ny1) / 2 - h / 2).toFixed(2), width: nx1 - nx0, height: h.toFixed(2), fill: n.color, stroke: 'currentColor', 'stroke-opacity': 0.4, 'data-node': n.id });
      r.appendChild(el('title', {}, n.label));
      nodeG.appendChild(r);
      const left = n.side === 'start';
      labelG.appendChild(
        el('text', { x: left ? nx0 - 6 : nx1 + 6, y: ((ny0 + ny1) / 2).toFixed(2), dy: '0.35em', 'text-anchor': left ? 'end' : 'start' }, n.label),
      );
    }
    svg.appendChild(nodeG);
    svg.appendChild(labelG);
    svg.appendChild(el('text', { x: x0, y: TOP - 18, 'font-weight': 'bold', 'font-size': 11, 'text-anchor': 'start', 'fill-opacity': 0.8 }, L(lang, '期初', 'Start')));
    svg.appendChild(el('text', { x: x1, y: TOP - 18, 'font-weight': 'bold', 'font-size': 11, 'text-anchor': 'end', 'fill-opacity': 0.8 }, L(lang, '期末', 'End')));
    return svg;
  };

  return {
    id,
    title,
    subtitle: L(lang, `人数 · ${scopeAndWhen(ctx, false)}`, `Customers · ${scopeAndWhen(ctx, false)}`),
    source: sourceLine(ctx),
    description,
    notes,
    table: {
      columns: [
        { label: L(lang, '从', 'From'), numeric: false },
        { label: L(lang, '到', 'To'), numeric: false },
        { label: L(lang, '方向', 'Direction'), numeric: false },
        { label: L(lang, '人数', 'Customers'), numeric: true },
      ],
      rows,
    },
    figure: { draw },
  };
}
