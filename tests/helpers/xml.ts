// Strict XML checks for tests: well-formedness by libxml2's xmllint (Debian:
// apt-get install libxml2-utils), and the text of elements read back with the
// five predefined entities and character references decoded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function xmllintAvailable(): boolean {
  return spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;
}

export const XMLLINT_MISSING = 'xmllint is not installed: apt-get install libxml2-utils';

/**
 * The documents that are not well-formed XML, with xmllint's first message for each
 * (empty when all are). Documents are checked in batches of files.
 */
export function notWellFormed(docs: { name: string; xml: string | Buffer }[]): { name: string; error: string }[] {
  if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-xml-'));
  const bad: { name: string; error: string }[] = [];
  try {
    const files = docs.map((d, i) => {
      const f = path.join(dir, `${i}.xml`);
      writeFileSync(f, d.xml);
      return f;
    });
    for (let at = 0; at < files.length; at += 400) {
      const batch = files.slice(at, at + 400);
      const r = spawnSync('xmllint', ['--noout', '--nonet', ...batch], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status === 0) continue;
      for (const [k, f] of batch.entries()) {
        const first = r.stderr.split('\n').find((l) => l.startsWith(`${f}:`));
        if (first) bad.push({ name: docs[at + k]!.name, error: first.slice(f.length + 1) });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return bad;
}

/** Character data of XML back to text: the five predefined entities and numeric references. */
export function xmlUnescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
}

/** The decoded text content of every element `tag` (no nested markup expected inside, e.g. <text>, <a:t>, <c:v>). */
export function elementTexts(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s[^>]*)?>([^<]*)</${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>`, 'g');
  return [...xml.matchAll(re)].map((m) => xmlUnescape(m[1] ?? ''));
}

/** Fails a suite's setup with the install hint when xmllint is missing. */
export function xmllintOrThrow(): void {
  if (!xmllintAvailable()) throw new Error(XMLLINT_MISSING);
}
