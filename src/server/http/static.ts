/** Static files for the demo page: `GET /` → index.html, content types, no path traversal. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

function notFound(res: ServerResponse): number {
  const body = JSON.stringify({ errCode: 1004, errMsg: 'not found', errDlt: '', data: null });
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  return 404;
}

/** Serves `urlPath` from `dir`; resolves to the status sent. */
export async function serveStatic(dir: string, urlPath: string, method: string, res: ServerResponse): Promise<number> {
  const root = resolve(dir);
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return notFound(res);
  }
  if (rel.includes('\0')) return notFound(res);
  let file = resolve(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return notFound(res);
  try {
    let st = await stat(file);
    if (st.isDirectory()) {
      file = join(file, 'index.html');
      st = await stat(file);
    }
    if (!st.isFile()) return notFound(res);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (method === 'HEAD') {
      res.end();
      return 200;
    }
    await new Promise<void>((ok) => {
      const s = createReadStream(file);
      s.on('error', () => {
        res.destroy();
        ok();
      });
      s.on('end', ok);
      s.pipe(res);
    });
    return 200;
  } catch {
    return notFound(res);
  }
}
