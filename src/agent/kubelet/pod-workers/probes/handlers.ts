/**
 * The three probe (and lifecycle hook) actions: exec in the container, HTTP GET to the pod IP, TCP
 * connect. Shared by probes and postStart/preStop hooks, as upstream's prober and handler runner.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Container, ExecAction, HTTPGetAction, TCPSocketAction } from "kubernetes-types/core/v1.js";
import type { ContainerRuntime } from "../../runtime/types.js";

/** Upstream prober's User-Agent: `kube-probe/<major>.<minor>`. */
export const PROBE_USER_AGENT = "kube-probe/1.32";
/** Upstream caps how much of a failing probe's output it keeps in the message (10 KiB). */
const MAX_PROBE_OUTPUT_BYTES = 10 * 1024;

export type ProbeResult = { ok: true; output?: string } | { ok: false; output: string };

/** A port given by number or by the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === "number") return port;
  if (port === undefined) throw new Error("no port given");
  if (/^\d+$/.test(port)) return Number(port);
  const p = container.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port: ${port} in ${container.name}`);
  return p.containerPort;
}

function ended(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (!stream || (stream as { readableEnded?: boolean }).readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
}

/**
 * Runs a command in the container; success is exit code 0 within the timeout.
 *
 * @example await execAction(runtime, containerId, { command: ["cat", "/tmp/healthy"] }, 1000)
 */
export async function execAction(runtime: ContainerRuntime, containerId: string, action: ExecAction, timeoutMs: number): Promise<ProbeResult> {
  const session = await runtime.exec(containerId, { command: action.command ?? [], stdout: true, stderr: true });
  let output = "";
  const collect = (chunk: Buffer) => {
    if (output.length < MAX_PROBE_OUTPUT_BYTES) output += chunk.toString("utf8");
  };
  session.stdout?.on("data", collect);
  session.stderr?.on("data", collect);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  try {
    const code = await Promise.race([session.exitCode, timeout]);
    // The output may still be in flight when the exit code is known: let it drain.
    if (code !== "timeout") await Promise.race([Promise.all([ended(session.stdout), ended(session.stderr)]), timeout]);
    if (code === "timeout") {
      session.close();
      return { ok: false, output: `command timed out after ${timeoutMs / 1000}s` };
    }
    return code === 0 ? { ok: true, output } : { ok: false, output: output || `command exited with ${code}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * HTTP(S) GET; success is a status in [200, 400). The host defaults to the pod IP; HTTPS skips
 * certificate verification, as upstream's prober does.
 *
 * @example await httpGetAction({ path: "/healthz", port: 8080 }, container, "10.42.0.7", 1000)
 */
export function httpGetAction(action: HTTPGetAction, container: Container, podIP: string, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(action.port, container);
  const host = action.host || podIP;
  const https = action.scheme === "HTTPS";
  const headers: Record<string, string> = { "user-agent": PROBE_USER_AGENT, accept: "*/*" };
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  const path = action.path ? (action.path.startsWith("/") ? action.path : `/${action.path}`) : "/";
  return new Promise((resolve) => {
    // HTTPS probes do not verify the certificate (upstream's InsecureSkipVerify); the empty `ca` keeps
    // Node from building its root store for nothing (src/agent/tunnel/pinned-tls.ts says why it matters).
    const req = (https ? httpsRequest : httpRequest)(
      { host, port, path, method: "GET", headers, timeout: timeoutMs, ca: [], rejectUnauthorized: false, agent: false },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          if (body.length < MAX_PROBE_OUTPUT_BYTES) body += c.toString("utf8");
        });
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ ok: true, output: body });
          else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
        });
        res.on("error", (err) => resolve({ ok: false, output: err.message }));
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ ok: false, output: `Get "${https ? "https" : "http"}://${host}:${port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on("error", (err) => resolve({ ok: false, output: `Get "${https ? "https" : "http"}://${host}:${port}${path}": ${err.message}` }));
    req.end();
  });
}

/**
 * TCP connect; success is an accepted connection within the timeout.
 *
 * @example await tcpSocketAction({ port: 6379 }, container, "10.42.0.7", 1000)
 */
export function tcpSocketAction(action: TCPSocketAction, container: Container, podIP: string, timeoutMs: number): Promise<ProbeResult> {
  const port = resolvePort(action.port, container);
  const host = action.host || podIP;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `dial tcp ${host}:${port}: ${err.message}` });
    });
  });
}

/** A probe or hook handler: one of exec, httpGet, tcpSocket (grpc and sleep are not supported here). */
export interface Handler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: { seconds: number };
}

/**
 * Runs whichever action the handler names.
 *
 * @example const r = await runHandler(runtime, probe, container, containerId, podIP, 1000); if (!r.ok) log(r.output);
 */
export async function runHandler(runtime: ContainerRuntime, h: Handler, container: Container, containerId: string, podIP: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    if (h.exec) return await execAction(runtime, containerId, h.exec, timeoutMs);
    if (h.httpGet) return await httpGetAction(h.httpGet, container, podIP, timeoutMs);
    if (h.tcpSocket) return await tcpSocketAction(h.tcpSocket, container, podIP, timeoutMs);
    if (h.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(h.sleep!.seconds * 1000, timeoutMs)));
      return { ok: true };
    }
    return { ok: false, output: "unknown handler: none of exec, httpGet, tcpSocket or sleep is set" };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}
