/**
 * Who may talk to the server from a browser:
 *
 * - **Host** (against DNS rebinding): with the admin API on, a request (or WebSocket
 *   upgrade) whose `Host` is not a loopback name (`localhost`, `127.0.0.1`, `[::1]`) or the
 *   configured `host`, each with the server's port, nor an entry of `allowedHosts`, is
 *   refused. A page that rebinds its own name to 127.0.0.1 still sends its own name.
 * - **Admin routes are same-origin only**: no CORS headers on `/admin/*`, and a request
 *   carrying an `Origin` other than the server's own (`http(s)://` + its `Host`), or a
 *   `Sec-Fetch-Site` of `cross-site`/`same-site`, is refused. A request without `Origin`
 *   (Node, curl, a same-origin GET) passes.
 * - **CORS** on the API routes: `*`, or the `allowedOrigins` echoed.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** The names every loopback client may use, with the server's port. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** `Host` → `{name, port}` (name lower-cased, IPv6 in brackets, port `''` when absent); `null` when malformed. */
export function splitHost(host: string): { name: string; port: string } | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  return m ? { name: m[1]!.toLowerCase(), port: m[2] ?? '' } : null;
}

/** `::1` → `[::1]`: a bare IPv6 address (two colons or more) as it appears in a `Host` header. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  return !h.startsWith('[') && h.indexOf(':') !== h.lastIndexOf(':') ? `[${h}]` : h;
}

export interface HostRuleOptions {
  /** `true`: any Host; a list: these too (`name` any port, `name:port` that port) */
  allowedHosts: readonly string[] | true | undefined;
  admin: boolean;
  /** the configured listen host */
  host: string;
  /** the port the server listens on (known after `listen`) */
  port: () => number;
}

/** Throws a TypeError naming the first `allowedHosts` entry that is not a host or host:port. */
export function checkAllowedHosts(list: readonly string[] | true | undefined): void {
  if (list === undefined || list === true) return;
  if (!Array.isArray(list)) throw new TypeError('allowedHosts must be a list of host names or true');
  for (const h of list) {
    if (typeof h !== 'string' || splitHost(hostName(h)) === null) throw new TypeError(`allowedHosts: not a host name: ${JSON.stringify(h)}`);
  }
}

/**
 * The Host rule: returns `true` when a request with this `Host` header is served. Without
 * `allowedHosts` and with admin off every Host is served (a production server behind
 * any name); with admin on, or with an explicit list, only the names above are.
 */
export function hostRule(o: HostRuleOptions): (host: string | undefined) => boolean {
  if (o.allowedHosts === true || (o.allowedHosts === undefined && !o.admin)) return () => true;
  const own = new Set([...LOOPBACK_HOSTS, hostName(o.host)]);
  const anyPort = new Set<string>();
  const exact = new Set<string>();
  for (const entry of o.allowedHosts ?? []) {
    const p = splitHost(hostName(entry))!;
    if (p.port === '') anyPort.add(p.name);
    else exact.add(`${p.name}:${Number(p.port)}`);
  }
  return (header) => {
    const p = header === undefined ? null : splitHost(header);
    if (!p) return false;
    const port = p.port === '' ? 80 : Number(p.port);
    if (own.has(p.name) && port === o.port()) return true;
    return anyPort.has(p.name) || exact.has(`${p.name}:${port}`);
  };
}

/** True when `origin` is exactly `http(s)://` + the request's own `Host` (default ports folded). */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || splitHost(host) === null) return false;
  let o: URL;
  let h: URL;
  try {
    o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    h = new URL(`${o.protocol}//${host.trim()}`);
  } catch {
    return false;
  }
  // a browser sends the serialised origin: anything else (a path, a slash, upper case) is not one
  return o.origin === origin && h.host === o.host;
}

/** Admin routes: only the server's own pages, or callers that are no page at all. */
export function adminCallAllowed(h: IncomingHttpHeaders): boolean {
  const site = h['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  return h.origin === undefined || sameOrigin(h.origin, h.host);
}

export function isAdminPath(path: string): boolean {
  return path.startsWith('/admin/');
}

/** CORS headers of the API routes (never called for `/admin/*`). */
export function cors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[] | undefined): void {
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
