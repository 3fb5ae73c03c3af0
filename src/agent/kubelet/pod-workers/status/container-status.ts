/**
 * A container's `ContainerStatus` from what the runtime holds for it (its newest and previous
 * instances) and what the pod worker decided (a waiting reason, probe results). Pure.
 */
import type { Container, ContainerState as ApiContainerState, ContainerStatus } from "kubernetes-types/core/v1.js";
import { rfc3339 } from "../../../../shared/api/time.js";
import type { ContainerInfo } from "../../runtime/types.js";

/** Why a container is not running, as the worker decided it (CrashLoopBackOff, ErrImagePull, …). */
export interface WaitingReason {
  reason: string;
  message?: string;
}

/** Everything known about one container of the pod spec. */
export interface ContainerObservation {
  /** The newest instance the runtime holds, if any. */
  latest?: ContainerInfo;
  /** The instance before it (for `lastState`), if any. */
  previous?: ContainerInfo;
  /** Set when the worker will not (yet) run the newest instance: back-off, pull failure, … */
  waiting?: WaitingReason;
  /** Readiness probe result (true when there is no readiness probe and the container is running and started). */
  ready: boolean;
  /** Startup probe passed (or there is none) and the container is running. */
  started: boolean;
}

/** Default waiting reason of a container that has no instance yet (upstream kubelet). */
export const REASON_CONTAINER_CREATING = "ContainerCreating";
/** Default waiting reason of an app container while init containers run. */
export const REASON_POD_INITIALIZING = "PodInitializing";

/** A finished instance as `state.terminated`. */
export function terminatedState(c: ContainerInfo): ApiContainerState {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? "Completed" : "Error"),
      ...(c.message ? { message: c.message } : {}),
      ...(c.startedAt ? { startedAt: rfc3339(c.startedAt) } : {}),
      ...(c.finishedAt ? { finishedAt: rfc3339(c.finishedAt) } : {}),
      containerID: c.containerID,
    },
  };
}

/**
 * The status of one container. `state`: running, terminated (not to be restarted) or waiting (with the
 * worker's reason; the newest finished instance then moves to `lastState`, as upstream shows a crash loop).
 *
 * @example containerStatus(spec, { latest: running, ready: true, started: true })
 *   // { name, state: { running: { startedAt } }, ready: true, restartCount: 0, image, imageID, containerID, started: true }
 */
export function containerStatus(spec: Container, obs: ContainerObservation, defaultWaiting = REASON_CONTAINER_CREATING): ContainerStatus {
  const { latest, previous } = obs;
  let state: ApiContainerState;
  let lastState: ApiContainerState = {};
  if (latest?.state === "running") {
    state = { running: latest.startedAt ? { startedAt: rfc3339(latest.startedAt) } : {} };
    if (previous?.state === "exited") lastState = terminatedState(previous);
  } else if (latest?.state === "exited" && !obs.waiting) {
    state = terminatedState(latest);
    if (previous?.state === "exited") lastState = terminatedState(previous);
  } else {
    const w = obs.waiting ?? { reason: defaultWaiting };
    state = { waiting: { reason: w.reason, ...(w.message ? { message: w.message } : {}) } };
    if (latest?.state === "exited") lastState = terminatedState(latest);
    else if (previous?.state === "exited") lastState = terminatedState(previous);
  }
  const running = latest?.state === "running";
  const status: ContainerStatus = {
    name: spec.name,
    state,
    lastState,
    ready: running && obs.ready,
    restartCount: latest?.restartCount ?? 0,
    image: spec.image ?? "",
    imageID: latest?.imageID ?? "",
    started: running && obs.started,
  };
  if (latest) status.containerID = latest.containerID;
  return status;
}
