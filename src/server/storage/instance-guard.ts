/**
 * Single-instance guard for a database file. node-sqlite3-wasm locks with a `<db>.lock` directory
 * that a killed process leaves behind, so the lock directory cannot tell a live server from a dead
 * one. A Linux abstract unix socket can: it has no file, the kernel releases it the moment the
 * process dies (even on SIGKILL), and a second bind fails with EADDRINUSE.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:net";

/** Abstract socket names are limited (108 bytes incl. the leading NUL), so the path is hashed. */
const GUARD_NAME_PREFIX = "kube-lite-db-";

/** Thrown when another live process (or another store in this process) holds the database. */
export class StoreInUseError extends Error {
  constructor(readonly path: string) {
    super(`another kube-lite server is using ${path}`);
    this.name = "StoreInUseError";
  }
}

export interface InstanceGuard {
  /** The abstract socket name (without the leading NUL), for logs. */
  readonly name: string;
  release(): Promise<void>;
}

/**
 * Claims `absPath` for this process until `release()` or exit.
 *
 * @example
 *   const guard = await acquireInstanceGuard("/var/lib/kube-lite/server/db/state.db");
 *   try { ... } finally { await guard.release(); }
 */
export async function acquireInstanceGuard(absPath: string): Promise<InstanceGuard> {
  const name = GUARD_NAME_PREFIX + createHash("sha256").update(absPath).digest("hex").slice(0, 40);
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(err.code === "EADDRINUSE" ? new StoreInUseError(absPath) : err);
    });
    server.listen({ path: "\0" + name, exclusive: true }, () => resolve());
  });
  // The guard must never keep the process alive on its own.
  server.unref();
  let released = false;
  return {
    name,
    release: () =>
      new Promise<void>((resolve) => {
        if (released) return resolve();
        released = true;
        server.close(() => resolve());
      }),
  };
}
