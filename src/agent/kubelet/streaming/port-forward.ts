/**
 * The kubelet's `portForward` endpoint, served on streams the server opens through the tunnel:
 * `/portForward/<namespace>/<pod>?port=N` carries ONE forwarded TCP connection. The agent finds the
 * pod's sandbox, connects to `port` in the pod's network namespace, answers with the stream header
 * (`{"ok":true}`, or a Status-like error such as a refused connection), then relays raw bytes both
 * ways with backpressure and half-close until both sides are done.
 *
 * Upstream's kubelet multiplexes many connections on one SPDY/WebSocket session per client; here the
 * server does that part (src/server/apiserver/pod-port-forward.ts) and opens one stream per
 * connection, so this side stays a plain byte pipe.
 */
import type { Duplex } from "node:stream";
import type { Logger } from "../../../shared/log.js";
import { writeStreamHeader } from "../../../shared/tunnel/kubelet-stream.js";
import { relay } from "../../../shared/stream-relay.js";
import type { ContainerRuntime, SandboxInfo } from "../runtime/types.js";

export interface PortForwardRequest {
  namespace: string;
  pod: string;
  port: number;
}

/** Highest TCP port. */
const MAX_PORT = 65535;

/**
 * Parses a portForward kubelet path; throws RangeError with upstream's wording for a bad port.
 *
 * @example parsePortForwardPath("/portForward/default/web?port=8080") // { namespace: "default", pod: "web", port: 8080 }
 */
export function parsePortForwardPath(path: string): PortForwardRequest {
  const [pathname, query = ""] = path.split("?", 2) as [string, string?];
  const [, endpoint, namespace, pod, extra] = pathname.split("/");
  if (endpoint !== "portForward" || !namespace || !pod || extra !== undefined) throw new RangeError(`not a portForward path: ${pathname}`);
  const raw = new URLSearchParams(query).get("port");
  if (!raw) throw new RangeError(`query parameter "port" is required`);
  if (!/^\d+$/.test(raw)) throw new RangeError(`unable to parse "${raw}" as a port`);
  const port = Number(raw);
  if (port < 1 || port > MAX_PORT) throw new RangeError(`port "${raw}" must be between 1 and ${MAX_PORT}`);
  return { namespace, pod, port };
}

/**
 * The sandbox of pod `namespace/name` to forward into: a running one, the newest attempt first
 * (a pod whose sandbox was recreated keeps the old, stopped one around until it is cleaned up).
 */
export function pickSandbox(sandboxes: SandboxInfo[], namespace: string, name: string): SandboxInfo | undefined {
  return sandboxes
    .filter((s) => s.namespace === namespace && s.podName === name && s.state === "ready")
    .sort((a, b) => b.attempt - a.attempt || (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
}

/**
 * Serves one portForward stream: refuses a bad path or a pod without a running sandbox, connects to
 * the port (a refused connection is the header's error), then relays until both ends are done.
 *
 * @example if (request.endpoint === "portForward") servePortForward(stream, request.path, runtime, log).catch(fail)
 */
export async function servePortForward(stream: Duplex, path: string, runtime: ContainerRuntime, log: Logger): Promise<void> {
  let req: PortForwardRequest;
  try {
    req = parsePortForwardPath(path);
  } catch (err) {
    writeStreamHeader(stream, { code: 400, reason: "BadRequest", message: (err as Error).message });
    stream.end();
    return;
  }
  const sandbox = pickSandbox(await runtime.listPodSandboxes(), req.namespace, req.pod);
  if (!sandbox) {
    // Upstream's kubelet answers a pod it does not run with 404 "pod does not exist".
    writeStreamHeader(stream, { code: 404, reason: "NotFound", message: `pod ${req.namespace}/${req.pod} does not exist or has no running sandbox on this node` });
    stream.end();
    return;
  }
  let connection: Duplex;
  try {
    connection = await runtime.portForward(sandbox.sandboxId, req.port);
  } catch (err) {
    if (!stream.destroyed) {
      writeStreamHeader(stream, { code: 500, reason: "InternalError", message: (err as Error).message });
      stream.end();
    }
    return;
  }
  if (stream.destroyed) {
    connection.destroy();
    return;
  }
  writeStreamHeader(stream, { ok: true });
  const err = await relay(connection, stream);
  log.debug({ pod: `${req.namespace}/${req.pod}`, port: req.port, err: err?.message }, "port-forward connection ended");
}
