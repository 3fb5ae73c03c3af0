/**
 * The pod phase from its container statuses, as upstream's kubelet `getPhase` computes it, sidecar
 * (restartable init) containers included. Pure.
 */
import type { ContainerStatus, PodSpec } from "kubernetes-types/core/v1.js";

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

/**
 * Pending, Running, Succeeded or Failed.
 *
 * - A failed init container fails the pod when restartPolicy is Never.
 * - Regular init containers still to run, sidecars not yet started (before any app container
 *   started), or an app container never started: Pending. Running sidecars count as running.
 * - Every app container started and at least one running: Running.
 * - None running and all have stopped: Running while they restart (Always, or OnFailure with a
 *   failure), Succeeded when all exited 0, Failed otherwise. `podIsTerminal` (the pod is being torn
 *   down for good) ends in Succeeded/Failed whatever the restart policy.
 *
 * @example podPhase(spec, [], [{ name: "app", state: { running: {} }, … }]) === "Running"
 */
export function podPhase(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal = false): PodPhase {
  const restartPolicy = spec.restartPolicy ?? "Always";
  let pendingRegularInit = 0;
  let pendingSidecars = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy === "Always") continue;
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) {
      pendingRegularInit++;
    } else if (s.state?.running) {
      pendingRegularInit++;
    } else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else {
        pendingRegularInit++;
      }
    } else {
      pendingRegularInit++;
    }
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  // Sidecars count as running while they run; stopped ones do not decide the phase.
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy !== "Always") continue;
    const s = initStatuses.find((x) => x.name === c.name);
    if (!s) unknown++;
    else if (s.state?.running) {
      if (!s.started) pendingSidecars++;
      running++;
    } else if (s.state?.terminated) {
      // not counted
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingSidecars++;
        waiting++;
      }
    } else {
      pendingSidecars++;
      unknown++;
    }
  }
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
  const podHasInitialized = statuses.some((s) => !!s.state?.running || !!s.state?.terminated || !!s.lastState?.terminated);
  if (pendingRegularInit > 0 || (pendingSidecars > 0 && !podHasInitialized) || waiting > 0) return "Pending";
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
