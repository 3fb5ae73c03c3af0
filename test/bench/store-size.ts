/**
 * Store size under churn: `keys` ConfigMaps each written `writesPerKey` times (one create, then
 * unconditional updates), so the revision log holds keys × writesPerKey rows of history until it is
 * compacted. Reports the database + WAL size after the writes, and after compaction.
 *
 * Compaction: the server compacts on a timer (COMPACT_INTERVAL_MS, 5 minutes). The benchmark sets
 * COMPACTION_INTERVAL_ENV for the server it starts; if the server honours it (a "compacted storage
 * history" log line appears), the size is read from the running server. Otherwise the server is
 * stopped and the same Compactor code runs once on its data dir in this process — the file the
 * server would have after its next timed compaction.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { openStore, storeDir, Compactor, COMPACT_WINDOW_REVISIONS } from "../../src/server/storage/index.js";
import type { TestServer } from "../integration/harness.js";
import { BenchClient, type Target } from "./client.js";
import { runLoad, type LoadResult } from "./load.js";
import { CONFIGMAPS_PATH, createConfigMaps, updateConfigMaps } from "./workloads.js";

/** The environment variable asked of the server to shorten its compaction interval for this benchmark. */
export const COMPACTION_INTERVAL_ENV = "KUBE_LITE_COMPACT_INTERVAL_MS";
/** The interval asked for: short enough to see a compaction within the benchmark. */
export const BENCH_COMPACTION_INTERVAL_MS = 5_000;
/** How long to wait for the server's own timed compaction after the writes. */
const SERVER_COMPACTION_WAIT_MS = 3 * BENCH_COMPACTION_INTERVAL_MS;
/** The timer of a store opened here only to read or compact once: never fires during the benchmark. */
const OFFLINE_COMPACTION_TIMER_MS = 24 * 3600 * 1000;
/** The log message the compactor writes when it dropped history. */
const COMPACTED_LOG_MESSAGE = "compacted storage history";

export interface StoreSizeOptions {
  server: TestServer;
  target: Target;
  keys: number;
  writesPerKey: number;
  concurrency: number;
  timeLimitMs: number;
}

export interface StoreSizeResult {
  writes: number;
  writeErrors: number;
  firstError?: string;
  elapsedMs: number;
  writesPerSecond: number;
  updates: LoadResult;
  /** state.db + state.db-wal right after the writes, server running. */
  afterWrites: FileSizes;
  /** After compaction (see `compactedBy`). */
  afterCompaction: FileSizes;
  compactedBy: "server timer" | "Compactor on the stopped server's data dir";
  rowsBefore?: number;
  rowsAfter?: number;
  currentRevision?: number;
  compactRevision?: number;
}

export interface FileSizes {
  dbBytes: number;
  walBytes: number;
}

/**
 * Runs the writes against `server` and measures its database. May stop the server.
 *
 * @example const r = await measureStoreSize({ server, target, keys: 1000, writesPerKey: 100, concurrency: 32, timeLimitMs: 240_000 });
 */
