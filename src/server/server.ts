/**
 * `kube-lite server`: wires storage, TLS, the API server, bootstrap objects and controllers, then
 * runs until SIGTERM/SIGINT, when it stops accepting requests, flushes storage and exits 0.
 */
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { componentLogger, rootLogger } from "../shared/log.js";
import { UsageError } from "../shared/usage-error.js";
import { KUBE_GIT_VERSION } from "../shared/version.js";
import type { ServerConfig } from "./config.js";
import { openStore, StoreInUseError } from "./storage/index.js";
import { loadOrCreateTls } from "./tls/index.js";
import { loadOrCreateServerTokens } from "./auth/tokens.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { Authenticator } from "./apiserver/auth.js";
import { ApiHandler } from "./apiserver/api-handler.js";
import { buildControlPlane } from "./control-plane.js";
import { bootstrapCluster } from "./bootstrap.js";
import { startControllers } from "./controllers/index.js";
import { IdleMemoryTrimmer } from "../shared/idle-memory.js";
import { attachTunnelEndpoint } from "./tunnel-endpoint.js";
import type { RunningAgent } from "../agent/agent.js";
import { podLogHandler } from "./apiserver/pod-log.js";
import { attachExecUpgrade } from "./apiserver/pod-exec.js";
import { PodPortForwardEndpoint } from "./apiserver/pod-port-forward.js";

/** How often held heartbeat renewals are checked for persisting (each is written every 5 minutes). */
const HEARTBEAT_FLUSH_CHECK_MS = 30_000;

/** How long a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * The address pods and agents reach this server at: the bind address when it is a specific, non-loopback
 * one, else the first non-internal IPv4 address (as k3s picks the node IP), else loopback.
 */
