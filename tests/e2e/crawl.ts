// An HTTP crawl of the served site (fetch, no browser): every internal link and
// asset reference of every HTML page reached from the start pages, each fetched
// once without following redirects, so a link counts only if it answers 200.
export interface Fetched {
  url: string;
  status: number;
  /** Where a 3xx pointed. */
  location: string | null;
  contentType: string;
  /** The body, for HTML pages only. */
  html: string | null;
}

export interface Reference {
  /** The page the reference is on. */
  from: string;
  /** The attribute value as written. */
  raw: string;
  /** Absolute URL without the fragment. */
  url: string;
  fragment: string | null;
  /** `a` for <a href>, `asset` for <link href> and src attributes. */
  kind: 'a' | 'asset';
}

export interface Crawl {
  pages: Map<string, Fetched>;
  references: Reference[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ENTITIES[e] ?? _);

/** Every `<a href>`, `<link href>` and `src=` of an HTML document, in order. */
export function referencesIn(html: string): { raw: string; kind: 'a' | 'asset' }[] {
  const out: { raw: string; kind: 'a' | 'asset' }[] = [];
  // Comments, script bodies and inline SVG <a> aside, attribute values in Astro's output are always quoted.
  const tag = /<(a|link|script|img|source|iframe)\b([^>]*)>/gi;
  // Script bodies are code, not markup: a template string there is not a link.
  const markup = html.replace(/<!--[\s\S]*?-->/g, '').replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
  for (const m of markup.matchAll(tag)) {
    const name = m[1]!.toLowerCase();
    const attrs = m[2] ?? '';
    const attr = name === 'a' || name === 'link' ? 'href' : 'src';
    const v = new RegExp(`\\s${attr}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i').exec(attrs);
    if (!v) continue;
    out.push({ raw: unescape(v[1] ?? v[2] ?? v[3] ?? ''), kind: name === 'a' ? 'a' : 'asset' });
  }
  return out;
}

/** The ids (and legacy names) a fragment may point at. */
export function anchorsIn(html: string): Set<string> {
  const ids = new Set<string>();
  for (const m of html.matchAll(/\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) ids.add(unescape(m[1] ?? m[2] ?? ''));
  return ids;
}

async function get(url: string): Promise<Fetched> {
  try {
    const res = await fetch(url, { redirect: 'manual' });
    const contentType = res.headers.get('content-type') ?? '';
    const html = res.status === 200 && contentType.startsWith('text/html') ? await res.text() : null;
    if (html === null) await res.body?.cancel();
    return { url, status: res.status, location: res.headers.get('location'), contentType, html };
  } catch (e) {
    return { url, status: 0, location: null, contentType: `fetch failed: ${String(e)}`, html: null };
  }
}

/** Crawls from `starts` (absolute URLs), staying on their origin. */
export async function crawl(starts: string[], concurrency = 8): Promise<Crawl> {
  const origin = new URL(starts[0]!).origin;
  const pages = new Map<string, Fetched>();
  const references: Reference[] = [];
  const queue: string[] = [];
  const seen = new Set<string>();
  const enqueue = (url: string) => {
    if (!seen.has(url)) {
      seen.add(url);
      queue.push(url);
    }
  };
  starts.forEach(enqueue);

  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      const page = await get(url);
      pages.set(url, page);
      if (page.html === null) continue;
      for (const { raw, kind } of referencesIn(page.html)) {
        if (raw === '' || /^(mailto|tel|javascript|data):/i.test(raw)) continue;
        let target: URL;
        try {
          target = new URL(raw, url);
        } catch {
          references.push({ from: url, raw, url: raw, fragment: null, kind });
          continue;
        }
        if (target.origin !== origin) continue;
        const fragment = target.hash ? decodeURIComponent(target.hash.slice(1)) : null;
        target.hash = '';
        references.push({ from: url, raw, url: target.href, fragment, kind });
        enqueue(target.href);
      }
    }
  };
  // Workers stop when the queue is momentarily empty while others still parse, so
  // go round until nothing new turned up.
  while (queue.length) await Promise.all(Array.from({ length: concurrency }, worker));
  return { pages, references };
}

/** Every reference that does not resolve to a 200 (or to an existing anchor), one line each. */
export function brokenReferences({ pages, references }: Crawl, origin: string): string[] {
  const rel = (u: string) => (u.startsWith(origin) ? u.slice(origin.length) : u);
  const anchors = new Map<string, Set<string>>();
  const broken = new Map<string, Set<string>>();
  const add = (problem: string, from: string) => broken.set(problem, (broken.get(problem) ?? new Set()).add(rel(from)));
  for (const r of references) {
    const page = pages.get(r.url);
    if (!page) {
      add(`${r.raw} (not a URL)`, r.from);
      continue;
    }
    if (page.status !== 200) {
      const why = page.status === 0 ? page.contentType : `${page.status}${page.location ? ` → ${page.location}` : ''}`;
      add(`${rel(r.url)} (${why})`, r.from);
      continue;
    }
    if (r.fragment !== null && r.fragment !== '' && page.html !== null) {
      let ids = anchors.get(r.url);
      if (!ids) anchors.set(r.url, (ids = anchorsIn(page.html)));
      if (!ids.has(r.fragment)) add(`${rel(r.url)}#${r.fragment} (no such id)`, r.from);
    }
  }
  return [...broken].map(([problem, from]) => {
    const list = [...from];
    return `${problem} — linked from ${list.slice(0, 3).join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''}`;
  });
}
