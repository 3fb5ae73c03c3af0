/**
 * The scheduler (upstream kube-scheduler's default profile, in the server): informers on nodes and pods
 * keep a cache of nodes and the pods bound to them; pending pods with `schedulerName: default-scheduler`
 * wait in a scheduling queue; each cycle filters and scores nodes for one pod, assumes it onto the best
 * node and binds it through the API (`pods/binding`) while the next cycle runs. A pod that fits nowhere
 * gets `PodScheduled=False` (reason Unschedulable) and a FailedScheduling event, and is retried when a
 * node or pod change could make room, or after its back-off.
 */
import type { Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1.js";
import { isDeepStrictEqual } from "node:util";
import { ApiError } from "../../shared/api/status.js";
import { rfc3339 } from "../../shared/api/time.js";
import type { KubeObject } from "../../shared/api/types.js";
import { Informer } from "../../shared/client/informer.js";
import type { ApiClient } from "../../shared/client/types.js";
import type { Logger } from "../../shared/log.js";
import type { Binder } from "./binder.js";
import { SchedulerCache } from "./cache.js";
import { EventRecorder, SCHEDULER_NAME } from "./events.js";
import { failedSchedulingMessage } from "./fit-error.js";
import { Framework } from "./framework.js";
import { buildPodInfo } from "./pod-info.js";
import { SchedulingQueue, type QueuedPod } from "./queue.js";
import { NODE_RESOURCES_FIT } from "./filters/node-resources-fit.js";
import { NODE_PORTS } from "./filters/node-ports.js";
import { INTER_POD_AFFINITY } from "./filters/inter-pod-affinity.js";
import { POD_TOPOLOGY_SPREAD } from "./filters/pod-topology-spread.js";

/**
 * Bindings (and status/event writes) in flight at once: enough for the store's group commit to batch
 * many writes per transaction, few enough that a burst does not queue thousands of promises.
 */
export const DEFAULT_BIND_CONCURRENCY = 64;
/** Attempts at writing the PodScheduled condition when the pod keeps changing underneath. */
const STATUS_UPDATE_ATTEMPTS = 3;

/** Plugins a deleted pod can unblock (freed resources, ports, anti-affinity, spreading). */
const HELPED_BY_POD_DELETE = new Set([NODE_RESOURCES_FIT, NODE_PORTS, INTER_POD_AFFINITY, POD_TOPOLOGY_SPREAD]);
/** Plugins an added (or relabelled) pod can unblock (affinity to it, spreading). */
const HELPED_BY_POD_ADD = new Set([INTER_POD_AFFINITY, POD_TOPOLOGY_SPREAD]);

export interface SchedulerOptions {
  /** Pods naming this scheduler are ours (default "default-scheduler"). */
  schedulerName?: string;
  bindConcurrency?: number;
}

const PODS = { group: "", plural: "pods" };
const NODES = { group: "", plural: "nodes" };

function podOf(obj: KubeObject): Pod {
  return obj as unknown as Pod;
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}

/** Whether a pod changed in a way that could change where it fits (upstream `isPodUpdated`: not status or bookkeeping). */
function podSpecChanged(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = p.metadata ?? {};
    return { meta, spec: p.spec };
  };
  return !isDeepStrictEqual(strip(oldPod), strip(newPod));
}

/** Whether a node changed in a way that could let a pod fit (labels, taints, allocatable, cordon). */
function nodeSchedulingChanged(oldNode: KubeObject, newNode: KubeObject): boolean {
  const facts = (n: KubeObject) => ({
    labels: n.metadata.labels,
    spec: n.spec,
    allocatable: (n.status as { allocatable?: unknown } | undefined)?.allocatable,
  });
  return !isDeepStrictEqual(facts(oldNode), facts(newNode));
}

