/**
 * A server in its own process for scenario 7's load and fan-out runs, so the load
 * generator (the parent) and the server do not share one thread. `convsync`: the
 * reference server; `bare`: the floor beside it, node:http + ws doing the least a
 * server can (read and parse the JSON body, answer a fixed envelope; broadcast a frame).
 * Prints `READY <url>` once listening; exits when stdin closes.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { createServer } from '../../src/server/index.js';

async function main(): Promise<void> {
  const mode = process.argv[2];
  let close: () => Promise<void>;
  if (mode === 'convsync') {
    // the fan-out holds 1,000 sockets of one user, above the default caps (100 per user)
    const s = await createServer({ port: 0, host: '127.0.0.1', admin: true, heartbeatMs: 600_000, maxSocketsPerUser: 2000, maxUnauthenticatedSockets: 2000 });
    close = () => s.close();
    process.stdout.write(`READY ${s.url}\n`);
  } else {
    const fixed = JSON.stringify({ errCode: 0, errMsg: '', errDlt: '', data: { versionID: '0123456789abcdef01234567', version: 12, full: false, delete: [], insert: [], update: [] } });
    const wss = new WebSocketServer({ noServer: true });
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: { frameBytes?: number } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { frameBytes?: number };
        } catch {
          /* empty body */
        }
        if (req.url === '/broadcast') {
          const text = JSON.stringify({ type: 'conversation.changed', pad: 'x'.repeat(Math.max(0, (body.frameBytes ?? 100) - 40)) });
          for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(text);
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(fixed) });
        res.end(fixed);
      });
    });
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    close = async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    };
    process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  }
  process.stdin.resume();
  process.stdin.on('end', () => {
    void close().finally(() => process.exit(0));
  });
}

void main();
