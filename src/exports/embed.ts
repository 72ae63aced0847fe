// The embed page of one chart: no navigation or page chrome, the chart sized to
// whatever frame holds it (an intranet <iframe>, a slide tool's web object), the
// title, subtitle and source kept so a pasted chart still says what and when, and
// the system colour scheme followed through the stylesheet.
import type { ChartSpec } from '../charts/types.ts';
import type { Lang } from '../lib/format.ts';
import { L } from '../charts/common.ts';
import { CONTENT_SECURITY_POLICY } from '../site/csp.ts';

export const EMBED_CSS = '/embed.css';

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

export interface EmbedPage {
  spec: ChartSpec;
  /** The chart as page SVG (renderSvg). */
  svg: string;
  lang: Lang;
  /** The report page the chart sits on, with its fragment. */
  pageHref: string;
}

export function embedHtml({ spec, svg, lang, pageHref }: EmbedPage): string {
  const e = htmlEscape;
  return [
    '<!doctype html>',
    `<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="robots" content="noindex">',
    `<title>${e(spec.title)}</title>`,
    `<link rel="stylesheet" href="${EMBED_CSS}">`,
    `<link rel="canonical" href="${e(pageHref)}">`,
    '</head>',
    '<body>',
    `<figure class="embed" aria-labelledby="embed-title">`,
    `<figcaption><p class="title" id="embed-title">${e(spec.title)}</p><p class="subtitle">${e(spec.subtitle)}</p></figcaption>`,
    `<div class="chart-svg">${svg}</div>`,
    `<p class="source">${e(spec.source)} · <a href="${e(pageHref)}" target="_top">${e(L(lang, '查看完整报告', 'Open in the report'))}</a></p>`,
    '</figure>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
