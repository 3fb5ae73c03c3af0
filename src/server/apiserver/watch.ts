/**
 * Serving a watch: newline-delimited `{"type","object"}` JSON, headers flushed at once (kubectl wait and
 * rollout status block until they arrive), optional bookmarks, `timeoutSeconds`, and a bound on how much
 * a slow client may leave unread before the watch is closed (the client then re-watches, as upstream).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../shared/api/types.js";
import type { GenericStore, WatchEvent, WatchQuery } from "../registry/generic-store.js";
import { toTable, type IncludeObject } from "./tables.js";

/** How often to send BOOKMARK events to clients that allow them (upstream sends about once a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** A client with more than this unread is too slow: its watch ends and it re-lists/re-watches. */
export const MAX_UNREAD_BYTES = 16 * 1024 * 1024;
/** Upper bound of one watch when the client sets no timeout (upstream: a random 30–60 min). */
export const DEFAULT_WATCH_TIMEOUT_S = 1800;

export interface WatchServeOptions {
  store: GenericStore;
  namespace: string | undefined;
  query: WatchQuery;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  table?: { include: IncludeObject; version: "v1" | "v1beta1" };
  contentType: string;
  onError(err: Error): void;
}

export async function serveWatch(req: IncomingMessage, res: ServerResponse, opts: WatchServeOptions): Promise<void> {
  const { store } = opts;
  let first = true;
  let lastRevision = opts.query.resourceVersion && opts.query.resourceVersion !== "0" ? opts.query.resourceVersion : "";
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  let handle: { close(): void } | undefined;

  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    handle?.close();
    if (!res.writableEnded) res.end();
  };

  const encode = (ev: WatchEvent): string => {
    let object: unknown = ev.object;
    if (opts.table && (ev.type === "ADDED" || ev.type === "MODIFIED" || ev.type === "DELETED")) {
      object = toTable(store.rt, [ev.object as KubeObject], { include: opts.table.include, version: opts.table.version, noHeaders: !first });
      first = false;
    }
    return JSON.stringify({ type: ev.type, object }) + "\n";
  };

  const send = (ev: WatchEvent): void => {
    if (ended) return;
    const rv = (ev.object as KubeObject).metadata?.resourceVersion;
    if (rv && ev.type !== "ERROR") lastRevision = rv;
    res.write(encode(ev));
    if (res.writableLength > MAX_UNREAD_BYTES) end();
  };

  // Validate the request (selectors, resourceVersion) before committing to a 200.
  store.matcher(opts.query.labelSelector, opts.query.fieldSelector);

  res.writeHead(200, { "Content-Type": opts.contentType, "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  res.on("close", end);

  try {
    handle = await store.watch(opts.namespace, opts.query, send, (err) => {
      if (err) opts.onError(err);
      end();
    });
  } catch (err) {
    end();
    throw err;
  }
  if (ended) {
    handle.close();
    return;
  }
  const timeout = opts.timeoutSeconds && opts.timeoutSeconds > 0 ? opts.timeoutSeconds : DEFAULT_WATCH_TIMEOUT_S;
  timers.push(setTimeout(end, timeout * 1000));
  if (opts.allowBookmarks) {
    const bookmark = (): void => {
      if (ended) return;
      if (lastRevision) {
        res.write(JSON.stringify({ type: "BOOKMARK", object: { kind: store.rt.kind, apiVersion: store.apiVersion, metadata: { resourceVersion: lastRevision } } }) + "\n");
      }
      timers.push(setTimeout(bookmark, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(bookmark, BOOKMARK_INTERVAL_MS));
  }
  void req;
}
