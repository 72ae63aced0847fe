// The JSON contract between the pipeline and the site: every file the pipeline
// writes is parsed by one of these schemas before it is written, and the site
// reads the files through them. Amounts are integer fen (分, 0.01 元).
import { z } from 'zod';

export const SUPPRESSION_REASONS = ['frequency', 'dominance', 'secondary'] as const;
export const Suppressed = z.object({ suppressed: z.enum(SUPPRESSION_REASONS) }).strict();
export type Suppressed = z.infer<typeof Suppressed>;

/** A published figure that always exists but may be withheld by disclosure control. */
export const Fig = z.union([z.number().finite(), Suppressed]);
export type Fig = z.infer<typeof Fig>;
/** A ratio: null where it is undefined (zero denominator, top tier moving up…). */
export const Ratio = z.union([z.number().finite(), z.null(), Suppressed]);
export type Ratio = z.infer<typeof Ratio>;

const Label = z.object({ zh: z.string(), en: z.string() }).strict();
const Date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** null = the whole bank; otherwise a branch code. */
const Branch = z.string().nullable();

export const OUTPUT_VERSION = 1;

// ── meta.json ────────────────────────────────────────────────────────────────
export const Period = z
  .object({
    /** `${start}_${end}`: unique, and safe as a file name. */
    id: z.string(),
    start: Date,
    end: Date,
    /** The two snapshots are adjacent in time. */
    consecutive: z.boolean(),
    /** The year-to-date (较年初) period; it may also be consecutive. */
    headline: z.boolean(),
  })
  .strict();
export type Period = z.infer<typeof Period>;

export const Meta = z
  .object({
    outputVersion: z.literal(OUTPUT_VERSION),
    toolVersion: z.string(),
    title: Label,
    locale: z.enum(['zh', 'en']),
    amountUnit: z.literal('fen'),
    tiers: z.array(
      z
        .object({
          key: z.string(),
          label: Label,
          lowerFen: z.number().int(),
          midHigh: z.boolean(),
          subBands: z.array(z.object({ key: z.string(), label: Label, lowerFen: z.number().int() }).strict()),
        })
        .strict(),
    ),
    privacy: z.object({ minCell: z.number().int(), pPercent: z.number() }).strict(),
    branches: z.array(z.object({ code: z.string(), label: Label }).strict()),
    snapshots: z.array(Date),
    periods: z.array(Period),
    headline: z.string().nullable(),
  })
  .strict();
export type Meta = z.infer<typeof Meta>;

// ── snapshots/<date>.json ───────────────────────────────────────────────────
const Amounts = {
  n: Fig,
  aum: Fig,
  deposits: Fig,
  nShare: Ratio,
  aumShare: Ratio,
  depositsShare: Ratio,
  avgAum: Ratio,
  avgDeposits: Ratio,
};
export const BandStats = z.object({ band: z.string(), ...Amounts }).strict();
export const TierStats = z
  .object({ tier: z.string(), ...Amounts, contributionIndex: Ratio, subBands: z.array(BandStats) })
  .strict();
export type TierStats = z.infer<typeof TierStats>;

export const LorenzPoint = z.object({ p: z.number(), share: z.number() }).strict();
export const Concentration = z
  .object({
    /** Why the block is empty, if it is: too few customers, or no amounts at all. */
    withheld: z.enum(['too_few_customers', 'zero_total']).nullable(),
    gini: Ratio,
    top1: Ratio,
    top5: Ratio,
    top10: Ratio,
    top20: Ratio,
    /** Smallest share of customers (largest first) holding ≥ 80 % of the total. */
    point80: Ratio,
    /** Published Lorenz points (every segment describes ≥ minCell customers). */
    lorenz: z.array(LorenzPoint),
  })
  .strict();
export type Concentration = z.infer<typeof Concentration>;

