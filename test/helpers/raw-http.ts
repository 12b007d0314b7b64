/**
 * Requests fetch cannot make: any `Host` header (node:http), raw bytes on a TCP socket
 * (slow or half-sent requests) and WebSocket upgrades with chosen headers, answered by
 * status code. For the hardening tests of the reference server.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request with exactly these headers (`Host` included, when given). */
export function httpRequest(url: string, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { method: o.method ?? 'POST', headers: o.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface RawConnection {
  socket: Socket;
  /** everything the server sent so far */
  received(): string;
  /** resolves with the ms from connecting until the server closed the connection, or `null` at `maxMs` */
  closedWithin(maxMs: number): Promise<number | null>;
}

/** Opens a TCP connection and writes `bytes` (a request that may stop anywhere). */
export async function rawConnection(port: number, bytes: string | Buffer): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  const t0 = performance.now();
  let data = '';
  let closedAt: number | null = null;
  const closed = new Promise<void>((resolve) => socket.once('close', () => ((closedAt = performance.now() - t0), resolve())));
  socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (bytes.length > 0) socket.write(bytes);
  return {
    socket,
    received: () => data,
    async closedWithin(maxMs) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (t = setTimeout(resolve, maxMs)))]);
      clearTimeout(t);
      return closedAt;
    },
  };
}

/** Opens a WebSocket with these headers: the upgrade's HTTP status on refusal, or the open socket. */
export function upgrade(wsURL: string, headers: Record<string, string> = {}): Promise<{ status: number; ws: WebSocket | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsURL, { headers });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, ws: null });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}
