/**
 * HTTP plumbing: routing, the `{errCode, errMsg, errDlt, data}` envelope, statuses per
 * SPEC §3, the body limit, auth, `operationID` tracing, CORS, `/metrics`, the probes and
 * static files. A store that cannot reach its database answers 503 + `Retry-After`.
 *
 * Order of checks: Host (403/1002, see `request-guard.ts`) → for `/admin/*` the origin
 * (403/1002; no CORS headers there) → route exists (404/1004) → token (401/1501|1502) →
 * charset (400/1001: a declared charset other than utf-8 is refused; the media type is not
 * checked) → declared size (413/1413) — all from the headers, **before a byte of the body
 * is read**: such a refusal answers at once with `Connection: close` and never reads the
 * body → body read up to the limit (413/1413) → UTF-8 (400/1001: invalid bytes are
 * refused, never stored as U+FFFD) → JSON (400/1001) → body shape (400/1001) → permission
 * (403/1002) → the handler. Slow headers and bodies are cut by the Node server's
 * `headersTimeout` / `requestTimeout` (set in `create-server.ts`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrCode, httpStatusOf, ShapeError, type ErrCodeValue } from '../../protocol/index.js';
import { ApiError } from './api-error.js';
import { tokenFromHeaders, verifyToken } from '../auth.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { adminCallAllowed, cors, isAdminPath } from './request-guard.js';
import type { Route } from './routes.js';
import { probe, PROBE_PATHS } from './probes.js';
import { serveStatic } from './static.js';
import { isUnavailable, RETRY_AFTER_SECONDS } from '../unavailable.js';
import { PRINTABLE_ID } from './validate-request.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpHandlerOptions {
  routes: Map<string, Route>;
  admin: boolean;
  tokenSecret: () => string;
  metrics: Metrics;
  logger: Logger;
  staticDir: string | undefined;
  allowedOrigins: readonly string[] | undefined;
  /** the Host rule (`hostRule` of `request-guard.ts`) */
  hostAllowed: (host: string | undefined) => boolean;
  maxBodyBytes?: number;
  /** the store's readiness check for `/readyz` (none: always ready) */
  ready?: (() => Promise<void>) | undefined;
}


function send(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** `ok: false, tooLarge: false`: the connection closed before the body ended (a timeout, or the client left) */
type BodyResult = { ok: true; bytes: Buffer } | { ok: false; tooLarge: boolean };

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

/** Reads the body up to `limit` bytes; past it, stops reading (the answer closes the connection). */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        req.pause();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ ok: true, bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
    // cut off (the request timeout, or the client left): settle so nothing waits forever
    req.on('close', () => resolve({ ok: false, tooLarge: false }));
  });
}

/** The request announces a body (that has not been read). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function createRequestHandler(o: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = o.maxBodyBytes ?? MAX_BODY_BYTES;

  return (req, res) => {
    const t0 = performance.now();
    const given = req.headers.operationid;
    const operationID = typeof given === 'string' && PRINTABLE_ID.test(given) ? given : `srv-${randomBytes(8).toString('hex')}`;
    res.setHeader('operationID', operationID);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    let userID: string | null = null;
    /** set once the handler starts reading the body; a refusal before that does not read it */
    let reading = false;
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
        // refused before the body was read (or past the limit): close rather than read the rest
        if (errCode === ErrCode.TOO_LARGE || (!reading && hasBody(req))) res.setHeader('Connection', 'close');
        send(res, status, JSON.stringify({ errCode, errMsg, errDlt, data: errCode === 0 ? data : null }), 'application/json; charset=utf-8');
      }
      finish(status, errCode);
    };
    const fail = (e: unknown) => {
      if (e instanceof ShapeError) reply(ErrCode.ARGS, `bad arguments: ${e.message}`, e.field, null);
      else if (e instanceof ApiError) reply(e.errCode, e.message, e.errDlt, null);
      else if (isUnavailable(e)) {
        o.logger.error('store unavailable', { operationID, path, error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        reply(ErrCode.UNAVAILABLE, 'unavailable: the server cannot reach its database now; retry later', '', null);
      } else {
        o.logger.error('internal error', { operationID, path, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        reply(ErrCode.INTERNAL, 'internal error', '', null);
      }
    };

    if (!o.hostAllowed(req.headers.host)) {
      return reply(ErrCode.NO_PERMISSION, 'no permission: this server does not answer for that Host (see allowedHosts)', 'host', null);
    }
    if (!isAdminPath(path)) cors(req, res, o.allowedOrigins);
    else if (o.admin && !adminCallAllowed(req.headers)) {
      return reply(ErrCode.NO_PERMISSION, 'no permission: the admin API answers its own origin only', 'origin', null);
    }

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
    if (PROBE_PATHS.has(path) && (req.method === 'GET' || req.method === 'HEAD')) {
      void probe(path, o.ready).then((a) => {
        for (const [k, v] of Object.entries(a.headers)) res.setHeader(k, v);
        send(res, a.status, JSON.stringify(a.body), 'application/json; charset=utf-8');
        finish(a.status, 0);
      }, fail);
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
      reply(ErrCode.NOT_FOUND, `route not found: ${req.method} ${path}`, '', null);
      return;
    }
    if (req.method !== 'POST') {
      reply(ErrCode.NOT_FOUND, `route not found: ${req.method} ${path} (use POST)`, '', null);
      return;
    }

    if (route.auth) {
      const check = verifyToken(o.tokenSecret(), tokenFromHeaders(req.headers));
      if (!check.ok) return reply(check.errCode, check.reason, '', null);
      userID = check.userID;
    }
    const typeError = contentTypeError(req.headers['content-type']);
    if (typeError) return reply(ErrCode.ARGS, `bad arguments: ${typeError}`, 'content-type', null);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reply(ErrCode.TOO_LARGE, `body too large: the limit is ${limit} bytes`, '', null);

    reading = true;
    void (async () => {
      const body = await readBody(req, limit);
      if (!body.ok && !body.tooLarge) return finish(499, 0); // no one to answer: the connection is gone
      if (!body.ok) return reply(ErrCode.TOO_LARGE, `body too large: the limit is ${limit} bytes`, '', null);
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
  return path.startsWith('/conversation/') || path.startsWith('/admin/') || path === '/ws' || path === '/metrics' || PROBE_PATHS.has(path);
}
