// @ts-check
import { defineConfig } from 'astro/config';

// Static output: the report is a folder of HTML, SVG and JSON that any web server (or a file share) can publish.
export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory' },
});
