/** The server's logger: one structured line per event. Tokens are never passed to it. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, error() {} };

/** JSON lines (`{"t":…,"level":…,"msg":…,…fields}`) written through `write`. */
export function jsonLineLogger(write: (line: string) => void): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }) + '\n');
  return { info: (m, f) => line('info', m, f), error: (m, f) => line('error', m, f) };
}
