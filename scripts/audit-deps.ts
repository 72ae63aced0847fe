// `npm run audit:deps`: `npm audit --omit=dev` with a verdict CI can act on. Exit 1
// when a runtime dependency has a high or critical advisory; exit 0 with a loud
// warning when the registry offers no audit endpoint (some mirrors answer 405), so
// an offline machine can still build, unless --strict, when that is a failure too.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';
export type Verdict =
  | { kind: 'checked'; counts: Record<Severity, number>; blocking: string[] }
  | { kind: 'unavailable'; why: string };

/** Reads `npm audit --json` output (report version 2, or the error object npm prints when the endpoint fails). */
export function auditVerdict(stdout: string): Verdict {
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { kind: 'unavailable', why: `npm audit printed no JSON: ${stdout.trim().slice(0, 120) || '(nothing)'}` };
  }
  const v = json?.metadata?.vulnerabilities;
  if (!v || typeof v !== 'object') return { kind: 'unavailable', why: String(json?.message ?? json?.error?.summary ?? 'no audit report') };
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } as Record<Severity, number>;
  for (const k of Object.keys(counts) as Severity[]) counts[k] = Number(v[k] ?? 0);
  const blocking = Object.values<any>(json.vulnerabilities ?? {})
    .filter((x) => x?.severity === 'high' || x?.severity === 'critical')
    .map((x) => `${x.name} (${x.severity}${x.range ? `, ${x.range}` : ''})`)
    .sort();
  if (blocking.length === 0 && counts.high + counts.critical > 0) blocking.push(`${counts.high} high, ${counts.critical} critical`);
  return { kind: 'checked', counts, blocking };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const strict = process.argv.includes('--strict');
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const verdict = auditVerdict(r.stdout ?? '');
  if (verdict.kind === 'unavailable') {
    process.stderr.write(`audit:deps: WARNING: could not check runtime dependencies for advisories: ${verdict.why}\n`);
    process.exit(strict ? 1 : 0);
  }
  const c = verdict.counts;
  process.stdout.write(`audit:deps: runtime dependencies: ${c.critical} critical, ${c.high} high, ${c.moderate} moderate, ${c.low} low\n`);
  if (verdict.blocking.length) {
    process.stderr.write(`audit:deps: high or critical advisories (fix with npm update / npm audit fix --omit=dev):\n  ${verdict.blocking.join('\n  ')}\n`);
    process.exit(1);
  }
}