export async function measureStoreSize(opts: StoreSizeOptions): Promise<StoreSizeResult> {
  const prefix = "churn";
  const started = performance.now();
  const deadline = started + opts.timeLimitMs;
  const creates = await runLoad({ target: opts.target, concurrency: opts.concurrency, count: opts.keys, timeLimitMs: opts.timeLimitMs, warmup: 0, request: createConfigMaps(prefix) });
  const updates = await runLoad({
    target: opts.target,
    concurrency: opts.concurrency,
    count: opts.keys * (opts.writesPerKey - 1),
    timeLimitMs: Math.max(0, deadline - performance.now()),
    warmup: 0,
    request: updateConfigMaps(prefix, opts.keys),
  });
  const elapsedMs = performance.now() - started;
  if (opts.server.proc.exitCode !== null || opts.server.proc.signalCode !== null) {
    throw new Error(`the kube-lite server stopped during the writes (exit code ${opts.server.proc.exitCode}, signal ${opts.server.proc.signalCode}) after ${creates.completed + updates.completed} writes`);
  }
  const writes = creates.completed + updates.completed;
  const dbFile = path.join(storeDir(opts.server.dataDir), "state.db");
  const afterWrites = fileSizes(dbFile);
  const base = {
    writes,
    writeErrors: creates.errors + updates.errors,
    firstError: creates.firstError ?? updates.firstError,
    elapsedMs,
    writesPerSecond: (writes / elapsedMs) * 1000,
    updates,
    afterWrites,
  };

  const currentRevision = await listRevision(opts.target);
  const serverCompactRevision = await serverCompacted(opts.server, elapsedMs, currentRevision - COMPACT_WINDOW_REVISIONS);
  if (serverCompactRevision !== undefined) {
    const afterCompaction = fileSizes(dbFile);
    // Row count: read from the stopped server's store (the sizes above were taken first).
    await stopServer(opts.server);
    const store = await openStoreQuietly(opts.server.dataDir);
    try {
      const rows = (await store.stats()).rows;
      return { ...base, afterCompaction, compactedBy: "server timer", currentRevision, compactRevision: serverCompactRevision, rowsAfter: rows };
    } finally {
      await store.close();
    }
  }
  await stopServer(opts.server);
  const store = await openStoreQuietly(opts.server.dataDir);
  try {
    const before = await store.stats();
    await new Compactor(store, { windowRevisions: COMPACT_WINDOW_REVISIONS, logger: pino({ level: "silent" }) }).runOnce();
    const after = await store.stats();
    return {
      ...base,
      afterCompaction: { dbBytes: after.dbBytes, walBytes: after.walBytes },
      compactedBy: "Compactor on the stopped server's data dir",
      rowsBefore: before.rows,
      rowsAfter: after.rows,
      currentRevision: after.currentRevision,
      compactRevision: after.compactRevision,
    };
  } finally {
    await store.close();
  }
}

async function stopServer(server: TestServer): Promise<void> {
  const code = await server.stop("SIGTERM");
  if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM`);
}

/** The store of a stopped server, without its timed compaction or log lines. */
function openStoreQuietly(dataDir: string): ReturnType<typeof openStore> {
  return openStore({ dataDir, logger: pino({ level: "silent" }), compaction: { intervalMs: OFFLINE_COMPACTION_TIMER_MS } });
}

/**
 * Waits for the server's timed compaction to reach `wantedRevision` (the newest revision minus the
 * window: a run that started after the last write) and returns the compact revision it logged.
 * When the writes took several intervals and the server never compacted, it ignores the interval
 * override: undefined at once.
 */
async function serverCompacted(server: TestServer, writingMs: number, wantedRevision: number): Promise<number | undefined> {
  const compactions = (): number[] =>
    server
      .logs()
      .split("\n")
      .filter((l) => l.includes(COMPACTED_LOG_MESSAGE))
      .map((l) => Number((JSON.parse(l) as { compactRevision?: number }).compactRevision));
  if (compactions().length === 0 && writingMs > 2 * BENCH_COMPACTION_INTERVAL_MS) return undefined;
  const deadline = Date.now() + SERVER_COMPACTION_WAIT_MS;
  while (Date.now() < deadline) {
    // The log line comes after compact + maintain returned.
    const reached = compactions().find((rev) => rev >= wantedRevision);
    if (reached !== undefined) return reached;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/** The store's current revision, as a list reports it. */
async function listRevision(target: Target): Promise<number> {
  const client = new BenchClient(target, 1);
  try {
    const res = await client.request("GET", `${CONFIGMAPS_PATH}?limit=1`);
    const rv = Number((JSON.parse(res.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion);
    if (res.status !== 200 || !Number.isInteger(rv)) throw new Error(`list: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    return rv;
  } finally {
    client.close();
  }
}

function fileSizes(dbFile: string): FileSizes {
  const size = (p: string): number => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return { dbBytes: size(dbFile), walBytes: size(`${dbFile}-wal`) };
}
