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
  /** What a number is, so an export can write it in plain units: amounts are in fen, percents are ratios. */
  kind?: 'count' | 'amount' | 'percent' | 'points' | 'multiple' | 'decimal';
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
  /** The same data as an editable office chart, where the chart maps onto one; absent = exported as a picture. */
  native?: NativeChart;
}

/**
 * How a native chart's numbers are stored and read: shares as fractions shown as
 * %, counts as whole customers, amounts in 元 (the axis title names the unit),
 * plain decimals (indices such as Gini) with three places.
 */
export type NativeValueFormat = 'percent' | 'count' | 'amount' | 'decimal';

export interface NativeSeries {
  name: string;
  /** One value per category (per x for scatter). null is a blank — withheld, undefined or not drawn — never 0. */
  values: (number | null)[];
  /** '#rrggbb', as on the page. */
  color: string;
  /** Read against the secondary value axis (a second unit beside the first). */
  secondary?: boolean;
}

/**
 * A chart as an office suite can draw it natively, library-neutral: the deck
 * turns it into a PowerPoint chart whose data the reader can edit.
 */
export interface NativeChart {
  kind: 'bar' | 'barStacked' | 'barStacked100' | 'line' | 'scatter' | 'doughnut';
  /** Bars only; default 'vertical' (columns). */
  direction?: 'horizontal' | 'vertical';
  /** Category labels in reading order: left to right, or top to bottom for horizontal bars. Empty for scatter. */
  categories: string[];
  /** Scatter only: the x of every point, shared by all series (a series is null where it has no point); x is read in valueFormat too. */
  x?: number[];
  series: NativeSeries[];
  valueFormat: NativeValueFormat;
  /** Value axis title, with the unit. */
  valueTitle?: string;
  /** Category (scatter: x) axis title. */
  categoryTitle?: string;
  /** The value axis range where the page chart fixes one; omitted = automatic. */
  range?: [number, number];
  /** Format and title of the secondary value axis, when a series uses it. */
  secondary?: { format: NativeValueFormat; title: string };
  /** Some blanks are withheld figures (not only undefined ones): the slide must say so. */
  withheld: boolean;
  /** How a line meets a blank: 'gap' breaks it (the default); 'span' joins the neighbours, for points that were simply never published. */
  blanks?: 'gap' | 'span';
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
