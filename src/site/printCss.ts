// The printed page's margin boxes: the report title and data-as-of line on every
// A4 page, with page numbers. The text comes from the data (the title is
// configurable), so every character outside a small safe set is written as a CSS
// escape: nothing can close the string or the <style> element.
const SAFE = /[A-Za-z0-9 \u4e00-\u9fff]/;

export function cssString(text: string): string {
  let out = '"';
  for (const ch of text) out += SAFE.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `;
  return `${out}"`;
}

/** `of` joins page and page count: " / " or " of ". */
export function printMarginCss(footer: string, of: string): string {
  return (
    `@page{@bottom-left{content:${cssString(footer)};font-size:8pt;color:#444}` +
    `@bottom-right{content:counter(page) ${cssString(of)} counter(pages);font-size:8pt;color:#444}}`
  );
}