/** A counting semaphore for in-flight API writes. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** Runs `fn` once a slot is free, without waiting for it to finish. */
  async launch(fn: () => Promise<void>): Promise<void> {
    await this.acquire();
    void fn().finally(() => this.release());
  }
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue = new SchedulingQueue();
  private readonly framework = new Framework();
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly pending = new Map<string, Pod>();
  private readonly limiter: Limiter;
  private readonly schedulerName: string;
  private stopped = false;
  /** Pods bound since start (for benchmarks and logs). */
  scheduledCount = 0;

  /**
   * @example
   *   const s = new Scheduler(new LocalClient(cp), localBinder(cp), log.child({ component: "scheduler" }));
   *   s.start();
   */
  constructor(
    private readonly client: ApiClient,
    private readonly binder: Binder,
    private readonly log: Logger,
    opts: SchedulerOptions = {},
  ) {
    this.schedulerName = opts.schedulerName ?? SCHEDULER_NAME;
    this.limiter = new Limiter(opts.bindConcurrency ?? DEFAULT_BIND_CONCURRENCY);
    this.recorder = new EventRecorder(client, log);
    this.nodes = new Informer(client, NODES, log.child({ informer: "nodes" }));
    // Finished pods hold no resources (upstream's scheduler informer leaves them out the same way).
    this.pods = new Informer(client, PODS, log.child({ informer: "pods" }), undefined, { fieldSelector: "status.phase!=Succeeded,status.phase!=Failed" });
    this.nodes.addHandlers({
      onAdd: (n) => {
        this.cache.setNode(n as never);
        this.queue.moveUnschedulable(() => true);
      },
      onUpdate: (o, n) => {
        this.cache.setNode(n as never);
        if (nodeSchedulingChanged(o, n)) this.queue.moveUnschedulable(() => true);
      },
      onDelete: (n) => this.cache.removeNode(n.metadata.name ?? ""),
    });
    this.pods.addHandlers({
      onAdd: (p) => this.onPod(undefined, podOf(p)),
      onUpdate: (o, p) => this.onPod(podOf(o), podOf(p)),
      onDelete: (p) => this.onPodDelete(podOf(p)),
    });
  }

  /** Starts the informers, then the scheduling loop once both caches are filled. */
  start(): void {
    this.nodes.start();
    this.pods.start();
    void (async () => {
      await Promise.all([this.nodes.waitForSync(), this.pods.waitForSync()]);
      this.log.info({ nodes: this.cache.nodes.length, pending: this.pending.size }, "scheduler started");
      await this.run();
    })().catch((err) => this.log.error({ err }, "scheduler loop failed"));
  }

  stop(): void {
    this.stopped = true;
    this.queue.close();
    this.nodes.stop();
    this.pods.stop();
  }

  /** Resolves once both informers have listed (tests, benchmarks). */
  async waitForSync(): Promise<void> {
    await Promise.all([this.nodes.waitForSync(), this.pods.waitForSync()]);
  }

  private isOurs(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? SCHEDULER_NAME) === this.schedulerName;
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const key = keyOf(pod);
    if (pod.spec?.nodeName) {
      if (this.pending.delete(key)) this.queue.delete(key);
      const relabelled = old?.spec?.nodeName && !isDeepStrictEqual(old.metadata?.labels, pod.metadata?.labels);
      // A pod the cache already holds (assumed by us, or seen before) keeps its entry unless it changed.
      if (!old?.spec?.nodeName || relabelled || this.cache.isAssumed(key) || this.cache.nodeOf(key) !== pod.spec.nodeName) {
        this.cache.addPod(buildPodInfo(pod), pod.spec.nodeName);
      }
      if (!old?.spec?.nodeName || relabelled) this.queue.moveUnschedulable((plugins) => [...plugins].some((p) => HELPED_BY_POD_ADD.has(p)));
      return;
    }
    if (!this.isOurs(pod)) return;
    if (pod.metadata?.deletionTimestamp) {
      // Being deleted before it was placed: nothing to schedule any more.
      if (this.pending.delete(key)) this.queue.delete(key);
      return;
    }
    this.pending.set(key, pod);
    if (pod.spec?.schedulingGates?.length) return;
    if (!old || old.spec?.schedulingGates?.length || podSpecChanged(old, pod)) this.queue.add(key, pod.spec?.priority ?? 0);
  }

  private onPodDelete(pod: Pod): void {
    const key = keyOf(pod);
    this.pending.delete(key);
    this.queue.delete(key);
    if (this.cache.nodeOf(key) !== undefined) {
      this.cache.removePod(key);
      this.queue.moveUnschedulable((plugins) => [...plugins].some((p) => HELPED_BY_POD_DELETE.has(p)));
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const q = await this.queue.pop();
      if (!q) return;
      await this.scheduleOne(q);
    }
  }

  /** One cycle: decide synchronously over the cache, then bind (or report) without blocking the next. */
  private async scheduleOne(q: QueuedPod): Promise<void> {
    const pod = this.pending.get(q.key);
    if (!pod || pod.spec?.nodeName || pod.metadata?.deletionTimestamp || this.cache.nodeOf(q.key) !== undefined) {
      this.queue.done(q.key);
      return;
    }
    let info;
    try {
      info = buildPodInfo(pod);
    } catch (err) {
      this.log.warn({ pod: q.key, err: (err as Error).message }, "cannot read pod's scheduling constraints");
      this.queue.addBackoff(q);
      return;
    }
    const result = this.framework.schedule(info, this.cache);
    if ("node" in result) {
      const nodeName = result.node;
      this.cache.addPod(info, nodeName, true);
      await this.limiter.launch(() => this.bind(q, pod, nodeName));
      return;
    }
    const message = failedSchedulingMessage(info, result.diagnosis, this.cache, this.framework.filters, result.state);
    this.queue.addUnschedulable(q, result.diagnosis.unschedulablePlugins);
    this.log.debug({ pod: q.key, message }, "pod is unschedulable");
    await this.limiter.launch(() => this.reportFailure(pod, "Unschedulable", message));
  }

  private async bind(q: QueuedPod, pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    try {
      await this.binder.bind({ namespace: ns, name, uid: pod.metadata?.uid, nodeName });
      this.scheduledCount++;
      this.queue.done(q.key);
      await this.recorder.record(pod, "Normal", "Scheduled", "Binding", `Successfully assigned ${ns}/${name} to ${nodeName}`);
    } catch (err) {
      // Forget the assumption; the resources it held may let another pod fit.
      if (this.cache.isAssumed(q.key)) {
        this.cache.removePod(q.key);
        this.queue.moveUnschedulable((plugins) => [...plugins].some((p) => HELPED_BY_POD_DELETE.has(p)));
      }
      if (err instanceof ApiError && (err.code === 404 || /already assigned/.test(err.message))) {
        this.queue.done(q.key); // deleted, or bound by someone else: the informer will tell us
        return;
      }
      const message = `Binding rejected: ${(err as Error).message}`;
      this.log.warn({ pod: q.key, node: nodeName, err: (err as Error).message }, "binding failed");
      this.queue.addBackoff(q);
      await this.reportFailure(pod, "SchedulerError", message);
    }
  }

  /** Sets PodScheduled=False with the reason (skipped when already so) and records FailedScheduling. */
  private async reportFailure(pod: Pod, reason: "Unschedulable" | "SchedulerError", message: string): Promise<void> {
    await this.recorder.record(pod, "Warning", "FailedScheduling", "Scheduling", message);
    const ns = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    for (let attempt = 0; attempt < STATUS_UPDATE_ATTEMPTS; attempt++) {
      try {
        const live = podOf(await this.client.get(PODS, ns, name));
        if (live.spec?.nodeName || live.metadata?.uid !== pod.metadata?.uid) return;
        const status: PodStatus = { ...(live.status ?? {}) };
        const conditions = [...(status.conditions ?? [])];
        const i = conditions.findIndex((c) => c.type === "PodScheduled");
        const old = i >= 0 ? conditions[i] : undefined;
        if (old && old.status === "False" && old.reason === reason && old.message === message) return;
        const now = rfc3339();
        const cond = { type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: old?.status === "False" ? old.lastTransitionTime : now, reason, message } as unknown as PodCondition;
        if (i >= 0) conditions[i] = cond;
        else conditions.push(cond);
        status.conditions = conditions;
        await this.client.update(PODS, ns, { ...(live as unknown as KubeObject), status: status as KubeObject["status"] }, "status", SCHEDULER_NAME);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 409) continue;
        if (!(err instanceof ApiError && err.code === 404)) this.log.debug({ pod: `${ns}/${name}`, err: (err as Error).message }, "could not set PodScheduled condition");
        return;
      }
    }
  }
}
