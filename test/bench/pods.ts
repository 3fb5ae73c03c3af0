/**
 * What the Docker and simulated-node benchmarks share: JSON requests to the test server, and a pod
 * watch that reports the moment each pod is first seen Running.
 */
import https from "node:https";
import type { TestServer } from "../integration/harness.js";

/** A pod as the benchmarks read it from a watch. */
export interface WatchedPod {
  metadata: { name: string };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

/** A request with an optional JSON body. */
export function request(server: TestServer, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }> {
  return server.request(method, urlPath, body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : { "Content-Type": "application/json" });
}

/**
 * Watches the default namespace's pods from resourceVersion `rv` and calls `onRunning` once per pod,
 * the first time it is seen Running, with `performance.now()` of that moment. Returns the close.
 *
 * @example const close = watchFirstRunning(server, rv, (pod, t) => started.set(pod.metadata.name, t));
 */
export function watchFirstRunning(server: TestServer, rv: string, onRunning: (pod: WatchedPod, at: number) => void): () => void {
  const seen = new Set<string>();
  const req = https.request({ host: "127.0.0.1", port: server.port, path: `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, ca: server.caPem, headers: { Authorization: `Bearer ${server.token}` } }, (res) => {
    let buf = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const ev = JSON.parse(line) as { type: string; object: WatchedPod };
        const pod = ev.object;
        if (ev.type === "DELETED" || pod.status?.phase !== "Running" || seen.has(pod.metadata.name)) continue;
        seen.add(pod.metadata.name);
        onRunning(pod, performance.now());
      }
    });
  });
  req.on("error", () => undefined);
  req.end();
  return () => req.destroy();
}
