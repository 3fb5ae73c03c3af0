/**
 * The kubelet's pod lifecycle: watches the pods bound to this node, runs one `PodWorker` per pod UID,
 * feeds runtime events to the workers, and on start adopts what the runtime already runs (containers
 * carry the pod UID in their labels) while removing what belongs to pods that no longer exist.
 */
import { totalmem } from "node:os";
import type { Pod, Service } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { Informer } from "../../../shared/client/informer.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { Logger } from "../../../shared/log.js";
import type { ContainerRuntime, PodNetwork, RuntimePod } from "../runtime/types.js";
import { Backoff } from "./backoff.js";
import { KubeletEventRecorder } from "./events.js";
import { MIN_GRACE_PERIOD_SECONDS, PodWorker } from "./pod-worker.js";

const PODS = { group: "", plural: "pods" };
const NODES = { group: "", plural: "nodes" };
const SERVICES = { group: "", plural: "services" };
/**
 * How long start() waits for the Service list before starting pods anyway. Upstream waits for it so
 * the first containers get the Service variables; a node not allowed to list Services must still run pods.
 */
export const SERVICES_SYNC_TIMEOUT_MS = 5_000;
/** How often to look for containers of pods this node no longer has (upstream housekeeping: 2 s; ours is cheap to delay). */
export const HOUSEKEEPING_INTERVAL_MS = 30_000;
/** Delay before re-opening the runtime's event stream after it ended (engine restart). */
const EVENTS_RETRY_MS = 2_000;
/**
 * Longest a cached runtime listing is trusted. Listings are invalidated by every runtime event and by
 * every change the kubelet makes, so this only bounds the damage of an event the engine never sent.
 */
export const RUNTIME_CACHE_MAX_AGE_MS = 30_000;
/** Second look after a runtime event, for an engine whose inspect lags its event stream. */
const EVENT_SETTLE_MS = 300;
/** Upstream's default cluster domain. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

export interface KubeletOptions {
  nodeName: string;
  client: ApiClient;
  runtime: ContainerRuntime;
  /** The kubelet's directory, the same one the runtime was given as rootDir (pod volumes live there). */
  dataDir: string;
  /** The node's pod network (bridge name and pod CIDR). */
  network?: PodNetwork;
  /** Cluster DNS service IP written into pods' resolv.conf (e.g. 10.43.0.10). */
  clusterDNS?: string;
  clusterDomain?: string;
  /** The node's IP for status.hostIP; read from the Node object's InternalIP when not given. */
  nodeIP?: string;
  logger: Logger;
}

