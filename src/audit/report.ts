// Findings and the printed report. A finding names the file, the place in it and
// the kind of leak, never the leaked value: an id appears only as a hash prefix,
// an amount not at all, so the audit's own log is safe to keep in CI.
import { createHash } from 'node:crypto';

export interface Finding {
  check: 'ids' | 'small-cells' | 'amounts' | 'subtraction' | 'system' | 'csv';
  kind: string;
  file: string;
  location: string;
}

export interface CheckSummary {
  check: Finding['check'];
  /** e.g. "files scanned 83,000 · ids checked 241,000". */
  stats: string;
}

/** Short, non-reversible tag for a customer id (sha256 prefix), so two findings of one id can be matched. */
export const idTag = (id: string) => `id#${createHash('sha256').update(id).digest('hex').slice(0, 10)}`;

export function formatReport(summaries: CheckSummary[], findings: Finding[], warnings: string[]): string {
  const lines: string[] = [];
  for (const s of summaries) {
    const n = findings.filter((f) => f.check === s.check).length;
    lines.push(`${s.check}: ${s.stats} · findings ${n}`);
  }
  for (const w of warnings) lines.push(`warning: ${w}`);
  for (const f of findings) lines.push(`FINDING [${f.check}/${f.kind}] ${f.file}: ${f.location}`);
  lines.push(findings.length === 0 ? 'audit: 0 findings' : `audit: ${findings.length} finding(s)`);
  return `${lines.join('\n')}\n`;
}
