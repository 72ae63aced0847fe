// npm run audit -- [--dist DIR] [--data DIR] [--json DIR] [--config FILE] [--only ids,csv,…]
// The leak audit of a built site (src/audit/): exit 0 with "audit: 0 findings",
// 1 on any finding, 2 on bad usage or an error.
import { parseArgs } from 'node:util';
import { findConfig, loadConfig } from '../src/engine/configFile.ts';
import { CHECKS, runAudit, type CheckName } from '../src/audit/run.ts';
import { formatReport } from '../src/audit/report.ts';
import { inputDir } from './build-data.ts';

let args;
try {
  args = parseArgs({
    options: {
      dist: { type: 'string', default: 'dist' },
      data: { type: 'string' },
      json: { type: 'string', default: 'public/data' },
      config: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\nusage: npm run audit -- [--dist DIR] [--data DIR] [--json DIR] [--config FILE] [--only ${CHECKS.join(',')}]\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`usage: npm run audit -- [--dist DIR] [--data DIR] [--json DIR] [--config FILE] [--only ${CHECKS.join(',')}]\n`);
  process.exit(0);
}

try {
  const data = args.data ?? (await inputDir());
  const { config } = await loadConfig(args.config ?? (await findConfig(data)));
  const checks = args.only ? (args.only.split(',') as CheckName[]) : CHECKS;
  const bad = checks.filter((c) => !CHECKS.includes(c));
  if (bad.length) throw new Error(`unknown check(s): ${bad.join(', ')}`);
  const t0 = Date.now();
  const result = await runAudit({ dist: args.dist, data, json: args.json, config, checks, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(formatReport(result.summaries, result.findings, result.warnings));
  process.stderr.write(`audit: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.exit(result.findings.length ? 1 : 0);
} catch (e) {
  process.stderr.write(`audit: ${(e as Error).message}\n`);
  process.exit(2);
}
