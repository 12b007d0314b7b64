/**
 * HTTP plumbing: routing, the `{errCode, errMsg, errDlt, data}` envelope, statuses per
 * SPEC §3, the body limit, auth, `operationID` tracing, CORS, `/metrics` and static files.
 *
 * Order of checks for a POST route: route exists (404/1004) → body size (413/1413) →
 * token (401/1501|1502) → charset (400/1001: a declared charset other than utf-8 is
 * refused; the media type is not checked) → UTF-8 (400/1001: invalid bytes are refused, never
 * stored as U+FFFD) → JSON (400/1001) → body shape (400/1001) → permission (403/1002) →
 * the handler.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrCode, httpStatusOf, ShapeError, type ErrCodeValue } from '../protocol/index.js';
import { ApiError } from './api-error.js';
import { tokenFromHeaders, verifyToken } from './auth.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Route } from './routes.js';
import { serveStatic } from './static.js';
import { PRINTABLE_ID } from './validate-request.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** past this many bytes a too-large body is no longer drained: the connection is cut */
const DRAIN_CAP = 32 * MAX_BODY_BYTES;

export interface HttpHandlerOptions {
  routes: Map<string, Route>;
  admin: boolean;
  tokenSecret: () => string;
  metrics: Metrics;
  logger: Logger;
  staticDir: string | undefined;
  allowedOrigins: readonly string[] | undefined;
  maxBodyBytes?: number;
}


function send(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

type BodyResult = { ok: true; bytes: Buffer } | { ok: false; tooLarge: true };

/** strict: invalid UTF-8 throws; a BOM is kept (and then fails JSON.parse, as before) */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Why a request's Content-Type is refused, or `null`. The body is read as JSON whatever
 * the media type (fetch's default `text/plain` and `curl -d` work; auth is a header, so a
 * cross-site "simple" request cannot carry a token anyway); only a declared charset other
 * than UTF-8 is refused, since the bytes would be misread.
 */
function contentTypeError(header: string | undefined): string | null {
  if (header === undefined) return null;
  const [, ...params] = header.split(';').map((x) => x.trim().toLowerCase());
  for (const p of params) {
    const [k, v = ''] = p.split('=').map((x) => x.trim());
    if (k === 'charset' && v.replace(/^"|"$/g, '') !== 'utf-8' && v.replace(/^"|"$/g, '') !== 'utf8') return 'the body must be UTF-8';
  }
  return null;
}

function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        if (size > DRAIN_CAP) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? { ok: false, tooLarge: true } : { ok: true, bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
    // a body cut off past DRAIN_CAP never ends: settle so nothing waits forever
    req.on('close', () => {
      if (over) resolve({ ok: false, tooLarge: true });
    });
  });
}

export function createRequestHandler(o: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = o.maxBodyBytes ?? MAX_BODY_BYTES;

  return (req, res) => {
    const t0 = performance.now();
    const given = req.headers.operationid;
    const operationID = typeof given === 'string' && PRINTABLE_ID.test(given) ? given : `srv-${randomBytes(8).toString('hex')}`;
    res.setHeader('operationID', operationID);
    cors(req, res, o.allowedOrigins);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    let userID: string | null = null;
    o.metrics.requests++;

    const finish = (status: number, errCode: number) => {
      o.logger.info('request', {
        operationID,
        method: req.method,
        path,
        status,
        errCode,
        userID,
        ms: Math.round((performance.now() - t0) * 100) / 100,
      });
    };
    const reply = (errCode: ErrCodeValue, errMsg: string, errDlt: string, data: unknown) => {
      if (errCode !== 0) o.metrics.error(errCode);
      const status = httpStatusOf[errCode];
      if (!res.headersSent) {
        if (errCode === ErrCode.TOO_LARGE) res.setHeader('Connection', 'close');
        send(res, status, JSON.stringify({ errCode, errMsg, errDlt, data: errCode === 0 ? data : null }), 'application/json; charset=utf-8');
      }
      finish(status, errCode);
    };
    const fail = (e: unknown) => {
      if (e instanceof ShapeError) reply(ErrCode.ARGS, `bad arguments: ${e.message}`, e.field, null);
      else if (e instanceof ApiError) reply(e.errCode, e.message, e.errDlt, null);
      else {
        o.logger.error('internal error', { operationID, path, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        reply(ErrCode.INTERNAL, 'internal error', '', null);
      }
    };

    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      finish(204, 0);
      return;
    }
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, 200, o.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
      finish(200, 0);
      return;
    }
    const route = o.routes.get(path);
    if (!route || (route.admin && !o.admin)) {
      if (!route && o.staticDir && (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(path)) {
        void serveStatic(o.staticDir, path, req.method, res).then(
          (status) => finish(status, 0),
          (e: unknown) => fail(e),
        );
        return;
      }
      req.resume();
      reply(ErrCode.NOT_FOUND, `route not found: ${req.method} ${path}`, '', null);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      reply(ErrCode.NOT_FOUND, `route not found: ${req.method} ${path} (use POST)`, '', null);
      return;
    }

    void (async () => {
      const body = await readBody(req, limit);
      if (!body.ok) return reply(ErrCode.TOO_LARGE, `body too large: the limit is ${limit} bytes`, '', null);
      if (route.auth) {
        const check = verifyToken(o.tokenSecret(), tokenFromHeaders(req.headers));
        if (!check.ok) return reply(check.errCode, check.reason, '', null);
        userID = check.userID;
      }
      const typeError = contentTypeError(req.headers['content-type']);
      if (typeError) return reply(ErrCode.ARGS, `bad arguments: ${typeError}`, 'content-type', null);
      let text: string;
      try {
        text = UTF8.decode(body.bytes);
      } catch {
        return reply(ErrCode.ARGS, 'bad arguments: body is not valid UTF-8', 'body', null);
      }
      let parsed: unknown;
      try {
        parsed = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return reply(ErrCode.ARGS, 'bad arguments: body is not valid JSON', 'body', null);
      }
      const data = await route.handle({ userID, body: parsed });
      reply(ErrCode.OK, '', '', data);
    })().catch(fail);
  };
}

function isApiPath(path: string): boolean {
  return path.startsWith('/conversation/') || path.startsWith('/admin/') || path === '/ws' || path === '/metrics';
}

function cors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[] | undefined): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  if (allowed && !allowed.includes(origin)) return;
  // tokens travel in headers, never cookies, so any origin may read the answers unless restricted
  res.setHeader('Access-Control-Allow-Origin', allowed ? origin : '*');
  if (allowed) res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, token, operationID');
  res.setHeader('Access-Control-Expose-Headers', 'operationID');
  res.setHeader('Access-Control-Max-Age', '600');
}
