// @ts-check
import { defineConfig } from 'astro/config';
import { checkOutputFolder, markOutput, OutputRefused } from './src/engine/outputDir.ts';

// A second build (a test, the PDF work) can go elsewhere without touching dist/.
const outDir = process.env.TIERSCOPE_OUT_DIR || './dist';

// Astro empties its output folder before building. `npm run build` hands it a fresh
// temporary folder; `npm run build:site` on its own hands it dist/ (or TIERSCOPE_OUT_DIR),
// which must then be Tierscope's to replace like any other output (src/engine/outputDir.ts),
// and is marked as Tierscope's once built.
/** @type {import('astro').AstroIntegration} */
const outputFolderIsOurs = {
  name: 'tierscope:output-folder',
  hooks: {
    'astro:build:start': async () => {
      try {
        await checkOutputFolder(outDir, { data: ['data'] });
      } catch (e) {
        if (!(e instanceof OutputRefused)) throw e;
        process.stderr.write(`build:site: ${e.message}\n`);
        process.exit(2);
      }
    },
    'astro:build:done': async () => {
      await markOutput(outDir);
    },
  },
};

// Static output: the report is a folder of HTML, SVG and JSON that any web server (or a file share) can publish.
export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory' },
  outDir,
  integrations: [outputFolderIsOurs],
  // Scripts as files, never inlined: a Content-Security-Policy can then allow 'self' only.
  vite: { build: { assetsInlineLimit: 0 } },
});
