// The config contract of docs/data-contract.md: one zod schema, every field defaulted, so a
// folder of canonical CSVs needs no config at all.
import { z } from 'zod';

export const CANONICAL_COLUMNS = ['customer_id', 'branch', 'aum', 'deposits', 'open_date', 'snapshot_date'] as const;
export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];
export const REQUIRED_COLUMNS = ['customer_id', 'branch', 'aum', 'deposits'] as const satisfies readonly CanonicalColumn[];

/** Aliases every run knows; config `columns` adds to (and may override) these. */
export const BUILTIN_ALIASES: Readonly<Record<string, CanonicalColumn>> = {
  客户号: 'customer_id',
  客户编号: 'customer_id',
  客户id: 'customer_id',
  机构号: 'branch',
  机构: 'branch',
  网点: 'branch',
  网点号: 'branch',
  支行: 'branch',
  金融资产: 'aum',
  金融资产余额: 'aum',
  总资产: 'aum',
  资产余额: 'aum',
  aum: 'aum',
  存款: 'deposits',
  存款余额: 'deposits',
  开户日期: 'open_date',
  数据日期: 'snapshot_date',
  快照日期: 'snapshot_date',
};

/** YYYY-MM-DD naming a day of the calendar. */
function isDateText(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

// A label is shown as a heading or a branch's name: one made only of spaces would
// print as nothing, so it needs at least one visible character.
const Text = z.string().regex(/[^\s\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/u, 'needs a visible character');
const Label = z.object({ zh: Text, en: Text }).strict();

const SubBand = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a lowercase key like "mid_low"'),
    lower: z.number().finite().nonnegative(),
    label: Label,
  })
  .strict();

const Tier = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be a lowercase key like "mid"'),
    lower: z.number().finite().nonnegative(),
    label: Label,
    /** Sub-bands refine the tier for contribution tables; the first must start at the tier's lower bound. */
    subBands: z.array(SubBand).optional(),
  })
  .strict();

export const DEFAULT_TIERS: z.input<typeof Tier>[] = [
  { key: 'ordinary', lower: 0, label: { zh: '普通客户', en: 'Ordinary' } },
  { key: 'potential', lower: 5_000, label: { zh: '潜力客户', en: 'Potential' } },
  {
    key: 'mid',
    lower: 50_000,
    label: { zh: '中端客户', en: 'Mid-market' },
    subBands: [
      { key: 'mid_5w_20w', lower: 50_000, label: { zh: '5万–20万', en: '50K–200K' } },
      { key: 'mid_20w_100w', lower: 200_000, label: { zh: '20万–100万', en: '200K–1M' } },
    ],
  },
  { key: 'high', lower: 1_000_000, label: { zh: '高端客户', en: 'High-end' } },
  { key: 'private', lower: 8_000_000, label: { zh: '私人银行客户', en: 'Private banking' } },
];

