// Property tests of the config loader: parseConfig on arbitrary values and on
// valid configs with one part replaced, loadConfig on arbitrary file contents.
// The only failure allowed is a ConfigError whose message names each bad field
// (`  tiers[1].lower: …`), or the file and what is wrong with its text.
import fc from 'fast-check';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ConfigSchema, DEFAULT_TIERS, parseConfig, type Config } from '../src/lib/config.ts';
import { loadConfig } from '../src/engine/configFile.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-fuzz-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A full, valid config touching every field. */
const VALID = {
  title: { zh: '报告', en: 'Report' },
  locale: 'en',
  tiers: DEFAULT_TIERS,
  midHighFrom: 'mid',
  columns: { 客户标识: 'customer_id', Balance: 'aum' },
  csv: { encoding: 'gb18030', delimiter: '|' },
  unit: '万元',
  branches: { B001: { zh: '城东支行', en: 'East' } },
  privacy: { minCell: 5, pPercent: 15 },
  maxRejectShare: 0.05,
  minIdMatchShare: 0.4,
  exports: { enabled: true, png: 'bank', deck: true, branchDecks: false, pdf: false, siteUrl: 'https://intranet.example/tierscope/' },
};

/** What a config error must look like: the source, then one `  field: message` line per problem. */
function checkError(e: unknown, source: string): void {
  if (!(e instanceof ConfigError)) throw e; // a crash: fail with its own stack
  const [first, ...issues] = e.message.split('\n');
  expect(first).toBe(`${source}: invalid config`);
  expect(issues.length).toBeGreaterThan(0);
  for (const line of issues) expect(line).toMatch(/^ {2}(\(root\)|[^\s:][^\n]*?): \S/);
}

/** What a config that parsed must satisfy. */
function checkConfig(c: Config): void {
  expect(ConfigSchema.parse(c)).toEqual(c); // parsing again changes nothing
  expect(c.tiers[0]!.lower === 0).toBe(true); // -0 (JSON.parse('-0')) is 0 to every comparison and to JSON.stringify
  for (let i = 1; i < c.tiers.length; i++) expect(c.tiers[i]!.lower).toBeGreaterThan(c.tiers[i - 1]!.lower);
  expect(c.tiers.some((t) => t.key === c.midHighFrom)).toBe(true);
  expect(Object.getPrototypeOf(c.columns)).toBe(Object.prototype);
  expect(Object.getPrototypeOf(c.branches)).toBe(Object.prototype);
}

function parseChecked(raw: unknown): void {
  let c: Config;
  try {
    c = parseConfig(raw, 'cfg.json');
  } catch (e) {
    checkError(e, 'cfg.json');
    return;
  }
  checkConfig(c);
}

type Path = (string | number)[];

/** Every path into a JSON value (objects and arrays), the root included. */
function pathsOf(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...at, k]));
  return out;
}

function setAt(v: unknown, path: Path, value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[head!] = setAt(copy[head!], rest, value);
  return copy;
}

const PATHS = pathsOf(VALID);
const json = fc.jsonValue({ maxDepth: 3 });
const tricky = fc.constantFrom<unknown>(
  null,
  0,
  -1,
  1e308,
  -0,
  '',
  ' ',
  '__proto__',
  'constructor',
  [],
  {},
  { __proto__: null },
  JSON.parse('{"__proto__": {"zh": "x", "en": "y"}}'),
  JSON.parse('{"__proto__": "aum"}'),
  JSON.parse('{"constructor": "aum", "toString": "branch"}'),
  { 'a\nb': 'nope', '': 'aum', 'x\u001b[31m': 1 },
  { '\n': { zh: '', en: '\r' } },
  'line\nbreak\u0000',
  [{ key: 'a', lower: 0, label: { zh: 'a', en: 'a' } }],
  [
    { key: 'a', lower: 0, label: { zh: 'a', en: 'a' } },
    { key: 'a', lower: 0, label: { zh: 'a', en: 'a' } },
  ],
  [{ key: 'x', lower: 0, label: { zh: 'x', en: 'x' } }, null],
  [{ key: 'x', lower: 5, label: { zh: 'x', en: 'x' }, subBands: [{ key: 'x', lower: 1, label: { zh: 'x', en: 'x' } }] }, 7],
);

