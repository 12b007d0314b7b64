/**
 * Tokens: `base64url(userID).expiry.signature`, where expiry is in seconds since the
 * epoch and the signature is HMAC-SHA256 over the first two parts with a secret kept in
 * the server state (so tokens survive a restart that keeps the state). The userID is
 * base64url-encoded so that IDs containing "." stay unambiguous.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ErrCode } from '../protocol/index.js';

export const DEFAULT_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export function newTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export interface IssuedToken {
  token: string;
  /** ms since epoch */
  expiresAt: number;
}

export function issueToken(secret: string, userID: string, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS, now = Date.now()): IssuedToken {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const payload = `${Buffer.from(userID, 'utf8').toString('base64url')}.${exp}`;
  return { token: `${payload}.${sign(secret, payload)}`, expiresAt: exp * 1000 };
}

/** `expiresAt`: ms since epoch; from then on the token is refused (1501, and sockets close with 4401) */
export type TokenCheck = { ok: true; userID: string; expiresAt: number } | { ok: false; errCode: 1501 | 1502; reason: string };

export function verifyToken(secret: string, token: string | undefined, now = Date.now()): TokenCheck {
  if (!token) return { ok: false, errCode: ErrCode.TOKEN_INVALID, reason: 'token missing' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, errCode: ErrCode.TOKEN_INVALID, reason: 'token malformed' };
  const [u, e, s] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, `${u}.${e}`));
  const given = Buffer.from(s);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, errCode: ErrCode.TOKEN_INVALID, reason: 'token invalid' };
  }
  const exp = Number(e);
  if (!/^\d+$/.test(e) || !Number.isSafeInteger(exp)) return { ok: false, errCode: ErrCode.TOKEN_INVALID, reason: 'token malformed' };
  if (now >= exp * 1000) return { ok: false, errCode: ErrCode.TOKEN_EXPIRED, reason: 'token expired' };
  const userID = Buffer.from(u, 'base64url').toString('utf8');
  if (userID === '') return { ok: false, errCode: ErrCode.TOKEN_INVALID, reason: 'token malformed' };
  return { ok: true, userID, expiresAt: exp * 1000 };
}

/** `Authorization: Bearer <t>`, else the OpenIM-style `token: <t>` header. */
export function tokenFromHeaders(h: IncomingHttpHeaders): string | undefined {
  const auth = h.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const t = h.token;
  if (typeof t === 'string' && t.trim() !== '') return t.trim();
  return undefined;
}
