import { readFileSync } from 'node:fs';

// The manifest records which Tierscope made the output; package.json is the one source of the version.
export const TOOL_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
