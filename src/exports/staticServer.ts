// A tiny static file server for the built site, used by the PDF export (Chromium
// loads the print page over HTTP) and the e2e tests: GET/HEAD only, a folder
// answers with its index.html (a folder URL without its trailing slash is
// redirected, as static hosts do), content types by extension, 404 for anything
// missing, and nothing outside the root — neither by `..`, encoded or not, nor by symlink.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import path from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  origin: string;
  close: () => Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
  const url = new URL(req.url ?? '/', 'http://localhost');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  if (rel.includes('\0') || rel.includes('\\')) return send(res, 400, 'bad request\n');
  // WHATWG URL parsing already folds a literal "/../"; an encoded one (%2e%2e) arrives here.
  if (rel.split('/').includes('..')) return send(res, 403, 'forbidden\n');
  const target = path.resolve(root, `.${rel}`);
  if (!inside(root, target)) return send(res, 403, 'forbidden\n');

  let file = target;
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    if (!url.pathname.endsWith('/')) return send(res, 301, 'moved\n', { location: `${url.pathname}/${url.search}` });
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, 'not found\n');
  // A symlink inside the root may still point outside it.
  const real = await realpath(file).catch(() => null);
  if (real === null || !inside(root, real)) return send(res, 403, 'forbidden\n');

  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  // pipeline, not pipe: a client that leaves mid-body must not leave the file open
  // (pipe only unpipes, and the paused read stream keeps its descriptor for good).
  pipeline(createReadStream(file), res, () => undefined);
}

/** Serves `dir` on 127.0.0.1 at an ephemeral port. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = await realpath(path.resolve(dir));
  const server = createServer((req, res) => {
    handle(root, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `${String(e)}\n`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
