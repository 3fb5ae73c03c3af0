/**
 * One pod's worker: a level-triggered sync that looks at the pod spec and what the runtime holds, and
 * does the next step — sandbox, volumes, init containers in order, app containers, restarts with
 * upstream's back-off, probes, hooks — then writes the pod's status when it changed. On deletion it
 * stops the containers gracefully (preStop, SIGTERM, grace period, SIGKILL) and deletes the pod object
 * with grace 0, which is what removes it from the API.
 */
import type { Container, Pod, PodStatus, Service } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { Logger } from "../../../shared/log.js";
import { ImagePullError } from "../images/ensure.js";
import type { ContainerConfig, ContainerInfo, ContainerRuntime, ImagePullPolicy, MountSource, RuntimePod, SandboxInfo } from "../runtime/types.js";
import { Backoff, goDuration } from "./backoff.js";
import { ContainerConfigError, containerEnv, servicesForPod } from "./env.js";
import type { KubeletEventRecorder } from "./events.js";
import { containerHash, LABEL_CONTAINER_HASH, oomScoreAdj, sandboxConfig, type PodConfigOptions } from "./pod-config.js";
import { runHandler } from "./probes/handlers.js";
import { ProbeManager, probeFailureMessage } from "./probes/probe-manager.js";
import type { ContainerObservation, WaitingReason } from "./status/container-status.js";
import { computePodStatus, podStatusChanged, type PodObservation } from "./status/pod-status.js";
import { containerMounts, MountError, preparePodVolumes } from "./volumes.js";
import { logTailMessage } from "./termination-message.js";
import { pullAuth } from "./pull-secrets.js";

const PODS = { group: "", plural: "pods" };

/** Upstream's default `terminationGracePeriodSeconds`. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;
/** Upstream `minimumGracePeriodInSeconds`: what is left for SIGTERM after a slow preStop hook. */
export const MIN_GRACE_PERIOD_SECONDS = 2;
/**
 * How often a worker looks at its pod without being asked. Runtime events and probe changes trigger
 * syncs at once; this only catches what an event stream may miss (upstream resyncs every minute).
 */
export const RESYNC_INTERVAL_MS = 10_000;
/** Upstream's pod status message when activeDeadlineSeconds is exceeded. */
export const DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline";
/** Delay before retrying a sync that threw (API or engine unreachable); doubles per failure. */
const SYNC_RETRY_MS = 1_000;
/** Longest wait between retries of a failing sync: an engine that comes back is noticed within it. */
const MAX_SYNC_RETRY_MS = 30_000;
/** Dead instances kept per container besides the newest instance (upstream's MaxPerPodContainer). */
const DEAD_INSTANCES_KEPT = 1;

export interface PodWorkerDeps {
  nodeName: string;
  client: ApiClient;
  runtime: ContainerRuntime;
  /** The kubelet's directory (same as the runtime's rootDir). */
  rootDir: string;
  podConfig: PodConfigOptions;
  /** The node's IP (status.hostIP). */
  hostIP(): string;
  /** What the runtime holds for a pod, from a listing started after this call. */
  runtimePod(uid: string): Promise<RuntimePod | undefined>;
  events: KubeletEventRecorder;
  /** CrashLoopBackOff back-off, shared by the node's workers. */
  crashBackoff: Backoff;
  /** ImagePullBackOff back-off. */
  pullBackoff: Backoff;
  memoryCapacityBytes: number;
  /** Every Service the kubelet knows (for the containers' Service environment variables). */
  services(): Service[];
  log: Logger;
  /** The worker finished with a pod that is gone from the API; the kubelet forgets it. */
  onDone(uid: string): void;
}

