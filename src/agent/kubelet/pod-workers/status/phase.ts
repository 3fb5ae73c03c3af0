/**
 * The pod phase from its container statuses, as upstream's kubelet `getPhase` (1.32) computes it for
 * pods without sidecar (restartable init) containers. Pure.
 */
import type { ContainerStatus, PodSpec } from "kubernetes-types/core/v1.js";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

/**
 * Pending, Running, Succeeded or Failed.
 *
 * - A failed init container fails the pod when restartPolicy is Never.
 * - Init containers still to run (and no app container started) or an app container never started: Pending.
 * - Every app container started and at least one running: Running.
 * - None running and all have stopped: Running while they restart (Always, or OnFailure with a
 *   failure), Succeeded when all exited 0, Failed otherwise. `podIsTerminal` (the pod is being torn
 *   down for good) ends in Succeeded/Failed whatever the restart policy.
 *
 * @example podPhase(spec, [], [{ name: "app", state: { running: {} }, … }]) === "Running"
 */
export function podPhase(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal = false): PodPhase {
  const restartPolicy = spec.restartPolicy ?? "Always";
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) {
      pendingInitialization++;
    } else if (s.state?.running) {
      pendingInitialization++;
    } else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else {
        pendingInitialization++;
      }
    } else {
      pendingInitialization++;
    }
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInitialization > 0 && restartPolicy === "Never") return "Failed";
  const anyRegularStarted = statuses.some((s) => !!s.state?.running || !!s.state?.terminated || !!s.lastState?.terminated);
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return "Pending";
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (restartPolicy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}
