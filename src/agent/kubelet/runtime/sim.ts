/**
 * `ContainerRuntime` in memory, for scale work (`kube-lite agent --runtime sim`, kwok-style): pod
 * sandboxes get addresses from the node's pod CIDR, containers are created and started at once and run
 * until stopped, images are always present. Nothing touches Docker, and nothing of a container exists
 * on disk. The kubelet above it is the real one, so pod phases, conditions, restarts per restartPolicy
 * and deletion behave as on Docker. Streaming (exec, attach, port-forward) has no process to talk to and
 * is refused with a clear error; exec probes and exec hooks therefore fail. State lives in the
 * process: a restarted sim agent starts its pods' containers afresh, as after a node reboot.
 */
import { createHash, randomBytes } from "node:crypto";
import { rm } from "../../fs-async.js";
import { join } from "node:path";
import { Readable, type Duplex } from "node:stream";
import { intToIpv4, ipv4ToInt, parseIpv4Cidr } from "../../../shared/api/ipv4.js";
import { KUBE_LITE_VERSION } from "../../../shared/version.js";
import { podDir } from "./volumes.js";
import type {
  ContainerConfig, ContainerInfo, ContainerRuntime, ContainerStats, EnsureImageResult, ExecOptions, ImagePullPolicy, LogOptions, LogStream,
  MountSource, PodSandbox, PodSandboxConfig, RuntimeEvent, RuntimePod, SandboxInfo, StreamSession,
} from "./types.js";

/** `nodeInfo.containerRuntimeVersion` of simulated nodes (the `sim://` scheme marks them in `kubectl get nodes -o wide`). */
export const SIM_RUNTIME_VERSION = `sim://kube-lite-${KUBE_LITE_VERSION}`;
/** Exit code of a container stopped with a grace period: a process that handles SIGTERM and exits cleanly. */
export const SIM_GRACEFUL_EXIT_CODE = 0;
/** Exit code of a container stopped without one: SIGKILL (128 + 9), as the engine reports it. */
export const SIM_KILLED_EXIT_CODE = 137;
/** Memory a simulated container reports in its stats: the order of a small idle process (a busybox sleep). */
const SIM_CONTAINER_MEMORY_BYTES = 2 * 1024 * 1024;
/** CPU a simulated container reports using: 1 millicore, so rates computed from two samples are small but not zero. */
const SIM_CPU_NANOS_PER_MS = 1_000;

/** What the error of an unknown ID carries, as the engine's 404 does (see `statusCode` in docker-client.ts). */
export class SimNotFoundError extends Error {
  readonly statusCode = 404;
  constructor(what: string, id: string) {
    super(`no such ${what}: ${id.slice(0, 12)} (simulated runtime)`);
  }
}

/** A refusal of the streaming calls that need a real process. */
export class SimUnsupportedError extends Error {
  constructor(what: string) {
    super(`${what} is not supported by the simulated runtime (kube-lite agent --runtime sim runs no processes)`);
  }
}

/**
 * Addresses of one pod CIDR, handed out next-fit: the network address, the gateway (the first
 * address, as on the Docker bridge) and the broadcast address are never given out.
 */
class PodAddressPool {
  private readonly first: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private cursor = 0;

  constructor(readonly subnet: string) {
    const cidr = parseIpv4Cidr(subnet);
    if (!cidr || cidr.prefix < 1 || cidr.prefix > 30) throw new Error(`pod CIDR "${subnet}" is not an IPv4 CIDR with room for pods`);
    // network + 0 is the network address, + 1 the gateway, the last one broadcast.
    this.first = cidr.network + 2;
    this.size = cidr.size - 3;
  }

  allocate(): string {
    for (let i = 0; i < this.size; i++) {
      const offset = (this.cursor + i) % this.size;
      if (this.used.has(offset)) continue;
      this.used.add(offset);
      this.cursor = (offset + 1) % this.size;
      return intToIpv4(this.first + offset);
    }
    throw new Error(`no free address left in pod CIDR ${this.subnet}`);
  }

