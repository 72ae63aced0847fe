// An HTTP crawl of the served site (node:http, no browser): every internal link and
// asset reference of every HTML page reached from the start pages, each requested
// once without following redirects, so a link counts only if it answers 200.
// Pages are fetched (GET) and parsed; a URL whose name has an extension other than
// .html/.htm (the tens of thousands of PNG, SVG and CSV downloads, stylesheets,
// scripts) is asked for its headers only (HEAD), and fetched after all if that says
// it is HTML (node:http on a keep-alive agent: 80,000 HEADs take half the time they
// take with fetch). At most `concurrency` requests are in flight, a body is read or
// dropped with its connection, and the crawl returns only once nothing it started is
// running and its sockets are closed.
import { Agent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface Fetched {
  url: string;
  /** HEAD for a download or asset, GET for a page (and for anything a HEAD showed to be HTML). */
  method: 'GET' | 'HEAD';
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

/**
 * One request on the crawl's own keep-alive agent. An HTML page answering 200 to a
 * GET is read; any other body is not: a HEAD has none, and a GET's is dropped with
 * its connection, so neither end keeps it (or a file) open.
 */
function request(url: string, method: 'GET' | 'HEAD', agent: Agent): Promise<Fetched> {
  return new Promise((resolve) => {
    const failed = (e: unknown) =>
      resolve({ url, method, status: 0, location: null, contentType: `request failed: ${e instanceof Error ? e.message : String(e)}`, html: null });
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method, agent }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = res.headers['content-type'] ?? '';
      const done = (html: string | null) => resolve({ url, method, status, location: res.headers.location ?? null, contentType, html });
      res.on('error', failed);
      res.on('close', () => {
        if (!res.complete) failed(new Error('connection closed before the end of the response'));
      });
      if (method === 'HEAD') {
        res.on('end', () => done(null));
        res.resume();
      } else if (status === 200 && contentType.startsWith('text/html')) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(new TextDecoder().decode(Buffer.concat(chunks))));
      } else {
        done(null);
        req.destroy();
      }
    });
    req.on('error', failed);
    req.end();
  });
}

/** A name with an extension other than .html/.htm: a download or an asset, not a page to parse. */
export function looksLikeFile(url: string): boolean {
  const name = new URL(url).pathname.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot > 0 && !/^\.html?$/i.test(name.slice(dot));
}

/** A malformed escape stays as written (and then matches no id) rather than stopping the crawl. */
function decodeFragment(f: string): string {
  try {
    return decodeURIComponent(f);
  } catch {
    return f;
  }
}

async function get(url: string, agent: Agent): Promise<Fetched> {
  if (looksLikeFile(url)) {
    const head = await request(url, 'HEAD', agent);
    // A server that does not do HEAD (405, 501) gets the GET; so does a file that turns out to be a page.
    const refused = head.status === 405 || head.status === 501;
    if (!refused && !(head.status === 200 && head.contentType.startsWith('text/html'))) return head;
  }
  return request(url, 'GET', agent);
}

/** Crawls from `starts` (absolute URLs), staying on their origin, with at most `concurrency` requests at a time. */
export async function crawl(starts: string[], concurrency = 8): Promise<Crawl> {
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency ${concurrency}: want a whole number ≥ 1`);
  const origin = new URL(starts[0]!).origin;
  const pages = new Map<string, Fetched>();
  const references: Reference[] = [];
  const queue: string[] = [];
  let next = 0;
  const seen = new Set<string>();
  const enqueue = (url: string) => {
    if (!seen.has(url)) {
      seen.add(url);
      queue.push(url);
    }
  };
  starts.forEach(enqueue);

  const visit = async (url: string) => {
    const page = await get(url, agent);
    pages.set(url, page);
    if (page.html === null) return;
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
      const fragment = target.hash ? decodeFragment(target.hash.slice(1)) : null;
      target.hash = '';
      references.push({ from: url, raw, url: target.href, fragment, kind });
      enqueue(target.href);
    }
  };

  // A pool: a new request starts as soon as one finishes, never more than `concurrency`
  // at once. After a failure nothing new starts, and the error is thrown only once
  // every request already in flight has settled.
  // Its sockets are the crawl's own, closed when it ends.
  const agent = new (origin.startsWith('https:') ? HttpsAgent : Agent)({ keepAlive: true, maxSockets: concurrency });
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  try {
    for (;;) {
      while (failure === null && next < queue.length && running.size < concurrency) {
        const task: Promise<void> = visit(queue[next++]!)
          .catch((error: unknown) => void (failure ??= { error }))
          .finally(() => running.delete(task));
        running.add(task);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
  } finally {
    agent.destroy();
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
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
