// Static checks that a built page is self-contained and carries the site's
// Content-Security-Policy: one policy <meta>, no inline script whose hash the
// policy does not list, no 'unsafe-inline'/'unsafe-eval' for scripts, no source
// other than the site's own origin, and no element that loads anything from
// another origin. The browser suite checks the same from the network side.
import { createHash } from 'node:crypto';
import { xmlUnescape } from '../helpers/xml.ts';

/** The policy of each CSP <meta> of a page, decoded. */
export function policiesOf(html: string): string[] {
  return [...html.matchAll(/<meta\b[^>]*http-equiv=["']?content-security-policy["']?[^>]*>/gi)].map((m) => xmlUnescape(/\scontent=(?:"([^"]*)"|'([^']*)')/i.exec(m[0])?.slice(1).find((x) => x !== undefined) ?? ''));
}

/** Sources a directive allows that are not this origin's own: anything but 'self', 'none', data:, hashes. */
const foreign = (sources: string[]) => sources.filter((s) => !/^('self'|'none'|data:|'sha(256|384|512)-[A-Za-z0-9+/=]+')$/.test(s));

const EXECUTABLE = /^(|text\/javascript|module|application\/javascript)$/i;
/** Loading elements: tag → attribute holding a URL it fetches. */
const LOADERS: [RegExp, string][] = [
  [/<script\b[^>]*>/gi, 'src'],
  [/<link\b[^>]*>/gi, 'href'],
  [/<img\b[^>]*>/gi, 'src'],
  [/<(iframe|frame|embed|source|video|audio|track|input)\b[^>]*>/gi, 'src'],
  [/<object\b[^>]*>/gi, 'data'],
  [/<image\b[^>]*>/gi, 'href'],
];

export function selfContainedProblems(html: string, where: string): string[] {
  const problems: string[] = [];
  const policies = policiesOf(html);
  if (policies.length !== 1) problems.push(`${where}: ${policies.length} Content-Security-Policy <meta> elements, want 1`);
  const directives = new Map<string, string[]>();
  for (const d of (policies[0] ?? '').split(';')) {
    const [name, ...sources] = d.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  const script = directives.get('script-src') ?? directives.get('default-src');
  if (!script) problems.push(`${where}: the policy sets neither script-src nor default-src`);
  else {
    if (script.some((s) => /^'unsafe-(inline|eval|hashes)'$|^'strict-dynamic'$/.test(s))) problems.push(`${where}: script-src allows ${script.join(' ')}`);
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter(
      ([, attrs]) => !/\ssrc=/i.test(attrs!) && EXECUTABLE.test(/\stype=["']?([^"'\s>]*)/i.exec(attrs!)?.[1] ?? ''),
    );
    for (const [, , body] of inline) {
      const hash = `'sha256-${createHash('sha256').update(body!, 'utf8').digest('base64')}'`;
      if (!script.includes(hash)) problems.push(`${where}: inline script not allowed by a hash (${hash}): ${body!.trim().slice(0, 60)}`);
    }
  }
  for (const [name, sources] of directives) {
    // Inline styles are allowed (Plot writes them); the script keywords were reported above.
    const bad = foreign(sources.filter((s) => !(name === 'style-src' && s === "'unsafe-inline'") && !(name === 'script-src' && /^'(unsafe-|strict-)/.test(s))));
    if (bad.length) problems.push(`${where}: ${name} allows ${bad.join(' ')}`);
  }
  if (!directives.has('default-src')) problems.push(`${where}: no default-src`);
  for (const [re, attr] of LOADERS) {
    for (const [tag] of html.matchAll(re)) {
      const value = new RegExp(`\\s(?:xlink:)?${attr}=(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
      const url = xmlUnescape(value?.slice(1).find((x) => x !== undefined) ?? '');
      // rel="alternate"/"canonical" are links, not loads; they stay on the site anyway (checked by the crawler).
      if (/^<link\b/i.test(tag) && /\srel=["']?(alternate|canonical)\b/i.test(tag)) continue;
      if (/^(https?:)?\/\//i.test(url)) problems.push(`${where}: ${tag.slice(0, 80)} loads from another origin`);
    }
  }
  for (const m of html.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^)"']+)/gi)) problems.push(`${where}: CSS url(${m[1]}) loads from another origin`);
  for (const m of html.matchAll(/@import\s+(?:url\()?\s*["']?((?:https?:)?\/\/[^)"';]+)/gi)) problems.push(`${where}: CSS @import ${m[1]} from another origin`);
  return problems;
}
