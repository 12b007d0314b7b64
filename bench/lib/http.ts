/**
 * The reference server over HTTP, through the envelope helper the tests use too
 * (support/http.ts). No Node module: the client-side operations call it in the page.
 */
import { dataOf, postJSON } from '../../support/http.js';
import { uniq } from './util.js';

/** POST to the reference server; returns `data`, the answer's byte size and its bytes. */
export async function postRaw<T>(apiURL: string, path: string, body: unknown, token?: string): Promise<{ data: T; bytes: number; raw: Uint8Array }> {
  const r = await postJSON<T>(apiURL, path, body, token);
  return { data: dataOf(path, r.body), bytes: r.raw.byteLength, raw: r.raw };
}

export async function post<T>(apiURL: string, path: string, body: unknown, token?: string): Promise<T> {
  return (await postRaw<T>(apiURL, path, body, token)).data;
}

export async function tokenFor(apiURL: string, userID: string): Promise<string> {
  return (await post<{ token: string }>(apiURL, '/admin/token', { userID })).token;
}

/** A new user with `count` seeded conversations, and a token for it. */
export async function seedUser(apiURL: string, prefix: string, count: number): Promise<{ userID: string; token: string }> {
  const userID = uniq(prefix);
  await post(apiURL, '/admin/seed', { userID, count });
  return { userID, token: await tokenFor(apiURL, userID) };
}
