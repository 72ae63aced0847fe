// What the build exports beside the pages, as decided by `npm run build` from the
// config's `exports` field (and TIERSCOPE_EXPORTS=off) and handed to the site build
// in the environment, so the pages link only to files that exist.
import { z } from 'zod';
import type { Config } from '../lib/config.ts';

export const ExportSettingsSchema = z
  .object({
    /** Per-chart SVG, CSV and embed pages; `png` says which scopes also get the 2× PNG. false = no chart exports. */
    charts: z.union([z.literal(false), z.object({ png: z.enum(['all', 'bank', 'none']) }).strict()]),
    /** The PPTX deck per language for the headline period (bank), and per branch when `branchDecks`. */
    deck: z.boolean(),
    branchDecks: z.boolean(),
    /** The PDF of the whole report per language. */
    pdf: z.boolean(),
  })
  .strict();
export type ExportSettings = z.infer<typeof ExportSettingsSchema>;

export const ALL_EXPORTS: ExportSettings = { charts: { png: 'all' }, deck: true, branchDecks: false, pdf: true };
export const NO_EXPORTS: ExportSettings = { charts: false, deck: false, branchDecks: false, pdf: false };

export const EXPORT_SETTINGS_ENV = 'TIERSCOPE_EXPORT_SETTINGS';

// Every chart block asks (over 20 000 per build): the same string is parsed once.
let lastSettings: { raw: string; settings: ExportSettings } | null = null;

const exportsOff = (env: NodeJS.ProcessEnv) => /^(0|off|false|no)$/i.test(env.TIERSCOPE_EXPORTS ?? '');

/**
 * The settings the build passed down. When the site is built on its own
 * (`npm run build:site`, `astro dev`): none with TIERSCOPE_EXPORTS=off, as for
 * `npm run build`, else all of them.
 */
export function exportSettings(env: NodeJS.ProcessEnv = process.env): ExportSettings {
  const raw = env[EXPORT_SETTINGS_ENV];
  if (raw === undefined || raw === '') return exportsOff(env) ? NO_EXPORTS : ALL_EXPORTS;
  if (lastSettings?.raw !== raw) lastSettings = { raw, settings: ExportSettingsSchema.parse(JSON.parse(raw)) };
  return lastSettings.settings;
}

/** The settings from the config's `exports` field; TIERSCOPE_EXPORTS=off (or 0/false/no) turns everything off. */
export function settingsOf(exports: Config['exports'], env: NodeJS.ProcessEnv = process.env): ExportSettings {
  if (exportsOff(env) || !exports.enabled) return NO_EXPORTS;
  const png = exports.png === true ? 'all' : exports.png === false ? 'none' : exports.png;
  return { charts: { png }, deck: exports.deck, branchDecks: exports.deck && exports.branchDecks, pdf: exports.pdf };
}

/** Whether a chart of this scope (null = the bank) gets a PNG. */
export const hasPng = (settings: ExportSettings, branch: string | null): boolean =>
  settings.charts !== false && (settings.charts.png === 'all' || (settings.charts.png === 'bank' && branch === null));