  release(ip: string): void {
    this.used.delete(ipv4ToInt(ip) - this.first);
  }
}

/** A sandbox as the simulated runtime keeps it: the listing's shape plus where its address came from. */
interface SimSandbox extends SandboxInfo {
  pool?: PodAddressPool;
}

/** A container: its identity and state; nothing of its config beyond the labels the kubelet reads back. */
type SimContainer = ContainerInfo;

export interface SimRuntimeOptions {
  /** The simulated node. */
  nodeName: string;
  /** The kubelet's directory (DATA/sim/<node>/agent): the kubelet writes ConfigMap and Secret volumes there; cleanupPod removes them. */
  rootDir: string;
}

/**
 * The simulated runtime: one instance per simulated node.
 *
 * @example const runtime = new SimRuntime({ nodeName: "sim-0", rootDir: "/tmp/kl/sim/sim-0/agent" });
 *          const { sandboxId, ip } = await runtime.runSandbox({ podUid, namespace: "default", name: "web",
 *            podCIDRNetwork: { name: "kube-lite-sim-0", subnet: "10.42.3.0/24" } }); // ip "10.42.3.2"
 */
export class SimRuntime implements ContainerRuntime {
  private readonly sandboxes = new Map<string, SimSandbox>();
  private readonly containers = new Map<string, SimContainer>();
  private readonly pools = new Map<string, PodAddressPool>();
  private readonly imageIds = new Map<string, string>();
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private pending: RuntimeEvent[] = [];
  private flushScheduled = false;

  constructor(private readonly opts: SimRuntimeOptions) {}

  async version(): Promise<string> {
    return SIM_RUNTIME_VERSION;
  }

  // ---- pod sandboxes ----

  async runSandbox(cfg: PodSandboxConfig): Promise<PodSandbox> {
    let ip = "";
    let pool: PodAddressPool | undefined;
    if (!cfg.hostNetwork) {
      const subnet = cfg.podCIDRNetwork?.subnet;
      if (!subnet) throw new Error(`pod ${cfg.namespace}/${cfg.name}: no pod network given for a pod that is not host-network`);
      pool = this.pools.get(subnet);
      if (!pool) this.pools.set(subnet, (pool = new PodAddressPool(subnet)));
      ip = pool.allocate();
    }
    const sandboxId = newId();
    this.sandboxes.set(sandboxId, {
      sandboxId,
      podUid: cfg.podUid,
      namespace: cfg.namespace,
      podName: cfg.name,
      attempt: cfg.attempt ?? 0,
      ip,
      state: "ready",
      createdAt: new Date(),
      labels: cfg.labels ?? {},
      pool,
    });
    this.emit(sandboxId, "sandbox", "created", cfg.podUid);
    this.emit(sandboxId, "sandbox", "started", cfg.podUid);
    return { sandboxId, ip };
  }

  async stopSandbox(sandboxId: string): Promise<void> {
    const s = this.sandboxes.get(sandboxId);
    if (!s || s.state === "notready") return;
    s.state = "notready";
    // A stopped sandbox leaves the pod network, as a stopped container leaves its Docker network.
    this.releaseAddress(s);
    this.emit(sandboxId, "sandbox", "died", s.podUid, undefined, SIM_KILLED_EXIT_CODE);
  }

  async removeSandbox(sandboxId: string): Promise<void> {
    const s = this.sandboxes.get(sandboxId);
    if (!s) return;
    this.releaseAddress(s);
    this.sandboxes.delete(sandboxId);
    this.emit(sandboxId, "sandbox", "destroyed", s.podUid);
  }

  async listPodSandboxes(): Promise<SandboxInfo[]> {
    return [...this.sandboxes.values()].map(sandboxInfo);
  }

  // ---- containers ----