export function advertiseAddress(bindAddress: string): string {
  if (bindAddress !== "0.0.0.0" && bindAddress !== "::" && !bindAddress.startsWith("127.") && bindAddress !== "::1") return bindAddress;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

/**
 * Compaction tuning for benchmarks and tests: KUBE_LITE_COMPACT_INTERVAL_MS shortens the 5-minute
 * interval. Not a user-facing flag: the default suits every real cluster.
 */
function compactionFromEnv(): { intervalMs?: number } | undefined {
  const v = Number(process.env.KUBE_LITE_COMPACT_INTERVAL_MS);
  return Number.isInteger(v) && v > 0 ? { intervalMs: v } : undefined;
}

export async function runServer(config: ServerConfig): Promise<number> {
  const started = Date.now();
  const log = componentLogger("server");
  mkdirSync(path.join(config.dataDir, "server"), { recursive: true, mode: 0o700 });

  let store;
  try {
    store = await openStore({ dataDir: config.dataDir, logger: componentLogger("storage"), compaction: compactionFromEnv() });
  } catch (err) {
    if (err instanceof StoreInUseError) throw new UsageError(err.message);
    throw err;
  }

  const tls = await loadOrCreateTls({ dir: path.join(config.dataDir, "server", "tls"), sans: config.tlsSans, logger: componentLogger("tls") });
  const tokens = await loadOrCreateServerTokens({ dir: config.dataDir, token: config.token, caHash: tls.caHash });
  const authenticator = new Authenticator([{ token: tokens.adminToken, user: { username: "system:admin", groups: ["system:masters"] } }]);

  const advertise = advertiseAddress(config.bindAddress);
  const cp = await buildControlPlane({ store, log: componentLogger("apiserver") });
  let ready = false;
  const handler = new ApiHandler({
    registry: cp.registry,
    stores: cp.stores,
    authenticator,
    log: componentLogger("apiserver"),
    serverAddress: `${advertise}:${config.httpsPort}`,
    subresourceHandlers: cp.subresourceHandlers,
    virtualCreate: cp.virtualCreate,
    ready: () => ready,
  });

  const trimmer = new IdleMemoryTrimmer();
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caCertPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    trimmer.noteActivity();
    if (tunnel.handleRequest(req, res)) return;
    handler.listener(req, res);
  });
  // Agents dial in here (wss://…/v1-kube-lite/connect); their API calls ride the tunnel into the same handler.
  const tunnel = await attachTunnelEndpoint(server, { tls, joinToken: tokens.joinToken, listener: handler.listener, dataDir: config.dataDir, logger: componentLogger("tunnel") });
  cp.subresourceHandlers.set("/pods/log", podLogHandler(tunnel));
  // exec/attach (and so kubectl cp) upgrade to WebSocket and are relayed to the node's kubelet.
  // port-forward (SPDY raw or in WebSocket, and v4.channel.k8s.io) opens one kubelet stream per forwarded connection.
  const portForwardEndpoint = new PodPortForwardEndpoint({ authenticate: (req) => authenticator.authenticate(req), pods: cp.store("", "pods"), tunnel, log: componentLogger("port-forward") });
  const execEndpoint = attachExecUpgrade(server, { authenticate: (req) => authenticator.authenticate(req), pods: cp.store("", "pods"), tunnel, log: componentLogger("exec") }, [portForwardEndpoint]);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new UsageError(`port ${config.httpsPort} on ${config.bindAddress} is already in use (is another kube-lite server running?)`));
      else reject(err);
    });
    server.listen(config.httpsPort, config.bindAddress, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  await bootstrapCluster({
    namespaces: cp.store("", "namespaces"),
    services: cp.store("", "services"),
    endpoints: cp.store("", "endpoints"),
    endpointSlices: cp.registry.preferred("discovery.k8s.io", "endpointslices") ? cp.store("discovery.k8s.io", "endpointslices") : undefined,
    advertiseAddress: advertise,
    port,
    serviceIp: cp.serviceIps.apiServerIp(),
    log,
  });
  await writeKubeconfig({ path: config.kubeconfigPath, server: `https://127.0.0.1:${port}`, caCertPem: tls.caCertPem, token: tokens.adminToken, clusterName: "default" });
  const controllers = startControllers(cp, { caCertPem: tls.caCertPem, clusterCidr: config.clusterCidr }, componentLogger("controllers"));
  const heartbeatFlush = setInterval(() => cp.flushHeartbeats().catch((err: unknown) => log.warn({ err }, "persisting heartbeats failed")), HEARTBEAT_FLUSH_CHECK_MS);
  heartbeatFlush.unref();
  ready = true;
  log.info({ version: KUBE_GIT_VERSION, address: `https://${config.bindAddress}:${port}`, kubeconfig: config.kubeconfigPath, dataDir: config.dataDir, startupMs: Date.now() - started }, "kube-lite server is ready");
  process.stderr.write(`kube-lite server is ready on https://${config.bindAddress}:${port}\nkubeconfig: ${config.kubeconfigPath}\n`);
  // The embedded agent joins through the same tunnel as any other (k3s runs its agent the same way).
  let agent: RunningAgent | undefined;
  if (!config.disableAgent) {
    const { runAgent, defaultNodeName } = await import("../agent/agent.js");
    runAgent({ server: `https://127.0.0.1:${port}`, token: tokens.joinToken, dataDir: config.dataDir, nodeName: config.nodeName ?? defaultNodeName(), labels: {}, taints: [], roles: ["control-plane"], logger: componentLogger("agent") }).then(
      (a) => (agent = a),
      (err: unknown) => log.error({ err: (err as Error).message }, "the embedded agent could not start; the control plane keeps running"),
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      const deadline = setTimeout(() => {
        log.error("shutdown took too long; exiting");
        resolve(1);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      void agent?.stop();
      controllers.stop();
      trimmer.stop();
      clearInterval(heartbeatFlush);
      tunnel.close();
      execEndpoint.close();
      portForwardEndpoint.close();
      server.close();
      server.closeAllConnections();
      cp.flushHeartbeats(true)
        .then(() => store.close())
        .then(() => {
          clearTimeout(deadline);
          log.info("stopped");
          rootLogger.flush();
          resolve(0);
        })
        .catch((err: unknown) => {
          log.error({ err }, "closing storage failed");
          resolve(1);
        });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