export const ScopeSnapshot = z
  .object({
    branch: Branch,
    customers: Fig,
    aum: Fig,
    deposits: Fig,
    avgAum: Ratio,
    avgDeposits: Ratio,
    tiers: z.array(TierStats),
    midHigh: z.object(Amounts).strict(),
    concentration: z.object({ aum: Concentration, deposits: Concentration }).strict(),
  })
  .strict();
export type ScopeSnapshot = z.infer<typeof ScopeSnapshot>;

export const SnapshotFile = z.object({ date: Date, scopes: z.array(ScopeSnapshot) }).strict();
export type SnapshotFile = z.infer<typeof SnapshotFile>;

// ── periods/<start>_<end>.json ──────────────────────────────────────────────
export const Transition = z
  .object({
    /** A tier key, or "new" / "transfer_in" (branch scope) for customers not in the scope at start. */
    from: z.string(),
    /** A tier key, or "lost" / "transfer_out" (branch scope). */
    to: z.string(),
    n: Fig,
    /** n ÷ customers of `from` at start (the gross, cohort-with-withdrawn basis); null for the new row. */
    grossShare: Ratio,
    /** n ÷ retained customers of `from` (tier-to-tier cells only). */
    adjustedShare: Ratio,
  })
  .strict();

const GrossRates = z.object({ up: Ratio, down: Ratio, stay: Ratio, loss: Ratio, transferOut: Ratio }).strict();
const AdjustedRates = z.object({ up: Ratio, down: Ratio, stay: Ratio }).strict();
export const Rates = z.object({ gross: GrossRates, adjusted: AdjustedRates }).strict();
export type Rates = z.infer<typeof Rates>;

export const TierFlow = z
  .object({
    tier: z.string(),
    start: Fig,
    new: Fig,
    inUp: Fig,
    inDown: Fig,
    outUp: Fig,
    outDown: Fig,
    lost: Fig,
    transferIn: Fig,
    transferOut: Fig,
    end: Fig,
    netChange: Fig,
    rates: Rates,
  })
  .strict();
export type TierFlow = z.infer<typeof TierFlow>;

export const AssetBridge = z
  .object({
    start: Fig,
    lost: Fig,
    new: Fig,
    retainedChange: z.array(z.object({ tier: z.string(), change: Fig }).strict()),
    transferIn: Fig,
    transferOut: Fig,
    end: Fig,
  })
  .strict();

export const NewMix = z
  .object({
    total: Fig,
    tiers: z.array(z.object({ tier: z.string(), n: Fig, share: Ratio, stockShare: Ratio }).strict()),
    midHighShare: Ratio,
    stockMidHighShare: Ratio,
    /** null where no new customer of the scope has an open_date (the input has none, or nobody is new). */
    openedInPeriod: Fig.nullable(),
    reappearing: Fig.nullable(),
  })
  .strict();

export const ScopePeriod = z
  .object({
    branch: Branch,
    transitions: z.array(Transition),
    tiers: z.array(TierFlow),
    /** Rates pooled over tiers (Σ numerators ÷ Σ denominators). */
    pooled: z.object({ all: Rates, midHigh: Rates }).strict(),
    mobility: Ratio,
    assetBridge: AssetBridge,
    newMix: NewMix,
  })
  .strict();
export type ScopePeriod = z.infer<typeof ScopePeriod>;

export const PeriodFile = Period.extend({ scopes: z.array(ScopePeriod) }).strict();
export type PeriodFile = z.infer<typeof PeriodFile>;

