/**
 * The optional peer dependencies of the server (`ws` always, `pg` for the PostgreSQL
 * store), loaded when first needed so that importing `convsync/server` never fails on
 * them. A missing one is reported as a `MissingPeerError` that says what to install.
 */

/** A peer dependency the server needs is not installed. */
export class MissingPeerError extends Error {
  readonly code = 'CONVSYNC_MISSING_PEER';
  constructor(
    readonly packageName: string,
    why: string,
  ) {
    super(`${why} needs the "${packageName}" package, which is not installed: run \`npm i ${packageName}\``);
    this.name = 'MissingPeerError';
  }
}

function notFound(e: unknown, name: string): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = err?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(err?.message).includes(`'${name}'`);
}

/**
 * Imports a peer dependency and answers its module namespace. `load` is the `import()`
 * call itself, written at the caller so bundlers keep it dynamic.
 */
export async function loadPeer<T>(name: string, why: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (notFound(e, name)) throw new MissingPeerError(name, why);
    throw e;
  }
}