  async createContainer(sandboxId: string, sandbox: PodSandboxConfig, config: ContainerConfig): Promise<string> {
    const s = this.sandboxes.get(sandboxId);
    if (!s) throw new SimNotFoundError("pod sandbox", sandboxId);
    const id = newId();
    this.containers.set(id, {
      id,
      containerID: `sim://${id}`,
      podUid: sandbox.podUid,
      namespace: sandbox.namespace,
      podName: sandbox.name,
      sandboxId,
      containerName: config.name,
      restartCount: config.restartCount,
      image: config.image,
      imageID: this.imageIdOf(config.image),
      // Only the labels the kubelet reads back (the spec hash); the rest of the config is not kept.
      labels: config.labels ?? {},
      state: "created",
      createdAt: new Date(),
    });
    this.emit(id, "container", "created", sandbox.podUid, config.name);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.container(id);
    if (c.state === "running") return;
    const sandbox = this.sandboxes.get(c.sandboxId);
    if (!sandbox || sandbox.state !== "ready") {
      // As the engine: a container cannot join the network namespace of a sandbox that is not running.
      const message = `cannot join the network of pod sandbox ${c.sandboxId.slice(0, 12)}: it is not running`;
      Object.assign(c, { state: "exited", exitCode: 128, reason: "ContainerCannotRun", message, finishedAt: new Date() });
      throw new Error(message);
    }
    c.state = "running";
    c.startedAt = new Date();
    this.emit(id, "container", "started", c.podUid, c.containerName);
  }