export const ConfigSchema = z
  .object({
    title: Label.default({ zh: '零售客户分层经营报告', en: 'Retail customer tier report' }),
    locale: z.enum(['zh', 'en']).default('zh'),
    /** Tier lower bounds in 元, ascending, the first 0. */
    tiers: z
      .array(Tier)
      .min(2)
      .default(DEFAULT_TIERS as never)
      .superRefine((tiers, ctx) => {
        if (tiers[0] && tiers[0].lower !== 0) ctx.addIssue({ code: 'custom', path: [0, 'lower'], message: 'the first tier must start at 0' });
        const keys = new Set<string>();
        tiers.forEach((t, i) => {
          if (keys.has(t.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `duplicate tier key "${t.key}"` });
          keys.add(t.key);
          const prev = tiers[i - 1];
          if (prev && t.lower <= prev.lower)
            ctx.addIssue({ code: 'custom', path: [i, 'lower'], message: `must be greater than the previous tier's lower bound (${prev.lower})` });
          const next = tiers[i + 1];
          const bands = t.subBands ?? [];
          bands.forEach((b, j) => {
            if (j === 0 && b.lower !== t.lower)
              ctx.addIssue({ code: 'custom', path: [i, 'subBands', j, 'lower'], message: `the first sub-band must start at the tier's lower bound (${t.lower})` });
            const pb = bands[j - 1];
            if (pb && b.lower <= pb.lower)
              ctx.addIssue({ code: 'custom', path: [i, 'subBands', j, 'lower'], message: `must be greater than the previous sub-band's lower bound (${pb.lower})` });
            if (next && b.lower >= next.lower)
              ctx.addIssue({ code: 'custom', path: [i, 'subBands', j, 'lower'], message: `must be below the next tier's lower bound (${next.lower})` });
            if (keys.has(b.key) || tiers.some((o) => o.key === b.key))
              ctx.addIssue({ code: 'custom', path: [i, 'subBands', j, 'key'], message: `duplicate key "${b.key}"` });
            keys.add(b.key);
          });
        });
      }),
    /** Key of the first tier counted as "mid-high" (中高端). */
    midHighFrom: z.string().default('mid'),
    /** Extra header aliases: header text (case-insensitive) → canonical column. */
    columns: z.record(z.string().min(1), z.enum(CANONICAL_COLUMNS)).default({}),
    csv: z
      .object({
        encoding: z.enum(['auto', 'utf-8', 'gb18030']).default('auto'),
        delimiter: z.enum([',', '\t', '|', ';']).default(','),
      })
      .strict()
      .default({ encoding: 'auto', delimiter: ',' }),
    /** Unit of aum and deposits in the input; everything is converted to 元. */
    unit: z.enum(['元', '万元']).default('元'),
    /** Branch code → display names. */
    branches: z.record(z.string().min(1), Label).default({}),
    privacy: z
      .object({
        minCell: z.number().int().min(1).default(10),
        pPercent: z.number().min(0).max(100).default(10),
      })
      .strict()
      .default({ minCell: 10, pPercent: 10 }),
    /**
     * Snapshot date of a file by its name (`{"客户_2025-3-31_导出20250401.csv": "2025-03-31"}`),
     * for a name holding more than one date; it wins over the name, and a
     * snapshot_date column must agree with it.
     */
    snapshotDates: z
      .record(
        z.string().min(1),
        z.string().refine(isDateText, 'must be a real date written YYYY-MM-DD, e.g. "2025-03-31"'),
      )
      .default({}),
    /** Whole-run failure when rejected rows exceed this share of any file. A share, so 1 (every row) is refused as the likely "1 %". */
    maxRejectShare: z
      .number()
      .refine((x) => x >= 0 && x < 1, { error: (i) => `must be a share from 0 up to (not including) 1: 0.01 means 1 % (got ${String(i.input)})` })
      .default(0.01),
    /** Warn when fewer than this share of a snapshot's customers appear in the previous one. */
    minIdMatchShare: z.number().min(0).max(1).default(0.5),
    /** What `npm run build` publishes beside the pages; presentation only, so not part of the data's config hash. */
    exports: z
      .object({
        /** false: no exports at all (a quick preview build). */
        enabled: z.boolean().default(true),
        /**
         * Per-chart 2× PNG (needs a CJK font for Chinese): true for every scope, "bank" for the
         * bank's charts only (PNGs are most of the build time and size with many branches).
         * SVG, CSV and embed pages come with `enabled`.
         */
        png: z.union([z.boolean(), z.literal('bank')]).default(true),
        /** PPTX deck per language for the headline period. */
        deck: z.boolean().default(true),
        /** A deck per branch as well. */
        branchDecks: z.boolean().default(false),
        /** PDF of the whole report per language (needs Chromium). */
        pdf: z.boolean().default(true),
        /** The published site's address, for the deck's link back (e.g. "https://intranet.example/tierscope/"). */
        siteUrl: z.url({ protocol: /^https?$/ }).nullable().default(null),
      })
      .strict()
      .default({ enabled: true, png: true, deck: true, branchDecks: false, pdf: true, siteUrl: null }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.tiers.some((t) => t.key === c.midHighFrom))
      ctx.addIssue({ code: 'custom', path: ['midHighFrom'], message: `must be one of the tier keys (${c.tiers.map((t) => t.key).join(', ')})` });
  });

export type Config = z.infer<typeof ConfigSchema>;
export type TierDef = Config['tiers'][number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * One step of a field's path: `.name`, `[0]`, or `["odd key"]` for a key that
 * is not a plain name (a header alias such as "客户 标识", or one holding a line
 * break, which would split the one-line-per-field message).
 */
function pathPart(p: PropertyKey): string {
  if (typeof p === 'number') return `[${p}]`;
  const k = String(p);
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** zod quotes offending values as they are; control characters in them are shown escaped, to keep one line per field. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Parse a config object; the error names every bad field by its dotted path. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const field = i.path.length ? i.path.map(pathPart).join('').replace(/^\./, '') : '(root)';
    return `  ${field}: ${oneLine(i.message)}`;
  });
  throw new ConfigError(`${source}: invalid config\n${lines.join('\n')}`);
}

/** The finest partition of the aum axis: every tier split into its sub-bands (or itself). */
export interface Band {
  key: string;
  tierIndex: number;
  lower: number;
  isSubBand: boolean;
}

export function bandsOf(config: Config): Band[] {
  return config.tiers.flatMap((t, tierIndex): Band[] =>
    t.subBands?.length
      ? t.subBands.map((b) => ({ key: b.key, tierIndex, lower: b.lower, isSubBand: true }))
      : [{ key: t.key, tierIndex, lower: t.lower, isSubBand: false }],
  );
}
