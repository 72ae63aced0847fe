// `npm run licences`: the runtime dependencies (what `npm install --omit=dev`
// installs) with their licences, read from each installed package.json. Prints
// the direct dependencies as the README's Markdown table and the whole closure by
// licence; exits 1 when a package's licence is missing or not on the list a bank's
// legal review has to see first (ALLOWED below), naming it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Permissive licences, plus the weak copyleft ones the build uses unmodified (sharp's libvips binary is LGPL-3.0). */
export const ALLOWED = new Set([
  'MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD', 'BlueOak-1.0.0', 'CC0-1.0', 'Unlicense', 'Python-2.0',
  'MPL-2.0', 'LGPL-3.0-or-later', '(MIT OR GPL-3.0-or-later)', '(MIT AND Zlib)',
]);

export interface Installed {
  name: string;
  version: string;
  license: string;
  description: string;
}

export function licenceOf(pkg: { license?: unknown; licenses?: unknown }): string {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license === 'object' && 'type' in pkg.license) return String((pkg.license as { type: unknown }).type);
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l: { type?: string }) => l.type ?? '?').join(' OR ');
  return 'UNKNOWN';
}

function read(dir: string): Installed {
  const p = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return { name: p.name, version: p.version, license: licenceOf(p), description: String(p.description ?? '') };
}

/** Every installed runtime package (the direct ones first, in package.json order). */
export function runtimePackages(root = process.cwd()): { direct: Installed[]; all: Installed[] } {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const direct = Object.keys(manifest.dependencies ?? {}).map((n) => read(path.join(root, 'node_modules', n)));
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const dirs = (r.stdout ?? '').split('\n').filter(Boolean).slice(1);
  if (dirs.length === 0) throw new Error(`npm ls --omit=dev listed nothing: ${r.stderr}`);
  const seen = new Map<string, Installed>();
  for (const d of dirs) {
    const p = read(d);
    seen.set(`${p.name}@${p.version}`, p);
  }
  return { direct, all: [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version)) };
}

export function markdownTable(direct: Installed[]): string {
  return ['| package | version | licence |', '|---|---|---|', ...direct.map((p) => `| ${p.name} | ${p.version} | ${p.license} |`)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { direct, all } = runtimePackages();
  process.stdout.write(`${markdownTable(direct)}\n\n`);
  const by = new Map<string, number>();
  for (const p of all) by.set(p.license, (by.get(p.license) ?? 0) + 1);
  process.stdout.write(`${all.length} runtime packages in all: ${[...by].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ')}\n`);
  const bad = all.filter((p) => !ALLOWED.has(p.license));
  if (bad.length) {
    process.stderr.write(`licences: not on the reviewed list:\n  ${bad.map((p) => `${p.name}@${p.version}: ${p.license}`).join('\n  ')}\n`);
    process.exit(1);
  }
}
