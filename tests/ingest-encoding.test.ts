// Encoding checks and the hashing/transcoding pass.
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInvalidGb18030, firstInvalidUtf8, prepareCsv, sha256File } from '../src/engine/encoding.ts';
import type { SnapshotFile } from '../src/engine/discover.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('firstInvalidUtf8', () => {
  it('agrees with Buffer isUtf8 and points at the bad sequence', () => {
    expect(firstInvalidUtf8(Buffer.from('a,é,中,😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xff]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe4, 0xb8]))).toBe(1); // truncated
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).toBe(0); // overlong
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogate
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
        const at = firstInvalidUtf8(b);
        expect(at === -1).toBe(isUtf8(b));
        if (at > 0) expect(isUtf8(b.subarray(0, at))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('firstInvalidGb18030', () => {
  const decodes = (b: Uint8Array) => {
    try {
      new TextDecoder('gb18030', { fatal: true }).decode(b);
      return true;
    } catch {
      return false;
    }
  };
  it('agrees with TextDecoder and points at the bad sequence', () => {
    expect(firstInvalidGb18030(iconv.encode('客户号,网点,€', 'gb18030'))).toBe(-1);
    expect(firstInvalidGb18030(Buffer.from([0x41, 0xff]))).toBe(1);
    expect(firstInvalidGb18030(Buffer.from([0x41, 0x81, 0x20]))).toBe(1);
    expect(firstInvalidGb18030(Buffer.from([0x84, 0x31, 0xa5, 0x30]))).toBe(0); // four-byte code beyond the table
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x81, max: 0xfe }), fc.integer({ min: 0x30, max: 0x39 }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 10 }), (xs) => {
        const b = Uint8Array.from(xs);
        const at = firstInvalidGb18030(b);
        expect(at === -1).toBe(decodes(b));
        if (at > 0) expect(decodes(b.subarray(0, at))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('prepareCsv', () => {
  let dir: string;
  let tmp: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierscope-enc-'));
    tmp = join(dir, 'tmp');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, bytes: Uint8Array): Promise<SnapshotFile> => {
    await writeFile(join(dir, name), bytes);
    return { path: join(dir, name), name, format: name.endsWith('.gz') ? 'csv.gz' : 'csv', dateFromName: null };
  };

  it('hashes a UTF-8 file (with BOM) in place, without a copy', async () => {
    const bytes = Buffer.from('\ufeffcustomer_id,branch\r\nC1,支行\r\n');
    const f = await file('bom.csv', bytes);
    let seen = 0;
    const r = await prepareCsv(f, 'auto', { tmpDir: tmp, onBytes: (n) => (seen = n) });
    expect(r).toEqual({ sha256: sha(bytes), encoding: 'utf-8', utf8Path: f.path, isCopy: false });
    expect(seen).toBe(bytes.length);
    expect(await sha256File(f.path)).toBe(sha(bytes));
  });

  it('detects GB18030 and writes a UTF-8 copy, also when the first non-ASCII byte comes late', async () => {
    const text = 'customer_id,branch\n' + 'C0,B0\n'.repeat(200_000) + 'C1,城东支行\n';
    const bytes = iconv.encode(text, 'gb18030');
    const f = await file('late.csv', bytes);
    const r = await prepareCsv(f, 'auto', { tmpDir: tmp });
    expect(r.encoding).toBe('gb18030');
    expect(r.sha256).toBe(sha(bytes));
    expect(r.isCopy).toBe(true);
    expect(await readFile(r.utf8Path, 'utf8')).toBe(text);
    await rm(r.utf8Path);
    const forced = await prepareCsv(f, 'gb18030', { tmpDir: tmp });
    expect(await readFile(forced.utf8Path, 'utf8')).toBe(text);
    await rm(forced.utf8Path);
  });

  it('transcodes a large GB18030 file on worker threads, in order, and still names the first bad byte', async () => {
    const line = (i: number) => `C${i},城东支行${i % 10},${i}.5,1\n`;
    const lines = Array.from({ length: 700_000 }, (_, i) => line(i));
    const text = '客户号,网点,金融资产,存款余额\n' + lines.join('');
    const bytes = iconv.encode(text, 'gb18030');
    expect(bytes.length).toBeGreaterThan(16 << 20);
    const f = await file('big_gb.csv', bytes);
    const r = await prepareCsv(f, 'auto', { tmpDir: tmp });
    expect(r.encoding).toBe('gb18030');
    expect(await readFile(r.utf8Path, 'utf8')).toBe(text);
    await rm(r.utf8Path);
    // Two bad bytes in different pieces: the earlier one is named.
    const bad = Buffer.from(bytes);
    const first = bad.indexOf(iconv.encode(line(500_000), 'gb18030'));
    const second = bad.indexOf(iconv.encode(line(650_000), 'gb18030'));
    bad[first] = 0xff;
    bad[second] = 0xff;
    const g = await file('big_bad_gb.csv', bad);
    await expect(prepareCsv(g, 'gb18030', { tmpDir: tmp })).rejects.toThrow(`${g.path}:500002: not valid GB18030`);
    await expect(prepareCsv(g, 'gb18030', { tmpDir: tmp })).rejects.toThrow(`at byte offset ${first}`);
  });

  it('names the offset and line of the first bad byte, and leaves no copy behind', async () => {
    // Line 3 holds 0x81 0x20: a GB18030 lead byte followed by a space.
    const bytes = Buffer.concat([iconv.encode('客户号,网点\nC1,东\nC2,', 'gb18030'), Buffer.from([0x81, 0x20]), Buffer.from('x\n')]);
    const offset = bytes.indexOf(0x81, 20);
    const f = await file('bad_gb.csv', bytes);
    await expect(prepareCsv(f, 'gb18030', { tmpDir: tmp })).rejects.toThrow(
      `${f.path}:3: not valid GB18030 (set csv.encoding to "utf-8" or "auto" if the file is UTF-8): bad byte sequence 0x81 0x20 0x78 0x0A at byte offset ${offset}`,
    );
    await expect(prepareCsv(f, 'auto', { tmpDir: tmp })).rejects.toThrow(`${f.path}:3: not valid UTF-8 nor GB18030: bad byte sequence 0x81 0x20`);
    const u = await file('bad_utf8.csv', Buffer.concat([Buffer.from('a,b\r\nc,d\r\ne,'), Buffer.from([0xe4, 0xb8]), Buffer.from(',f\r\n')]));
    await expect(prepareCsv(u, 'utf-8', { tmpDir: tmp })).rejects.toThrow(
      `${u.path}:3: not valid UTF-8 (set csv.encoding to "gb18030" or "auto" if the file is GBK/GB18030): bad byte sequence 0xE4 0xB8 0x2C 0x66 at byte offset 12`,
    );
    expect(await readdir(tmp).catch(() => [])).toEqual([]);
  });

  it('hashes .csv.gz as stored, checks it inflated, and transcodes GB18030 to a plain copy', async () => {
    const text = 'customer_id,branch\nC1,B1\n';
    const gz = gzipSync(Buffer.from(text));
    const f = await file('s.csv.gz', gz);
    expect(await prepareCsv(f, 'auto', { tmpDir: tmp })).toEqual({ sha256: sha(gz), encoding: 'utf-8', utf8Path: f.path, isCopy: false });
    const gb = gzipSync(iconv.encode('客户号,网点\nC1,东\n', 'gb18030'));
    const g = await file('gb.csv.gz', gb);
    const r = await prepareCsv(g, 'auto', { tmpDir: tmp });
    expect(r).toMatchObject({ sha256: sha(gb), encoding: 'gb18030', isCopy: true });
    expect(await readFile(r.utf8Path, 'utf8')).toBe('客户号,网点\nC1,东\n');
    await rm(r.utf8Path);
    const bad = await file('bad.csv.gz', gzipSync(Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a])));
    await expect(prepareCsv(bad, 'utf-8', { tmpDir: tmp })).rejects.toThrow(`${bad.path}:2: not valid UTF-8 (set csv.encoding to "gb18030" or "auto" if the file is GBK/GB18030): bad byte sequence 0xFF 0x0A at byte offset 3 of the decompressed data`);
    const broken = await file('broken.csv.gz', gz.subarray(0, 12));
    await expect(prepareCsv(broken, 'auto', { tmpDir: tmp })).rejects.toThrow(/broken\.csv\.gz: (not a valid gzip file|cannot read the file)/);
  });
});