  /** Stops at once: grace > 0 behaves as a process that exits cleanly on SIGTERM, grace 0 as SIGKILL. */
  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c || c.state !== "running") return;
    this.exitContainer(id, gracePeriodSeconds > 0 ? SIM_GRACEFUL_EXIT_CODE : SIM_KILLED_EXIT_CODE);
  }

  /**
   * The simulated process ends by itself with `exitCode` (what a crash or a finished job looks like to
   * the kubelet, which then restarts it per restartPolicy). For tests and fault injection.
   *
   * @example runtime.exitContainer(id, 1); // the pod's worker sees it exited with Error and restarts it
   */
  exitContainer(id: string, exitCode: number): void {
    const c = this.container(id);
    if (c.state !== "running") throw new Error(`container ${id.slice(0, 12)} is not running`);
    c.state = "exited";
    c.exitCode = exitCode;
    c.reason = exitCode === 0 ? "Completed" : "Error";
    c.finishedAt = new Date();
    this.emit(id, "container", "died", c.podUid, c.containerName, exitCode);
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.containers.delete(id);
    this.emit(id, "container", "destroyed", c.podUid, c.containerName);
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    return { ...this.container(id) };
  }

  async listContainers(): Promise<ContainerInfo[]> {
    return [...this.containers.values()].map((c) => ({ ...c }));
  }

  async listPodContainers(): Promise<RuntimePod[]> {
    const pods = new Map<string, RuntimePod>();
    const pod = (uid: string, namespace: string, name: string): RuntimePod => {
      let p = pods.get(uid);
      if (!p) pods.set(uid, (p = { podUid: uid, namespace, name, sandboxes: [], containers: [] }));
      return p;
    };
    for (const s of this.sandboxes.values()) pod(s.podUid, s.namespace, s.podName).sandboxes.push(sandboxInfo(s));
    for (const c of this.containers.values()) pod(c.podUid, c.namespace, c.podName).containers.push({ ...c });
    return [...pods.values()];
  }

  // ---- volumes: paths only, nothing is created (no container reads them) ----

  async emptyDir(podUid: string, volumeName: string, _options: { medium?: string; sizeLimit?: string }): Promise<MountSource> {
    return { type: "bind", path: join(podDir(this.opts.rootDir, podUid), "volumes", "kubernetes.io~empty-dir", volumeName) };
  }

  async hostPath(path: string, _type?: string): Promise<MountSource> {
    return { type: "bind", path };
  }

  async cleanupPod(podUid: string): Promise<void> {
    // The kubelet itself writes ConfigMap, Secret and downward API volumes under the pod's directory.
    await rm(podDir(this.opts.rootDir, podUid), { recursive: true, force: true });
  }

  // ---- events, stats, streaming ----

  async watchEvents(onEvent: (e: RuntimeEvent) => void, _onEnd?: (err?: Error) => void): Promise<{ stop(): void }> {
    // The stream never ends by itself: there is no engine to restart.
    this.listeners.add(onEvent);
    return { stop: () => void this.listeners.delete(onEvent) };
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const c = this.container(id);
    const now = new Date();
    if (c.state !== "running" || !c.startedAt) return { time: now, cpuUsageCoreNanoSeconds: 0, memoryUsageBytes: 0, memoryWorkingSetBytes: 0 };
    return {
      time: now,
      cpuUsageCoreNanoSeconds: Math.max(0, now.getTime() - c.startedAt.getTime()) * SIM_CPU_NANOS_PER_MS,
      memoryUsageBytes: SIM_CONTAINER_MEMORY_BYTES,
      memoryWorkingSetBytes: SIM_CONTAINER_MEMORY_BYTES,
    };
  }

  async portForward(_sandboxId: string, _port: number): Promise<Duplex> {
    throw new SimUnsupportedError("port-forward");
  }

  /** A simulated container writes nothing: an empty log that has ended (also with `follow`). */
  async logs(id: string, _options: LogOptions): Promise<LogStream> {
    this.container(id);
    const output = Readable.from([]);
    return { output, close: () => void output.destroy() };
  }

  async exec(_id: string, _options: ExecOptions): Promise<StreamSession> {
    throw new SimUnsupportedError("exec");
  }

  async attach(_id: string, _options: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Promise<StreamSession> {
    throw new SimUnsupportedError("attach");
  }

  // ---- images: always present ----

  async ensureImage(image: string, _policy: ImagePullPolicy): Promise<EnsureImageResult> {
    return { imageRef: this.imageIdOf(image), pulled: false };
  }

  async importImageTarball(_path: string): Promise<string[]> {
    throw new SimUnsupportedError("importing image tarballs");
  }

  /** How many sandboxes and containers the runtime holds (benchmarks, tests). */
  counts(): { sandboxes: number; containers: number; running: number } {
    let running = 0;
    for (const c of this.containers.values()) if (c.state === "running") running++;
    return { sandboxes: this.sandboxes.size, containers: this.containers.size, running };
  }

  // ---- helpers ----

  private container(id: string): SimContainer {
    const c = this.containers.get(id);
    if (!c) throw new SimNotFoundError("container", id);
    return c;
  }

  private releaseAddress(s: SimSandbox): void {
    if (s.pool && s.ip) s.pool.release(s.ip);
    s.ip = "";
    s.pool = undefined;
  }

  /** A stable `sha256:` ID per image name, as if every image had been pulled before. */
  private imageIdOf(image: string): string {
    let id = this.imageIds.get(image);
    if (!id) this.imageIds.set(image, (id = `sha256:${createHash("sha256").update(image).digest("hex")}`));
    return id;
  }

  /** Queues an event; listeners get them after the current call, as from the engine's event stream. */
  private emit(id: string, kind: RuntimeEvent["kind"], action: RuntimeEvent["action"], podUid: string, containerName?: string, exitCode?: number): void {
    if (!this.listeners.size) return;
    const e: RuntimeEvent = { id, kind, action, podUid, time: new Date() };
    if (containerName !== undefined) e.containerName = containerName;
    if (exitCode !== undefined) e.exitCode = exitCode;
    this.pending.push(e);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const events = this.pending;
      this.pending = [];
      for (const ev of events) for (const l of this.listeners) l(ev);
    });
  }
}

function newId(): string {
  return randomBytes(32).toString("hex");
}

function sandboxInfo(s: SimSandbox): SandboxInfo {
  const { pool: _pool, ...info } = s;
  return info;
}
