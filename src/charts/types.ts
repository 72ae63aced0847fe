// What every chart module returns: a pure description of one chart, from which
// the page (inline SVG + data table) and later exports (SVG/PNG/CSV) are made.
import type { PlotOptions } from '@observablehq/plot';
import type { Meta, Period } from '../schema/output.ts';
import type { Lang } from '../lib/format.ts';

export type SuppressedReason = 'frequency' | 'dominance' | 'secondary';

/** One cell of the data behind a chart: the text shown, and the value a CSV gets. */
export interface Cell {
  text: string;
  /** The number (full precision; amounts in fen) or label; null when withheld or undefined. */
  value: number | string | null;
  suppressed?: SuppressedReason;
}

export interface DataTable {
  columns: { label: string; numeric: boolean }[];
  rows: Cell[][];
}

export interface ChartSpec {
  /** Stable id, unique on a page and usable in a file name: "pyramid-aum". */
  id: string;
  /** States the finding, not just the topic. */
  title: string;
  /** Unit, period and scope. */
  subtitle: string;
  /** "Source: Tierscope · data as of …" */
  source: string;
  /** What the chart shows, for readers who cannot see it. */
  description: string;
  /** Explanations shown under the chart: what is withheld and why, how rates are counted. */
  notes: string[];
  table: DataTable;
  /** Plot options (rendered with a server-side document), or a drawing for marks Plot lacks. */
  figure: { plot: PlotOptions } | { draw: (document: Document) => Element };
}

/** Where a chart sits: language, scope, period and the data date it is as of. */
export interface ChartContext {
  lang: Lang;
  meta: Meta;
  /** null = the whole bank. */
  branch: string | null;
  period: Period | null;
  /** The snapshot the figures are as of. */
  asOf: string;
}
