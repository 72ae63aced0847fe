// Normalises rendered SVG for snapshot tests, as Observable Plot's own suite does:
// numbers rounded to 3 decimals, generated ids and class hashes renumbered, one
// element per line so a diff shows what moved.
export function normaliseSvg(svg: string): string {
  const ids = new Map<string, string>();
  const rename = (id: string) => {
    if (!ids.has(id)) ids.set(id, `id-${ids.size}`);
    return ids.get(id)!;
  };
  return svg
    .replace(/\d+\.\d+/g, (m) => String(Math.round(Number(m) * 1000) / 1000))
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${rename(id)})`)
    .replace(/plot-[0-9a-f]{6}/g, 'plot-class')
    .replace(/></g, '>\n<');
}

/** Attribute values of every element matching a tag and predicate, in document order. */
export function attrs(svg: string, tag: string, name: string): string[] {
  const re = new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`, 'g');
  return [...svg.matchAll(re)].map((m) => m[1]!);
}