export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private informer?: Informer;
  private servicesInformer?: Informer;
  private events?: { stop(): void };
  private housekeepingTimer?: NodeJS.Timeout;
  private eventsRetry?: NodeJS.Timeout;
  private stopped = false;
  private hostIP: string;
  private readonly log: Logger;
  private readonly recorder: KubeletEventRecorder;
  private readonly crashBackoff = new Backoff();
  private readonly pullBackoff = new Backoff();
  /** Bumped by every runtime event and every change the kubelet makes through the runtime. */
  private generation = 0;
  private eventsLive = false;
  private cache?: { generation: number; at: number; pods: Map<string, RuntimePod> };
  private readonly listings = new Map<number, Promise<Map<string, RuntimePod>>>();
  /** The runtime as the workers see it: every change invalidates the cached listing. */
  private readonly workerRuntime: ContainerRuntime;

  constructor(private readonly opts: KubeletOptions) {
    this.log = opts.logger.child({ component: "kubelet" });
    this.recorder = new KubeletEventRecorder(opts.client, opts.nodeName, this.log);
    this.hostIP = opts.nodeIP ?? "";
    this.workerRuntime = invalidatingRuntime(opts.runtime, () => this.generation++);
  }

  /**
   * Starts watching this node's pods; resolves once the pod list is loaded and workers run.
   *
   * @example const kubelet = new Kubelet({ nodeName: "pi-1", client, runtime, dataDir, network, clusterDNS: "10.43.0.10", logger });
   *          await kubelet.start();
   */
  async start(): Promise<void> {
    if (!this.hostIP) await this.readNodeIP();
    this.servicesInformer = new Informer(this.opts.client, SERVICES, this.log);
    this.servicesInformer.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.servicesInformer.waitForSync(), new Promise<void>((resolve) => (timer = setTimeout(resolve, SERVICES_SYNC_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!this.servicesInformer.hasSynced()) this.log.warn("service list not loaded yet: containers started now lack Service environment variables");
    this.informer = new Informer(this.opts.client, PODS, this.log, undefined, { fieldSelector: `spec.nodeName=${this.opts.nodeName}` });
    this.informer.addHandlers({
      onAdd: (obj) => this.podSeen(obj),
      onUpdate: (_old, obj) => this.podSeen(obj),
      onDelete: (obj) => this.podGone(obj),
    });
    this.informer.start();
    await this.informer.waitForSync();
    await this.watchRuntimeEvents();
    await this.housekeeping();
    this.housekeepingTimer = setInterval(() => void this.housekeeping(), HOUSEKEEPING_INTERVAL_MS);
    this.housekeepingTimer.unref();
  }

  /** Stops watching; containers keep running (a restarted kubelet adopts them). */
  stop(): void {
    this.stopped = true;
    this.informer?.stop();
    this.servicesInformer?.stop();
    this.events?.stop();
    clearInterval(this.housekeepingTimer);
    clearTimeout(this.eventsRetry);
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }

  /** UIDs of the pods with a worker (for tests and the summary API). */
  podUids(): string[] {
    return [...this.workers.keys()];
  }

  /**
   * What the runtime holds, by pod UID, reflecting every change made or reported before this call.
   * The engine is listed (one inspect per container) only when something changed since the last
   * listing: the runtime's event stream and the kubelet's own actions invalidate it, so idle pods cost
   * no engine calls. Concurrent callers share one listing.
   */
  runtimePods(): Promise<Map<string, RuntimePod>> {
    const gen = this.generation;
    const c = this.cache;
    if (this.eventsLive && c && c.generation === gen && Date.now() - c.at < RUNTIME_CACHE_MAX_AGE_MS) return Promise.resolve(c.pods);
    let listing = this.listings.get(gen);
    if (!listing) {
      const at = Date.now();
      listing = this.opts.runtime.listPodContainers()
        .then((pods) => {
          const byUid = new Map(pods.map((p) => [p.podUid, p]));
          if (!this.cache || this.cache.generation <= gen) this.cache = { generation: gen, at, pods: byUid };
          return byUid;
        })
        .finally(() => this.listings.delete(gen));
      this.listings.set(gen, listing);
    }
    return listing;
  }

  private async readNodeIP(): Promise<void> {
    try {
      const node = (await this.opts.client.get(NODES, "", this.opts.nodeName)) as KubeObject & { status?: { addresses?: { type: string; address: string }[] } };
      const addrs = node.status?.addresses ?? [];
      this.hostIP = (addrs.find((a) => a.type === "InternalIP") ?? addrs.find((a) => a.type === "ExternalIP"))?.address ?? "";
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "node IP not known yet");
    }
  }

  private podSeen(obj: KubeObject): void {
    if (this.stopped) return;
    const pod = obj as unknown as Pod;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    if (!this.hostIP) void this.readNodeIP();
    const w = this.workers.get(uid);
    if (w) return w.update(pod);
    const worker = new PodWorker(pod, {
      nodeName: this.opts.nodeName,
      client: this.opts.client,
      runtime: this.workerRuntime,
      rootDir: this.opts.dataDir,
      podConfig: { network: this.opts.network, clusterDNS: this.opts.clusterDNS, clusterDomain: this.opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN },
      hostIP: () => this.hostIP,
      runtimePod: async (id) => (await this.runtimePods()).get(id),
      events: this.recorder,
      crashBackoff: this.crashBackoff,
      pullBackoff: this.pullBackoff,
      memoryCapacityBytes: totalmem(),
      services: () => (this.servicesInformer?.list() ?? []) as unknown as Service[],
      log: this.log,
      onDone: (id) => {
        if (this.workers.get(id) === worker) this.workers.delete(id);
      },
    });
    this.workers.set(uid, worker);
    worker.requestSync();
  }

  private podGone(obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    this.workers.get(uid)?.podDeleted(obj as unknown as Pod);
  }

  /** Runtime lifecycle events wake the pod's worker at once (a container died, …). */
  private async watchRuntimeEvents(): Promise<void> {
    if (this.stopped) return;
    try {
      this.events = await this.opts.runtime.watchEvents(
        (e) => {
          this.generation++;
          this.workers.get(e.podUid)?.requestSync();
          // The engine may announce a change a moment before its inspect shows it: look once more.
          const settle = setTimeout(() => {
            this.generation++;
            this.workers.get(e.podUid)?.requestSync();
          }, EVENT_SETTLE_MS);
          settle.unref();
        },
        () => {
          this.eventsLive = false;
          if (this.stopped) return;
          // Events may have been missed: every worker looks again once the stream is back.
          this.eventsRetry = setTimeout(() => {
            void this.watchRuntimeEvents().then(() => {
              for (const w of this.workers.values()) w.requestSync();
            });
          }, EVENTS_RETRY_MS);
          this.eventsRetry.unref();
        },
      );
      // Anything that happened while no stream was open is unknown: list afresh.
      this.generation++;
      this.eventsLive = true;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "cannot watch runtime events; relying on periodic syncs");
      this.eventsRetry = setTimeout(() => void this.watchRuntimeEvents(), EVENTS_RETRY_MS);
      this.eventsRetry.unref();
    }
  }

  private async removeRuntimePod(rp: RuntimePod): Promise<void> {
    const runtime = this.workerRuntime;
    for (const c of rp.containers) {
      if (c.state === "running") await runtime.stopContainer(c.id, MIN_GRACE_PERIOD_SECONDS);
      await runtime.removeContainer(c.id);
    }
    for (const s of rp.sandboxes) await runtime.removeSandbox(s.sandboxId);
    await runtime.cleanupPod(rp.podUid);
  }

  /** Removes containers and sandboxes of pods this node no longer has (after the pod list is synced). */
  private async housekeeping(): Promise<void> {
    if (this.stopped || !this.informer?.hasSynced()) return;
    try {
      const pods = await this.runtimePods();
      for (const [uid, rp] of pods) {
        if (this.workers.has(uid) || this.stopped) continue;
        this.log.info({ pod: `${rp.namespace}/${rp.name}`, uid }, "removing containers of a pod that no longer exists");
        try {
          await this.removeRuntimePod(rp);
        } catch (err) {
          this.log.warn({ pod: `${rp.namespace}/${rp.name}`, err: (err as Error).message }, "cannot remove the containers of a deleted pod; retrying later");
        }
      }
      this.crashBackoff.gc();
      this.pullBackoff.gc();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "housekeeping failed");
    }
  }
}

/** Runtime methods that change what a listing would show. */
const MUTATING_METHODS = new Set(["runSandbox", "stopSandbox", "removeSandbox", "createContainer", "startContainer", "stopContainer", "removeContainer", "cleanupPod"]);

/**
 * The runtime with `onChange` called after each mutating call settles (success or failure: a failed
 * call may have changed something too), so a cached listing is never read after the kubelet's own change.
 *
 * @example const runtime = invalidatingRuntime(docker, () => generation++);
 */
export function invalidatingRuntime(runtime: ContainerRuntime, onChange: () => void): ContainerRuntime {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (typeof prop !== "string" || !MUTATING_METHODS.has(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          onChange();
        }
      };
    },
  });
}
