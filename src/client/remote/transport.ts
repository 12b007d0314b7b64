/**
 * The transport port the sync round talks to: one user's conversation endpoints. The
 * HTTP implementation wraps `Http`; tests may hand the round a scripted one.
 */
import type { Http } from './http.js';

export interface Transport {
  /** POSTs `/conversation/<endpoint>` with `userID` added to `body`; `read` validates `data`. */
  post<T>(endpoint: string, body: object, read: (data: unknown) => T): Promise<T>;
}

export function userTransport(http: Http, userID: string): Transport {
  return { post: (endpoint, body, read) => http.post('/conversation/' + endpoint, { userID, ...body }, read) };
}
