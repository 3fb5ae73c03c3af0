/**
 * The kubelet's `containerLogs` endpoint, served on streams the server opens through the tunnel
 * (`/containerLogs/<namespace>/<pod>/<container>?follow=…`): finds the container (or, with
 * `previous`, the instance before it), answers with the stream header, then pipes the runtime's log
 * with backpressure until it ends or the server closes the stream.
 */
import type { Duplex } from "node:stream";
import type { Logger } from "../../../shared/log.js";
import { writeStreamHeader } from "../../../shared/tunnel/kubelet-stream.js";
import type { ContainerRuntime, LogOptions } from "../runtime/types.js";
import { findContainerInstance, refuseStream } from "./containers.js";

export { pickInstance } from "./containers.js";

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  options: LogOptions;
  previous: boolean;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/**
 * Parses `/containerLogs/ns/pod/container?query` (PodLogOptions as query parameters).
 *
 * @example parseLogPath("/containerLogs/default/web/nginx?follow=true&tailLines=10")
 */
export function parseLogPath(path: string): LogRequest {
  const [pathname, query = ""] = path.split("?", 2) as [string, string?];
  const [, endpoint, namespace, pod, container] = pathname.split("/");
  if (endpoint !== "containerLogs" || !namespace || !pod || !container) throw new RangeError(`not a container log path: ${pathname}`);
  const q = new URLSearchParams(query);
  const sinceSeconds = intParam(q, "sinceSeconds");
  const sinceTime = q.get("sinceTime");
  let since: Date | undefined;
  if (sinceTime) {
    since = new Date(sinceTime);
    if (Number.isNaN(since.getTime())) throw new RangeError(`sinceTime must be an RFC 3339 time, got "${sinceTime}"`);
  } else if (sinceSeconds !== undefined) {
    since = new Date(Date.now() - sinceSeconds * 1000);
  }
  return {
    namespace,
    pod,
    container,
    previous: q.get("previous") === "true",
    options: {
      follow: q.get("follow") === "true",
      timestamps: q.get("timestamps") === "true",
      tailLines: intParam(q, "tailLines"),
      limitBytes: intParam(q, "limitBytes"),
      since,
    },
  };
}

export async function serveContainerLogs(stream: Duplex, path: string, runtime: ContainerRuntime, log: Logger): Promise<void> {
  let req: LogRequest;
  try {
    req = parseLogPath(path);
  } catch (err) {
    return refuseStream(stream, (err as Error).message);
  }
  const target = await findContainerInstance(runtime, req.namespace, req.pod, req.container, req.previous);
  if (!target) {
    return refuseStream(
      stream,
      req.previous ? `previous terminated container "${req.container}" in pod "${req.pod}" not found` : `container "${req.container}" in pod "${req.pod}" is not available`,
    );
  }
  const logs = await runtime.logs(target.id, req.options);
  writeStreamHeader(stream, { ok: true });
  const stop = (): void => logs.close();
  stream.on("close", stop);
  stream.on("error", stop);
  logs.output.on("error", (err) => {
    log.debug({ err: err.message, pod: `${req.namespace}/${req.pod}`, container: req.container }, "log stream failed");
    stream.end();
  });
  logs.output.pipe(stream);
}