// ── series.json: trends across all snapshots and consecutive periods ────────
export const SeriesFile = z
  .object({
    scopes: z.array(
      z
        .object({
          branch: Branch,
          snapshots: z.array(
            z
              .object({
                date: Date,
                customers: Fig,
                aum: Fig,
                deposits: Fig,
                midHighN: Fig,
                midHighShare: Ratio,
                midHighAumShare: Ratio,
                midHighDepositsShare: Ratio,
                giniAum: Ratio,
                giniDeposits: Ratio,
                top1Aum: Ratio,
                point80Aum: Ratio,
              })
              .strict(),
          ),
          periods: z.array(
            z
              .object({
                id: z.string(),
                start: Date,
                end: Date,
                netChange: Fig,
                new: Fig,
                lost: Fig,
                up: Ratio,
                down: Ratio,
                loss: Ratio,
                midHighUp: Ratio,
                midHighDown: Ratio,
                mobility: Ratio,
                newMidHighShare: Ratio,
                stockMidHighShare: Ratio,
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();
export type SeriesFile = z.infer<typeof SeriesFile>;

// ── quality.json: what happened to every input row ──────────────────────────
const Count = z.number().int().nonnegative();
/** Figures withheld, by rule: counts only, never which or what they were. */
const SuppressedCounts = z.object({ frequency: Count, dominance: Count, secondary: Count }).strict();

export const QualityFile = z
  .object({
    files: z.array(
      z
        .object({
          file: z.string(),
          snapshotDate: Date,
          format: z.string(),
          encoding: z.string().nullable(),
          /** Where the snapshot date came from: the snapshot_date column, the file name, or config snapshotDates. */
          dateSource: z.enum(['column', 'name', 'config']),
          rowsRead: Count,
          rowsUsed: Count,
          rowsRejected: Count,
          /** Lines of only delimiters and whitespace, skipped (not part of rowsRead). */
          rowsSkipped: Count,
          rejected: z.record(z.string(), Count),
          /** Rows kept without an unreadable optional value, by reason. */
          warned: z.record(z.string(), Count),
          /** Rejected rows only. */
          examples: z.array(
            z
              .object({ reason: z.string(), line: Count, column: z.string().nullable() })
              .strict(),
          ),
          depositsAboveAum: Count,
          ignoredColumns: z.array(z.string()),
        })
        .strict(),
    ),
    idMatch: z.array(
      z
        .object({
          start: Date,
          end: Date,
          startCustomers: Count,
          endCustomers: Count,
          matched: Count,
          /** matched ÷ customers of the end snapshot. */
          matchShare: z.number().nullable(),
          warning: z.boolean(),
        })
        .strict(),
    ),
    /**
     * Branches with at least privacy.minCell customers on one side of two adjacent
     * snapshots and none on the other: a branch left out of one export, or opened
     * or closed. No counts beyond that bound (they may be withheld elsewhere).
     */
    branchChanges: z.array(
      z
        .object({
          branch: z.string(),
          change: z.enum(['vanished', 'appeared']),
          start: Date,
          end: Date,
        })
        .strict(),
    ),
    suppressed: SuppressedCounts,
    warnings: z.array(z.string()),
  })
  .strict();
export type QualityFile = z.infer<typeof QualityFile>;
export type BranchChange = QualityFile['branchChanges'][number];

// ── manifest.json: provenance ───────────────────────────────────────────────
export const Manifest = z
  .object({
    outputVersion: z.literal(OUTPUT_VERSION),
    toolVersion: z.string(),
    configHash: Sha256,
    inputs: z.array(
      z
        .object({
          file: z.string(),
          sha256: Sha256,
          snapshotDate: Date,
          rowsRead: Count,
          rowsUsed: Count,
          rowsRejected: Count,
          rejected: z.record(z.string(), Count),
        })
        .strict(),
    ),
    periods: z.array(z.string()),
    scopes: z.array(Branch),
    suppressed: SuppressedCounts,
    outputs: z.array(z.object({ file: z.string(), sha256: Sha256, bytes: Count }).strict()),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;

export const OUTPUT_FILES = {
  meta: 'meta.json',
  series: 'series.json',
  quality: 'quality.json',
  manifest: 'manifest.json',
  snapshot: (date: string) => `snapshots/${date}.json`,
  period: (id: string) => `periods/${id}.json`,
} as const;
