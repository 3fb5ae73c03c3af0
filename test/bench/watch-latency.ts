/**
 * Watch event latency: many watchers on ConfigMaps, then a series of updates to one ConfigMap; the
 * latency of a delivery is from just before the update request is sent to the moment a watcher has
 * parsed the event carrying that update. Updates go one at a time (the next after every watcher
 * got the previous one), so this is delivery latency, not queueing under a write storm.
 */
import https from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { BenchClient, type Target } from "./client.js";
import { summarize, type LatencySummary } from "./stats.js";
import { CONFIGMAPS_PATH, configMapBody } from "./workloads.js";

/** How long one update may take to reach every watcher before it counts as missed for the rest. */
const EVENT_DELIVERY_TIMEOUT_MS = 5_000;
/** How long the watchers may take to get their response headers. */
const WATCH_OPEN_TIMEOUT_MS = 10_000;

export interface WatchLatencyOptions {
  target: Target;
  watchers: number;
  events: number;
  /** The ConfigMap that is updated; created first. */
  objectName: string;
}

export interface WatchLatencyResult {
  target: string;
  watchers: number;
  events: number;
  deliveries: number;
  missed: number;
  /** Write request → watcher has the event, over every (event, watcher) pair. */
  latency: LatencySummary;
  /** The update requests themselves. */
  writeLatency: LatencySummary;
}

interface OpenWatch {
  req: ClientRequest;
  /** seq → arrival time (performance.now()). */
  seen: Map<number, number>;
}

/**
 * @example
 *   const r = await measureWatchLatency({ target, watchers: 100, events: 200, objectName: "watched" });
 *   console.log(r.latency.p50, r.latency.p99, r.missed);
 */
export async function measureWatchLatency(opts: WatchLatencyOptions): Promise<WatchLatencyResult> {
  const writer = new BenchClient(opts.target, 1);
  const agent = new https.Agent({ keepAlive: false, maxSockets: opts.watchers, ca: opts.target.caPem });
  const watches: OpenWatch[] = [];
  try {
    const created = await writer.request("POST", CONFIGMAPS_PATH, configMapBody(opts.objectName, { seq: "-1" }));
    if (created.status !== 201) throw new Error(`creating ${opts.objectName}: HTTP ${created.status} ${created.body.slice(0, 200)}`);
    const list = await writer.request("GET", `${CONFIGMAPS_PATH}?limit=1`);
    const resourceVersion = (JSON.parse(list.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? "";
    if (!resourceVersion) throw new Error(`list returned no resourceVersion: ${list.body.slice(0, 200)}`);

    let waiter: { seq: number; done(): void } | undefined;
    const onEvent = (): void => {
      if (waiter && watches.every((w) => w.seen.has(waiter!.seq))) waiter.done();
    };
    await Promise.all(Array.from({ length: opts.watchers }, () => openWatch(opts, agent, resourceVersion, onEvent).then((w) => watches.push(w))));

    const latencies: number[] = [];
    const writeLatencies: number[] = [];
    let missed = 0;
    for (let seq = 0; seq < opts.events; seq++) {
      const delivered = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), EVENT_DELIVERY_TIMEOUT_MS);
        waiter = {
          seq,
          done: () => {
            clearTimeout(timer);
            resolve(true);
          },
        };
      });
      const sentAt = performance.now();
      const res = await writer.request("PUT", `${CONFIGMAPS_PATH}/${opts.objectName}`, configMapBody(opts.objectName, { seq: String(seq) }));
      if (res.status !== 200) throw new Error(`update ${seq}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
      writeLatencies.push(res.ms);
      onEvent();
      await delivered;
      waiter = undefined;
      for (const w of watches) {
        const at = w.seen.get(seq);
        if (at === undefined) missed++;
        else latencies.push(at - sentAt);
      }
    }
    return { target: opts.target.name, watchers: opts.watchers, events: opts.events, deliveries: latencies.length, missed, latency: summarize(latencies), writeLatency: summarize(writeLatencies) };
  } finally {
    for (const w of watches) w.req.destroy();
    agent.destroy();
    writer.close();
  }
}

function openWatch(opts: WatchLatencyOptions, agent: https.Agent, resourceVersion: string, onEvent: () => void): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const seen = new Map<number, number>();
    const headers: Record<string, string> = { Accept: "application/json", ...(opts.target.token ? { Authorization: `Bearer ${opts.target.token}` } : {}) };
    const path = `${CONFIGMAPS_PATH}?watch=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
    const timer = setTimeout(() => reject(new Error("watch did not open in time")), WATCH_OPEN_TIMEOUT_MS);
    const req = https.request({ host: "127.0.0.1", port: opts.target.port, method: "GET", path, agent, headers }, (res: IncomingMessage) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        reject(new Error(`watch: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const now = performance.now();
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          const seq = eventSeq(line, opts.objectName);
          if (seq !== undefined && !seen.has(seq)) seen.set(seq, now);
        }
        onEvent();
      });
      res.on("error", () => undefined);
      resolve({ req, seen });
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** The `data.seq` of a MODIFIED event for `name`, else undefined. */
function eventSeq(line: string, name: string): number | undefined {
  if (!line.trim()) return undefined;
  const ev = JSON.parse(line) as { type?: string; object?: { metadata?: { name?: string }; data?: { seq?: string } } };
  if (ev.type !== "MODIFIED" || ev.object?.metadata?.name !== name) return undefined;
  const seq = Number(ev.object.data?.seq);
  return Number.isInteger(seq) && seq >= 0 ? seq : undefined;
}