/** `<name>_<namespace>(<uid>)`, as upstream's `format.Pod`. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}

/** The pull policy as defaulted by the API (`Always` for `:latest` or no tag). */
export function pullPolicy(c: Container): ImagePullPolicy {
  if (c.imagePullPolicy) return c.imagePullPolicy as ImagePullPolicy;
  const image = c.image ?? "";
  const tag = image.includes("@") ? "digest" : (/:([^/]+)$/.exec(image)?.[1] ?? "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}

/** Instances of each container, newest first. */
export function instancesByName(containers: ContainerInfo[]): Map<string, ContainerInfo[]> {
  const by = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    const list = by.get(c.containerName) ?? [];
    list.push(c);
    by.set(c.containerName, list);
  }
  for (const list of by.values()) {
    list.sort((a, b) => b.restartCount - a.restartCount || (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  }
  return by;
}

/**
 * Whether an exited app container runs again under the pod's restartPolicy.
 *
 * @example shouldRestart("OnFailure", 0) === false
 */
export function shouldRestart(restartPolicy: string | undefined, exitCode: number | undefined): boolean {
  const policy = restartPolicy ?? "Always";
  if (policy === "Always") return true;
  if (policy === "OnFailure") return exitCode !== 0;
  return false;
}

export class PodWorker {
  private pod: Pod;
  private goneFromApi = false;
  private stopped = false;
  private running = false;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private timerAt = 0;
  private readonly waiting = new Map<string, WaitingReason>();
  private readonly probes: ProbeManager;
  private volumes?: Map<string, MountSource>;
  private podIP = "";
  /** Set once the graceful stop of a deleted pod is done. */
  private terminated = false;
  private readonly log: Logger;
  private syncFailures = 0;
  /** resourceVersion of the pod as the worker's last status write left it. */
  private lastWrittenVersion?: string;

  constructor(pod: Pod, private readonly deps: PodWorkerDeps) {
    this.pod = pod;
    this.log = deps.log.child({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` });
    this.probes = new ProbeManager({
      runtime: deps.runtime,
      podIP: () => (this.pod.spec?.hostNetwork ? deps.hostIP() : this.podIP),
      onChange: () => this.requestSync(),
      onFailure: (container, kind, output) => void deps.events.record(this.pod, "Warning", "Unhealthy", probeFailureMessage(kind, output), container),
    });
  }

  get uid(): string {
    return this.pod.metadata!.uid!;
  }

  /** A newer version of the pod from the API; the echo of the worker's own status write needs no sync. */
  update(pod: Pod): void {
    this.pod = pod;
    if (pod.metadata?.resourceVersion && pod.metadata.resourceVersion === this.lastWrittenVersion) return;
    this.requestSync();
  }

  /** The pod object is gone from the API: stop what still runs and remove everything. */
  podDeleted(pod: Pod): void {
    this.pod = pod;
    this.goneFromApi = true;
    this.requestSync();
  }

  /** Stops the worker without touching its containers (the kubelet is shutting down). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.probes.stop();
  }

  /**
   * Asks for a sync, now or after `delayMs` (the earliest request wins). Syncs never overlap; a
   * request during a sync runs another one after it.
   */
  requestSync(delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      if (this.timer && this.timerAt <= at) return;
      clearTimeout(this.timer);
      this.timerAt = at;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.requestSync();
      }, delayMs);
      this.timer.unref();
      return;
    }
    this.dirty = true;
    if (!this.running) void this.loop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        try {
          await this.sync();
          this.syncFailures = 0;
        } catch (err) {
          const delay = Math.min(SYNC_RETRY_MS * 2 ** this.syncFailures, MAX_SYNC_RETRY_MS);
          if (this.syncFailures++ === 0) this.log.warn({ err: (err as Error).message }, "pod sync failed; retrying with back-off");
          else this.log.debug({ err: (err as Error).message, delay }, "pod sync failed again");
          this.requestSync(delay);
        }
      }
    } finally {
      this.running = false;
    }
  }

  // ---- the sync ----

  private async sync(): Promise<void> {
    const pod = this.pod;
    const uid = this.uid;
    if (this.goneFromApi) {
      await this.teardown(pod, MIN_GRACE_PERIOD_SECONDS);
      this.stop();
      this.deps.onDone(uid);
      return;
    }
    if (pod.metadata?.deletionTimestamp) {
      if (!this.terminated) {
        await this.killPod(pod, this.gracePeriod(pod));
        this.terminated = true;
        const rp = await this.deps.runtimePod(uid);
        await this.writeStatus(pod, rp, undefined, true);
      }
      // Grace 0 removes the object; the informer's DELETED then tells podDeleted to clean up.
      await this.deps.client.delete(PODS, pod.metadata.namespace ?? "default", pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } }).catch((err) => {
        if ((err as { code?: number }).code !== 404) throw err;
      });
      return;
    }
    this.waiting.clear();
    let rp = await this.deps.runtimePod(uid);
    const phase = pod.status?.phase;
    const deadline = this.pastActiveDeadline(pod);
    if (deadline && phase !== "Succeeded" && phase !== "Failed") {
      void this.deps.events.record(pod, "Normal", "DeadlineExceeded", DEADLINE_MESSAGE);
      await this.killPod(pod, this.gracePeriod(pod), rp);
      rp = await this.deps.runtimePod(uid);
      await this.writeStatus(pod, rp, undefined, true, { failed: true, reason: "DeadlineExceeded", message: DEADLINE_MESSAGE });
      return;
    }
    if (phase === "Succeeded" || phase === "Failed") {
      // A finished pod runs nothing more: make sure nothing is left running.
      await this.killPod(pod, this.gracePeriod(pod), rp);
      rp = await this.deps.runtimePod(uid);
      this.probes.sync([]);
      await this.writeStatus(pod, rp, undefined, true);
      return;
    }
    let next = RESYNC_INTERVAL_MS;
    const sandbox = await this.ensureSandbox(pod, rp);
    if (sandbox) {
      rp = await this.deps.runtimePod(uid);
      const wait = await this.syncContainers(pod, sandbox, rp);
      if (wait !== undefined) next = Math.min(next, wait);
      rp = await this.deps.runtimePod(uid);
      await this.gcDeadInstances(rp);
    }
    this.syncProbes(pod, rp, sandbox);
    const status = await this.writeStatus(pod, rp, sandbox, false);
    if (status.phase === "Succeeded" || status.phase === "Failed") {
      this.requestSync();
      return;
    }
    const left = this.activeDeadlineLeft(pod);
    if (left !== undefined) next = Math.min(next, left + 1);
    this.requestSync(next);
  }

  /** Milliseconds until `activeDeadlineSeconds` (counted from startTime) runs out, if the pod has one. */
  private activeDeadlineLeft(pod: Pod): number | undefined {
    const secs = pod.spec?.activeDeadlineSeconds;
    const start = pod.status?.startTime;
    if (secs === undefined || !start) return undefined;
    return Math.max(0, Date.parse(start) + secs * 1000 - Date.now());
  }

  private pastActiveDeadline(pod: Pod): boolean {
    return this.activeDeadlineLeft(pod) === 0;
  }

  /** The grace period of a stop: the deletion's, else the pod's, else upstream's default. */
  private gracePeriod(pod: Pod): number {
    return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
  }

  /** The ready sandbox of the pod, created when there is none (its old containers are stopped first). */
  private async ensureSandbox(pod: Pod, rp: RuntimePod | undefined): Promise<SandboxInfo | undefined> {
    const sandboxes = [...(rp?.sandboxes ?? [])].sort((a, b) => b.attempt - a.attempt);
    const ready = sandboxes.find((s) => s.state === "ready");
    if (ready) {
      this.podIP = ready.ip;
      return ready;
    }
    const attempt = sandboxes.length ? sandboxes[0]!.attempt + 1 : 0;
    if (sandboxes.length && (pod.spec?.restartPolicy ?? "Always") === "Never" && (rp?.containers.length ?? 0) > 0) {
      // As upstream: a Never pod whose containers already ran gets no new sandbox; what ran is final.
      for (const c of rp?.containers ?? []) if (c.state === "running") await this.deps.runtime.stopContainer(c.id, MIN_GRACE_PERIOD_SECONDS);
      return undefined;
    }
    if (sandboxes.length) {
      void this.deps.events.record(pod, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
      for (const c of rp?.containers ?? []) if (c.state === "running") await this.deps.runtime.stopContainer(c.id, 0);
      for (const s of sandboxes) await this.deps.runtime.removeSandbox(s.sandboxId);
    }
    try {
      const cfg = sandboxConfig(pod, this.deps.podConfig, attempt);
      const sb = await this.deps.runtime.runSandbox(cfg);
      this.podIP = sb.ip;
      this.volumes = undefined;
      return { sandboxId: sb.sandboxId, ip: sb.ip, attempt, podUid: this.uid, namespace: cfg.namespace, podName: cfg.name, state: "ready", labels: {} };
    } catch (err) {
      const message = `Failed to create pod sandbox: ${(err as Error).message}`;
      void this.deps.events.record(pod, "Warning", "FailedCreatePodSandBox", message);
      throw new Error(message);
    }
  }

  /**
   * Init containers in order, then app containers. Returns the milliseconds after which to look again
   * (a back-off ending), if sooner than the resync.
   */
  private async syncContainers(pod: Pod, sandbox: SandboxInfo, rp: RuntimePod | undefined): Promise<number | undefined> {
    const spec = pod.spec!;
    const all = instancesByName(rp?.containers ?? []);
    const inSandbox = instancesByName((rp?.containers ?? []).filter((c) => c.sandboxId === sandbox.sandboxId || !c.sandboxId));
    let wait: number | undefined;
    const soonest = (ms: number | undefined) => {
      if (ms !== undefined) wait = wait === undefined ? ms : Math.min(wait, ms);
    };

    if (!this.volumes) {
      try {
        this.volumes = await preparePodVolumes({ runtime: this.deps.runtime, client: this.deps.client, rootDir: this.deps.rootDir }, pod, { podIP: sandbox.ip, hostIP: this.deps.hostIP() });
      } catch (err) {
        const message = err instanceof MountError ? err.message : `MountVolume.SetUp failed: ${(err as Error).message}`;
        void this.deps.events.record(pod, "Warning", "FailedMount", message);
        return SYNC_RETRY_MS * 5;
      }
    }

    const appStarted = spec.containers.some((c) => (inSandbox.get(c.name) ?? []).length > 0);
    // Sidecars (restartable init containers) run until every app container is done for good.
    const appDone = spec.containers.every((c) => {
      const latest = inSandbox.get(c.name)?.[0];
      return latest?.state === "exited" && !shouldRestart(spec.restartPolicy, latest.exitCode);
    });
    if (!appStarted) {
      for (const c of spec.initContainers ?? []) {
        const latest = inSandbox.get(c.name)?.[0];
        if (isSidecar(c)) {
          // The next init container starts once the sidecar has started (its startup probe passed).
          await this.keepRunning(pod, c, sandbox, latest, all, soonest);
          if (latest?.state === "running" && this.probes.started(latest.id)) continue;
          return wait;
        }
        if (!latest || latest.state === "created") {
          if (latest) await this.deps.runtime.removeContainer(latest.id);
          soonest(await this.startContainer(pod, c, sandbox, nextRestartCount(all.get(c.name))));
          return wait;
        }
        if (latest.state !== "exited") return wait; // running (or unknown): wait for it
        if (latest.exitCode === 0) continue;
        if ((spec.restartPolicy ?? "Always") === "Never") return wait; // the pod failed
        soonest(await this.restartWithBackoff(pod, c, sandbox, latest));
        return wait;
      }
    } else {
      for (const c of (spec.initContainers ?? []).filter(isSidecar)) {
        const latest = inSandbox.get(c.name)?.[0];
        if (appDone) {
          if (latest?.state === "running") await this.killContainer(pod, c, latest, this.gracePeriod(pod));
        } else {
          await this.keepRunning(pod, c, sandbox, latest, all, soonest);
        }
      }
    }

    for (const c of spec.containers) {
      const latest = inSandbox.get(c.name)?.[0];
      if (latest?.state === "exited" && !shouldRestart(spec.restartPolicy, latest.exitCode)) continue;
      await this.keepRunning(pod, c, sandbox, latest, all, soonest);
    }
    return wait;
  }

  /**
   * One container that should be running: start it, restart it (with back-off) after it exited,
   * or restart it when its spec changed or a liveness/startup probe failed.
   */
  private async keepRunning(
    pod: Pod, c: Container, sandbox: SandboxInfo, latest: ContainerInfo | undefined, all: Map<string, ContainerInfo[]>, soonest: (ms: number | undefined) => void,
  ): Promise<void> {
    const restartCount = nextRestartCount(all.get(c.name));
    if (!latest) return soonest(await this.startContainer(pod, c, sandbox, restartCount));
    if (latest.state === "created") {
      await this.deps.runtime.removeContainer(latest.id);
      return soonest(await this.startContainer(pod, c, sandbox, restartCount));
    }
    if (latest.state === "running") {
      const failed = this.probes.failed(latest.id);
      if (latest.labels[LABEL_CONTAINER_HASH] && latest.labels[LABEL_CONTAINER_HASH] !== containerHash(c)) {
        await this.killContainer(pod, c, latest, this.gracePeriod(pod), `Container ${c.name} definition changed, will be restarted`);
        this.requestSync();
      } else if (failed) {
        await this.killContainer(pod, c, latest, this.gracePeriod(pod), `Container ${c.name} failed ${failed} probe, will be restarted`);
        this.requestSync();
      }
      return;
    }
    if (latest.state === "exited") soonest(await this.restartWithBackoff(pod, c, sandbox, latest));
  }

  /**
   * Restarts an exited container unless it is inside its back-off window, in which case it waits with
   * CrashLoopBackOff, as upstream's `doBackOff`: the first restart is immediate, then 10 s, 20 s, … 5 min.
   */
  private async restartWithBackoff(pod: Pod, c: Container, sandbox: SandboxInfo, latest: ContainerInfo): Promise<number | undefined> {
    const key = `${this.uid}/${c.name}`;
    const finished = latest.finishedAt?.getTime() ?? Date.now();
    const backoff = this.deps.crashBackoff;
    if (backoff.isInBackOffSince(key, finished)) {
      this.waiting.set(c.name, { reason: "CrashLoopBackOff", message: `back-off ${goDuration(backoff.get(key))} restarting failed container=${c.name} pod=${formatPod(pod)}` });
      void this.deps.events.record(pod, "Warning", "BackOff", "Back-off restarting failed container " + `${c.name} in pod ${formatPod(pod)}`, c.name);
      return backoff.remaining(key, finished) + 1;
    }
    backoff.next(key, finished);
    return this.startContainer(pod, c, sandbox, latest.restartCount + 1);
  }

  /** Image, env, mounts, create, start, postStart. Sets the waiting reason when a step fails. */
  private async startContainer(pod: Pod, c: Container, sandbox: SandboxInfo, restartCount: number): Promise<number | undefined> {
    const image = c.image ?? "";
    const pullKey = `${this.uid}/${c.name}`;
    const lastPullFailure = this.pullFailures.get(c.name);
    if (lastPullFailure !== undefined && this.deps.pullBackoff.isInBackOffSince(pullKey, lastPullFailure)) {
      this.waiting.set(c.name, { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` });
      void this.deps.events.record(pod, "Normal", "BackOff", `Back-off pulling image "${image}"`, c.name);
      return this.deps.pullBackoff.remaining(pullKey, lastPullFailure) + 1;
    }
    let imageRef: string;
    try {
      const started = Date.now();
      const policy = pullPolicy(c);
      if (policy === "Always") void this.deps.events.record(pod, "Normal", "Pulling", `Pulling image "${image}"`, c.name);
      const auth = await pullAuth(this.deps.client, pod, image);
      const r = await this.deps.runtime.ensureImage(image, policy, auth);
      imageRef = r.imageRef;
      this.pullFailures.delete(c.name);
      this.deps.pullBackoff.reset(pullKey);
      if (r.warning) void this.deps.events.record(pod, "Warning", "UsingLocalImage", r.warning, c.name);
      else if (r.pulled) void this.deps.events.record(pod, "Normal", "Pulled", `Successfully pulled image "${image}" in ${goDuration(Date.now() - started)}`, c.name);
      else void this.deps.events.record(pod, "Normal", "Pulled", `Container image "${image}" already present on machine`, c.name);
    } catch (err) {
      const reason = err instanceof ImagePullError ? err.reason : "ErrImagePull";
      const message = (err as Error).message;
      const now = Date.now();
      this.pullFailures.set(c.name, now);
      const wait = this.deps.pullBackoff.next(pullKey, now);
      this.waiting.set(c.name, { reason, message });
      void this.deps.events.record(pod, "Warning", "Failed", message, c.name);
      void this.deps.events.record(pod, "Warning", "Failed", `Error: ${reason}`, c.name);
      return wait + 1;
    }
    let config: ContainerConfig;
    try {
      const env = await containerEnv(this.deps.client, c, { pod, podIP: sandbox.ip || this.deps.hostIP(), hostIP: this.deps.hostIP(), services: servicesForPod(pod, this.deps.services()) });
      const mounts = await containerMounts(c, this.volumes ?? new Map());
      config = {
        name: c.name,
        image,
        imageRef,
        command: c.command,
        args: c.args,
        env,
        workingDir: c.workingDir,
        ports: c.ports,
        resources: c.resources,
        securityContext: c.securityContext,
        podSecurityContext: pod.spec?.securityContext,
        mounts,
        terminationMessagePath: c.terminationMessagePath,
        stdin: c.stdin,
        stdinOnce: c.stdinOnce,
        tty: c.tty,
        restartCount,
        oomScoreAdj: oomScoreAdj(pod.status?.qosClass, c, this.deps.memoryCapacityBytes),
        labels: { [LABEL_CONTAINER_HASH]: containerHash(c) },
      };
    } catch (err) {
      const reason = err instanceof ContainerConfigError ? err.reason : "CreateContainerConfigError";
      this.waiting.set(c.name, { reason, message: (err as Error).message });
      void this.deps.events.record(pod, "Warning", "Failed", `Error: ${(err as Error).message}`, c.name);
      return SYNC_RETRY_MS * 5;
    }
    const cfg = sandboxConfig(pod, this.deps.podConfig, sandbox.attempt);
    let id: string;
    try {
      id = await this.deps.runtime.createContainer(sandbox.sandboxId, cfg, config);
    } catch (err) {
      this.waiting.set(c.name, { reason: "CreateContainerError", message: (err as Error).message });
      void this.deps.events.record(pod, "Warning", "Failed", `Error: ${(err as Error).message}`, c.name);
      return SYNC_RETRY_MS * 5;
    }
    void this.deps.events.record(pod, "Normal", "Created", `Created container ${c.name}`, c.name);
    try {
      await this.deps.runtime.startContainer(id);
    } catch (err) {
      // The engine keeps the container with its start error: the next sync sees it exited (ContainerCannotRun).
      void this.deps.events.record(pod, "Warning", "Failed", `Error: ${(err as Error).message}`, c.name);
      this.requestSync();
      return undefined;
    }
    void this.deps.events.record(pod, "Normal", "Started", `Started container ${c.name}`, c.name);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const r = await runHandler(this.deps.runtime, postStart, c, id, sandbox.ip || this.deps.hostIP(), this.gracePeriod(pod) * 1000);
      if (!r.ok) {
        const message = `PostStartHookError: ${r.output}`;
        void this.deps.events.record(pod, "Warning", "FailedPostStartHook", message, c.name);
        const info = await this.deps.runtime.inspectContainer(id);
        await this.killContainer(pod, c, info, this.gracePeriod(pod), `FailedPostStartHook`);
      }
    }
    this.requestSync();
    return undefined;
  }

  private readonly pullFailures = new Map<string, number>();

  /** preStop (if running), then SIGTERM and SIGKILL after what is left of the grace period. */
  private async killContainer(pod: Pod, c: Container | undefined, info: ContainerInfo, graceSeconds: number, message?: string): Promise<void> {
    if (info.state !== "running") return;
    void this.deps.events.record(pod, "Normal", "Killing", message ?? `Stopping container ${info.containerName}`, info.containerName);
    let grace = graceSeconds;
    const preStop = c?.lifecycle?.preStop;
    if (preStop && grace > 0) {
      const started = Date.now();
      const r = await runHandler(this.deps.runtime, preStop, c!, info.id, this.podIP || this.deps.hostIP(), grace * 1000);
      if (!r.ok) void this.deps.events.record(pod, "Warning", "FailedPreStopHook", `PreStopHook failed: ${r.output}`, info.containerName);
      grace = Math.max(MIN_GRACE_PERIOD_SECONDS, grace - Math.floor((Date.now() - started) / 1000));
    }
    await this.deps.runtime.stopContainer(info.id, grace);
  }

  /**
   * Stops the pod's running containers: app (and regular init) containers in parallel, then sidecars
   * in reverse order, as upstream; then its sandboxes.
   */
  private async killPod(pod: Pod, graceSeconds: number, rp?: RuntimePod): Promise<void> {
    this.probes.sync([]);
    rp ??= await this.deps.runtimePod(this.uid);
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    const sidecars = (pod.spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name).reverse();
    const running = (rp?.containers ?? []).filter((c) => c.state === "running");
    const deadline = Date.now() + graceSeconds * 1000;
    await Promise.all(running.filter((c) => !sidecars.includes(c.containerName)).map((c) => this.killContainer(pod, specs.find((s) => s.name === c.containerName), c, graceSeconds)));
    for (const name of sidecars) {
      // Sidecars get what is left of the grace period (at least the minimum).
      const left = Math.max(MIN_GRACE_PERIOD_SECONDS, Math.ceil((deadline - Date.now()) / 1000));
      await Promise.all(running.filter((c) => c.containerName === name).map((c) => this.killContainer(pod, specs.find((s) => s.name === name), c, Math.min(graceSeconds, left))));
    }
    for (const s of rp?.sandboxes ?? []) if (s.state === "ready") await this.deps.runtime.stopSandbox(s.sandboxId);
  }

  /** Everything of a pod that is gone from the API: containers, sandboxes, volumes. */
  private async teardown(pod: Pod, graceSeconds: number): Promise<void> {
    if (!this.terminated) await this.killPod(pod, graceSeconds);
    const rp = await this.deps.runtimePod(this.uid);
    for (const c of rp?.containers ?? []) await this.deps.runtime.removeContainer(c.id);
    for (const s of rp?.sandboxes ?? []) await this.deps.runtime.removeSandbox(s.sandboxId);
    await this.deps.runtime.cleanupPod(this.uid);
    this.deps.crashBackoff.resetPrefix(`${this.uid}/`);
    this.deps.pullBackoff.resetPrefix(`${this.uid}/`);
  }

  /** Removes dead instances older than the newest and the one before it (kept for `lastState`, `logs --previous`). */
  private async gcDeadInstances(rp: RuntimePod | undefined): Promise<void> {
    for (const list of instancesByName(rp?.containers ?? []).values()) {
      for (const c of list.slice(1 + DEAD_INSTANCES_KEPT)) if (c.state === "exited") await this.deps.runtime.removeContainer(c.id);
    }
  }

  private syncProbes(pod: Pod, rp: RuntimePod | undefined, sandbox: SandboxInfo | undefined): void {
    if (!sandbox) return this.probes.sync([]);
    const byName = instancesByName((rp?.containers ?? []).filter((c) => c.sandboxId === sandbox.sandboxId));
    const previous = pod.status?.containerStatuses ?? [];
    const targets = [];
    const sidecars = (pod.spec?.initContainers ?? []).filter(isSidecar);
    const previousInit = pod.status?.initContainerStatuses ?? [];
    for (const spec of [...sidecars, ...(pod.spec?.containers ?? [])]) {
      const latest = byName.get(spec.name)?.[0];
      if (latest?.state !== "running") continue;
      const old = [...previous, ...previousInit].find((s) => s.name === spec.name && s.containerID === latest.containerID);
      targets.push({ spec, containerId: latest.id, startedAt: latest.startedAt ?? new Date(), ...(old ? { was: { ready: !!old.ready, started: !!old.started } } : {}) });
    }
    this.probes.sync(targets);
  }

  private readonly logFallbacks = new Map<string, string>();

  /** A failed instance without a termination message gets its log tail (FallbackToLogsOnError). */
  private async withLogFallback(info: ContainerInfo): Promise<ContainerInfo> {
    if (info.state !== "exited" || info.exitCode === 0 || info.message) return info;
    let message = this.logFallbacks.get(info.id);
    if (message === undefined) {
      message = await logTailMessage(this.deps.runtime, info.id).catch(() => "");
      this.logFallbacks.set(info.id, message);
      // Only the instances still shown matter; forget older ones.
      if (this.logFallbacks.size > 4) this.logFallbacks.delete(this.logFallbacks.keys().next().value as string);
    }
    return message ? { ...info, message } : info;
  }

  /** Computes the status and writes it through the status subresource when it changed. */
  private async writeStatus(pod: Pod, rp: RuntimePod | undefined, sandbox: SandboxInfo | undefined, terminal: boolean, extra: Pick<PodObservation, "failed" | "reason" | "message"> = {}): Promise<PodStatus> {
    const all = instancesByName(rp?.containers ?? []);
    const containers = new Map<string, ContainerObservation>();
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      let list = all.get(c.name) ?? [];
      if (c.terminationMessagePolicy === "FallbackToLogsOnError") list = await Promise.all(list.slice(0, 2).map((i) => this.withLogFallback(i)));
      const latest = list[0];
      const running = latest?.state === "running";
      const obs: ContainerObservation = {
        ready: running && this.probes.ready(latest!.id),
        started: running && this.probes.started(latest!.id),
      };
      if (latest) obs.latest = latest;
      if (list[1]) obs.previous = list[1];
      const w = this.waiting.get(c.name);
      if (w) obs.waiting = w;
      containers.set(c.name, obs);
    }
    const status = computePodStatus(
      pod,
      { containers, podIP: sandbox?.ip ?? "", sandboxReady: !!sandbox && !terminal, hostIP: this.deps.hostIP(), terminal, ...extra },
      new Date(),
    );
    if (!podStatusChanged(pod.status, status)) return status;
    const ns = pod.metadata?.namespace ?? "default";
    try {
      const written = (await this.deps.client.update(PODS, ns, { ...(pod as KubeObject), status } as KubeObject, "status")) as unknown as Pod;
      this.lastWrittenVersion = written.metadata?.resourceVersion;
      if (written.metadata?.uid === this.uid && !this.goneFromApi) this.pod = written;
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      // Someone else wrote the pod: read it and look again.
      const fresh = (await this.deps.client.get(PODS, ns, pod.metadata!.name!)) as unknown as Pod;
      if (fresh.metadata?.uid === this.uid) this.pod = fresh;
      this.requestSync();
    }
    return status;
  }
}

/**
 * A sidecar: an init container with `restartPolicy: Always`, which keeps running beside the app.
 *
 * @example isSidecar({ name: "proxy", restartPolicy: "Always" }) === true
 */
export function isSidecar(c: Container): boolean {
  return c.restartPolicy === "Always";
}

/** The restart count of a new instance: one more than the newest existing one, 0 for the first. */
export function nextRestartCount(instances: ContainerInfo[] | undefined): number {
  return instances?.length ? instances[0]!.restartCount + 1 : 0;
}