describe('parseConfig', () => {
  it('parses the full valid config', () => {
    expect(parseConfig(VALID).csv.delimiter).toBe('|');
  });

  it('takes any JSON value or fails with a ConfigError naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.anything(), tricky), (raw) => parseChecked(raw)),
      { numRuns: 300 * RUNS },
    );
  });

  it('takes a valid config with one part replaced, or names that part', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.oneof(json, tricky), fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.oneof(json, tricky)), { maxLength: 2 }), (path, value, more) => {
        let raw = setAt(VALID, path, value);
        for (const [p, v] of more) raw = setAt(raw, p, v);
        parseChecked(raw);
      }),
      { numRuns: 500 * RUNS },
    );
  });
});

describe('labels', () => {
  it('refuse names of only spaces or invisible characters, naming the field', () => {
    for (const blank of [' ', '\t \n', '\u200b\u200d', '\u202e ', '\u3000'])
      expect(() => parseConfig({ branches: { B1: { zh: blank, en: 'East' } } })).toThrow('branches.B1.zh: needs a visible character');
    expect(() => parseConfig({ title: { zh: '报告', en: '\ufeff' } })).toThrow('title.en: needs a visible character');
    expect(parseConfig({ branches: { B1: { zh: ' 城东 ', en: 'E' } } }).branches.B1!.zh).toBe(' 城东 ');
  });
});

describe('loadConfig', () => {
  let n = 0;
  const load = async (text: string | Uint8Array) => {
    const file = join(dir, `c${++n}.json`);
    await writeFile(file, text);
    try {
      checkConfig((await loadConfig(file)).config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // Either the JSON is broken (named as such) or a field is (named by parseConfig).
      if (e.message.startsWith(`${file}: not valid JSON: `)) expect(e.message.split('\n')).toHaveLength(1);
      else checkError(e, file);
    } finally {
      await rm(file, { force: true });
    }
  };

  it('reads any text, valid JSON or not, without a crash', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(...PATHS).chain((p) => json.map((v) => JSON.stringify(setAt(VALID, p, v)))),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.constantFrom('\uFEFF{}', '\uFEFF\uFEFF{}', '[', '{"a":', '1e999', 'null', '"x"', '[' .repeat(10_000)),
    );
    await fc.assert(fc.asyncProperty(text, (t) => load(t)), { numRuns: 200 * RUNS });
  });

  it('names the file when it is missing', async () => {
    await expect(loadConfig(join(dir, 'nope.json'))).rejects.toThrow(new ConfigError(`${join(dir, 'nope.json')}: config file not found`));
  });
});

// ---------------------------------------------------------------------------

const CORPUS = join(import.meta.dirname, 'fixtures', 'fuzz-corpus');

describe('fuzz corpus (configs)', async () => {
  const names = (await readdir(CORPUS)).filter((n) => n.endsWith('.config.json')).sort();
  it('holds the configs that found bugs', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  for (const name of names)
    it(`replays ${name}`, async () => {
      const expected = JSON.parse(await readFile(join(CORPUS, name.replace(/\.config\.json$/, '.config-expect.json')), 'utf8')) as { error: string } | { ok: true };
      const file = join(CORPUS, name);
      const r = await loadConfig(file).then(
        (x) => x.config,
        (e: unknown) => e,
      );
      if ('ok' in expected) checkConfig(r as Config);
      else {
        expect(r).toBeInstanceOf(ConfigError);
        const message = (r as ConfigError).message;
        expect(message.startsWith(`${file}: `)).toBe(true);
        expect(message.slice(file.length + 2)).toMatch(new RegExp(expected.error));
      }
    });
});
