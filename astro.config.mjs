// @ts-check
import { defineConfig } from 'astro/config';

// Static output: the report is a folder of HTML, SVG and JSON that any web server (or a file share) can publish.
export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory' },
  // A second build (a test, the PDF work) can go elsewhere without touching dist/.
  outDir: process.env.TIERSCOPE_OUT_DIR || './dist',
  // Scripts as files, never inlined: a Content-Security-Policy can then allow 'self' only.
  vite: { build: { assetsInlineLimit: 0 } },
});
