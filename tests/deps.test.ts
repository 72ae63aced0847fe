// Dependency hygiene: the audit verdict CI acts on, and the README's licence table
// against what is actually installed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditVerdict } from '../scripts/audit-deps.ts';
import { ALLOWED, runtimePackages } from '../scripts/licences.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('auditVerdict (npm audit --json)', () => {
  const report = (vulnerabilities: object, counts: Partial<Record<string, number>>) =>
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities,
      metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts }, dependencies: { prod: 10 } },
    });

  it('passes a clean report and a moderate-only one', () => {
    expect(auditVerdict(report({}, {}))).toEqual({ kind: 'checked', counts: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 }, blocking: [] });
    const moderate = auditVerdict(report({ foo: { name: 'foo', severity: 'moderate', range: '<1.2.3' } }, { moderate: 1, total: 1 }));
    expect(moderate).toMatchObject({ kind: 'checked', blocking: [] });
  });

  it('blocks on high and critical, naming the packages', () => {
    const v = auditVerdict(
      report(
        { b: { name: 'b', severity: 'critical', range: '*' }, a: { name: 'a', severity: 'high', range: '<2.0.0' }, c: { name: 'c', severity: 'low' } },
        { high: 1, critical: 1, low: 1, total: 3 },
      ),
    );
    expect(v).toEqual({ kind: 'checked', counts: { info: 0, low: 1, moderate: 0, high: 1, critical: 1 }, blocking: ['a (high, <2.0.0)', 'b (critical, *)'] });
  });

  it('reports an unreachable endpoint as unavailable, not as clean', () => {
    const mirror = JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405, error: { summary: '', detail: '' } });
    expect(auditVerdict(mirror)).toEqual({ kind: 'unavailable', why: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' });
    expect(auditVerdict('')).toMatchObject({ kind: 'unavailable' });
  });
});

describe('runtime dependency licences', () => {
  it('the README lists every runtime dependency with the licence its installed package.json declares', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('## Dependencies and licences');
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const rows = new Map([...section.matchAll(/^\| (\S+) \| [^|]+ \| ([^|]+) \|$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    const deps = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies);
    expect([...rows.keys()].filter((k) => k !== 'package').sort()).toEqual([...deps].sort());
    for (const d of deps) {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', d, 'package.json'), 'utf8'));
      expect(rows.get(d), d).toBe(pkg.license);
    }
  });

  it('every installed runtime package has a licence on the reviewed list', () => {
    const { all } = runtimePackages(ROOT);
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((p) => !ALLOWED.has(p.license)).map((p) => `${p.name}: ${p.license}`)).toEqual([]);
  });
});
