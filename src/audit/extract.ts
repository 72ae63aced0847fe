// The text a published file carries, by kind, as byte buffers for the scanners:
// text formats as they are; PNG only its tEXt/zTXt/iTXt chunks (image data is
// skipped by seeking past it, never read); PPTX every XML part, embedded
// workbooks and pictures' text chunks; PDF the text pdftotext extracts plus the
// raw file (its info dictionary and any uncompressed stream).
import { spawn } from 'node:child_process';
import { open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { csvParseRows } from 'd3';
import JSZip from 'jszip';

export interface Part {
  /** Where in the file: "" for the file itself, else a zip entry or PNG chunk. */
  part: string;
  bytes: Buffer;
}

const TEXT_EXT = new Set(['.html', '.htm', '.svg', '.json', '.csv', '.css', '.js', '.mjs', '.txt', '.xml', '.md', '.webmanifest', '.map']);
export const SCANNED_EXT = new Set([...TEXT_EXT, '.png', '.pptx', '.xlsx', '.pdf']);

export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  await walk(root);
  return out.sort();
}

/** The fields of a CSV export (RFC 4180, with the BOM the exports start with). */
export const csvRows = (text: string): string[][] => csvParseRows(text.replace(/^\uFEFF/, ''));

/** Text chunks of a PNG held in memory (pictures inside a PPTX). */
export function pngTextChunks(buf: Buffer): Part[] {
  const out: Part[] = [];
  let pos = 8;
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    const text = chunkText(type, data);
    if (text) out.push({ part: `${type}@${pos}`, bytes: text });
    if (type === 'IEND') break;
    pos += 12 + len;
  }
  return out;
}

/** Text chunks of a PNG file, reading chunk headers only and seeking past everything else. */
export async function pngFileTextChunks(file: string): Promise<Part[]> {
  const fh = await open(file, 'r');
  try {
    const out: Part[] = [];
    const head = Buffer.alloc(8);
    const { size } = await fh.stat();
    let pos = 8;
    while (pos + 8 <= size) {
      await fh.read(head, 0, 8, pos);
      const len = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
        const data = Buffer.alloc(len);
        await fh.read(data, 0, len, pos + 8);
        const text = chunkText(type, data);
        if (text) out.push({ part: `${type}@${pos}`, bytes: text });
      }
      if (type === 'IEND') break;
      pos += 12 + len;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** keyword\0text (tEXt), keyword\0method compressed (zTXt), keyword\0flag method lang\0 key\0 text (iTXt). */
function chunkText(type: string, data: Buffer): Buffer | null {
  if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') return null;
  const nul = data.indexOf(0);
  if (nul < 0) return data;
  const keyword = data.subarray(0, nul);
  const join = (b: Buffer) => Buffer.concat([keyword, Buffer.from([0x0a]), b]);
  try {
    if (type === 'tEXt') return data;
    if (type === 'zTXt') return join(inflateSync(data.subarray(nul + 2)));
    const compressed = data[nul + 1] === 1;
    const lang = data.indexOf(0, nul + 3);
    const key = data.indexOf(0, lang + 1);
    const text = data.subarray(key + 1);
    return join(Buffer.concat([data.subarray(nul + 3, key), Buffer.from([0x0a]), compressed ? inflateSync(text) : text]));
  } catch {
    // A corrupt compressed chunk: scan its raw bytes rather than nothing.
    return data;
  }
}

/** Every text part of an Office zip (PPTX, XLSX), recursing into embedded zips and pictures. */
export async function zipParts(buf: Buffer, prefix = ''): Promise<Part[]> {
  const zip = await JSZip.loadAsync(buf);
  const out: Part[] = [];
  for (const name of Object.keys(zip.files).sort()) {
    const entry = zip.files[name]!;
    if (entry.dir) continue;
    const bytes = Buffer.from(await entry.async('uint8array'));
    const where = `${prefix}${name}`;
    const lower = name.toLowerCase();
    if (lower.endsWith('.xlsx') || lower.endsWith('.pptx') || lower.endsWith('.docx')) out.push(...(await zipParts(bytes, `${where}!`)));
    else if (lower.endsWith('.png')) out.push(...pngTextChunks(bytes).map((p) => ({ part: `${where}#${p.part}`, bytes: p.bytes })));
    // XML, rels and anything else: scanned as bytes (binary parts only risk nothing).
    else out.push({ part: where, bytes });
  }
  return out;
}

function pdftotext(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('pdftotext', ['-enc', 'UTF-8', file, '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => reject(new Error(`pdftotext failed (apt-get install poppler-utils): ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`pdftotext ${file}: exit ${code} ${err.trim()}`))));
  });
}

/** The scannable parts of one file; null for kinds the audit does not read (fonts, icons…). */
export async function extract(file: string): Promise<Part[] | null> {
  const ext = path.extname(file).toLowerCase();
  if (TEXT_EXT.has(ext)) return [{ part: '', bytes: await readFile(file) }];
  if (ext === '.png') return pngFileTextChunks(file);
  if (ext === '.pptx' || ext === '.xlsx') return zipParts(await readFile(file));
  if (ext === '.pdf') return [{ part: 'text', bytes: await pdftotext(file) }, { part: 'raw', bytes: await readFile(file) }];
  return null;
}
