// Finds and loads the config (docs/data-contract.md: tierscope.config.json or .ts at the data folder's root).
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, parseConfig, type Config } from '../lib/config.ts';

export const CONFIG_NAMES = ['tierscope.config.json', 'tierscope.config.ts'] as const;

const exists = (p: string) => stat(p).then((s) => s.isFile(), () => false);

/** The config file of a data folder, or null when it has none (every field then takes its default). */
export async function findConfig(dataDir: string): Promise<string | null> {
  for (const name of CONFIG_NAMES) {
    const p = path.join(dataDir, name);
    if (await exists(p)) return p;
  }
  return null;
}

export async function loadConfig(file: string | null): Promise<{ config: Config; source: string | null }> {
  if (!file) return { config: parseConfig({}), source: null };
  if (!(await exists(file))) throw new ConfigError(`${file}: config file not found`);
  let raw: unknown;
  if (file.endsWith('.ts') || file.endsWith('.js') || file.endsWith('.mjs')) {
    try {
      const mod = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
      raw = mod.default;
    } catch (e) {
      throw new ConfigError(`${file}: cannot load config module: ${(e as Error).message}`);
    }
  } else {
    const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file}: not valid JSON: ${oneLine((e as Error).message)}`);
    }
  }
  return { config: parseConfig(raw, file), source: file };
}

/**
 * JSON.parse quotes the text around the error as it stands; control characters
 * in it (a line break, NUL, a terminal escape) would break the one-line message
 * or the terminal, so they are shown escaped.
 */
function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Hash of the effective config (defaults filled in), so an unchanged meaning gives an unchanged hash. */
export function configHash(config: Config): string {
  const { exports: _presentation, ...data } = config;
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}
