/**
 * The kubelet's pod lifecycle: watches the pods bound to this node, runs one `PodWorker` per pod UID,
 * feeds runtime events to the workers, and on start adopts what the runtime already runs (containers
 * carry the pod UID in their labels) while removing what belongs to pods that no longer exist.
 */
import { totalmem } from "node:os";
import type { Pod } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { Informer } from "../../../shared/client/informer.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { Logger } from "../../../shared/log.js";
import type { ContainerRuntime, PodNetwork, RuntimePod } from "../runtime/types.js";
import { Backoff } from "./backoff.js";
import { KubeletEventRecorder } from "./events.js";
import { PodWorker } from "./pod-worker.js";

const PODS = { group: "", plural: "pods" };
const NODES = { group: "", plural: "nodes" };
/** How often to look for containers of pods this node no longer has (upstream housekeeping: 2 s; ours is cheap to delay). */
export const HOUSEKEEPING_INTERVAL_MS = 30_000;
/** Delay before re-opening the runtime's event stream after it ended (engine restart). */
const EVENTS_RETRY_MS = 2_000;
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
  private events?: { stop(): void };
  private housekeepingTimer?: NodeJS.Timeout;
  private eventsRetry?: NodeJS.Timeout;
  private stopped = false;
  private hostIP: string;
  private readonly log: Logger;
  private readonly recorder: KubeletEventRecorder;
  private readonly crashBackoff = new Backoff();
  private readonly pullBackoff = new Backoff();
  private listing?: Promise<Map<string, RuntimePod>>;
  private nextListing?: Promise<Map<string, RuntimePod>>;

  constructor(private readonly opts: KubeletOptions) {
    this.log = opts.logger.child({ component: "kubelet" });
    this.recorder = new KubeletEventRecorder(opts.client, opts.nodeName, this.log);
    this.hostIP = opts.nodeIP ?? "";
  }

  /**
   * Starts watching this node's pods; resolves once the pod list is loaded and workers run.
   *
   * @example const kubelet = new Kubelet({ nodeName: "pi-1", client, runtime, dataDir, network, clusterDNS: "10.43.0.10", logger });
   *          await kubelet.start();
   */
  async start(): Promise<void> {
    if (!this.hostIP) await this.readNodeIP();
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
   * What the runtime holds, by pod UID, from a listing that starts after this call. Concurrent callers
   * share one listing, so many workers syncing at once cost one engine round.
   */
  runtimePods(): Promise<Map<string, RuntimePod>> {
    if (!this.listing) {
      this.listing = this.opts.runtime.listPodContainers()
        .then((pods) => new Map(pods.map((p) => [p.podUid, p])))
        .finally(() => {
          this.listing = undefined;
        });
      return this.listing;
    }
    this.nextListing ??= this.listing.catch(() => undefined).then(() => {
      this.nextListing = undefined;
      return this.runtimePods();
    });
    return this.nextListing;
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
    const w = this.workers.get(uid);
    if (w) return w.update(pod);
    if (!this.hostIP) void this.readNodeIP();
    const worker = new PodWorker(pod, {
      nodeName: this.opts.nodeName,
      client: this.opts.client,
      runtime: this.opts.runtime,
      rootDir: this.opts.dataDir,
      podConfig: { network: this.opts.network, clusterDNS: this.opts.clusterDNS, clusterDomain: this.opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN },
      hostIP: () => this.hostIP,
      runtimePod: async (id) => (await this.runtimePods()).get(id),
      events: this.recorder,
      crashBackoff: this.crashBackoff,
      pullBackoff: this.pullBackoff,
      memoryCapacityBytes: totalmem(),
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
        (e) => this.workers.get(e.podUid)?.requestSync(),
        () => {
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
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "cannot watch runtime events; relying on periodic syncs");
      this.eventsRetry = setTimeout(() => void this.watchRuntimeEvents(), EVENTS_RETRY_MS);
      this.eventsRetry.unref();
    }
  }

  private async removeRuntimePod(rp: RuntimePod): Promise<void> {
    for (const c of rp.containers) {
      if (c.state === "running") await this.opts.runtime.stopContainer(c.id, 0);
      await this.opts.runtime.removeContainer(c.id);
    }
    for (const s of rp.sandboxes) await this.opts.runtime.removeSandbox(s.sandboxId);
    await this.opts.runtime.cleanupPod(rp.podUid);
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
