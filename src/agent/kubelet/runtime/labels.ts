/**
 * Labels kube-lite puts on every Docker container it creates. They carry the pod's identity, so an
 * agent that restarts can adopt its running containers instead of restarting them. The
 * `io.kubernetes.*` keys are the ones the kubelet's dockershim used, so tools that know them
 * (`docker ps --filter label=io.kubernetes.pod.name=…`) keep working.
 */
import type { ContainerIdentity } from "./types.js";

export const LABEL_POD_UID = "io.kubernetes.pod.uid";
export const LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
export const LABEL_POD_NAME = "io.kubernetes.pod.name";
export const LABEL_CONTAINER_NAME = "io.kubernetes.container.name";
export const LABEL_RESTART_COUNT = "io.kubernetes.container.restartCount";
export const LABEL_SANDBOX_ID = "io.kubernetes.sandbox.id";
export const LABEL_CONTAINER_PORTS = "io.kubernetes.container.ports";
export const LABEL_TERMINATION_MESSAGE_PATH = "io.kubernetes.container.terminationMessagePath";
/** `podsandbox` or `container`, as dockershim marked them. */
export const LABEL_TYPE = "io.kubernetes.docker.type";
export const TYPE_SANDBOX = "podsandbox";
export const TYPE_CONTAINER = "container";
/** The sandbox attempt (recreations of a pod's sandbox). */
export const LABEL_SANDBOX_ATTEMPT = "io.kubernetes.sandbox.attempt";
/** The node whose agent owns the container: several agents may share one Docker engine. */
export const LABEL_NODE = "io.kube-lite.node";
/** Host file backing the termination message, read when the container has exited. */
export const LABEL_TERMINATION_MESSAGE_FILE = "io.kube-lite.termination-message-file";
/** The image as the pod spec names it (the container is created from the resolved ID). */
export const LABEL_IMAGE = "io.kube-lite.image";
/** Whether containers of the pod join the sandbox's PID namespace. */
export const LABEL_SHARE_PID = "io.kube-lite.share-process-namespace";
/** Prefix for the pod's own labels copied onto its sandbox, for `docker ps` users. */
export const POD_LABEL_PREFIX = "io.kube-lite.pod-label.";

/**
 * Reads a container's pod identity from its labels; `undefined` if it is not one of ours.
 *
 * @example const who = identityFromLabels(info.Labels); if (who) adopt(who.podUid, who.containerName);
 */
export function identityFromLabels(labels: Record<string, string> | undefined): ContainerIdentity | undefined {
  if (!labels || labels[LABEL_TYPE] !== TYPE_CONTAINER) return undefined;
  const podUid = labels[LABEL_POD_UID];
  const containerName = labels[LABEL_CONTAINER_NAME];
  if (!podUid || !containerName) return undefined;
  const restartCount = Number.parseInt(labels[LABEL_RESTART_COUNT] ?? "0", 10);
  return {
    podUid,
    namespace: labels[LABEL_POD_NAMESPACE] ?? "",
    podName: labels[LABEL_POD_NAME] ?? "",
    sandboxId: labels[LABEL_SANDBOX_ID] ?? "",
    containerName,
    restartCount: Number.isFinite(restartCount) && restartCount >= 0 ? restartCount : 0,
  };
}

/** Docker container names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]`; pod and namespace names already fit. */
function nameSafe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, "-");
}

/**
 * Docker container name in dockershim's pattern, readable in `docker ps`:
 * `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`; the sandbox uses `POD` as container name.
 *
 * @example containerName("web", "nginx-1", "default", uid, 0) // "k8s_web_nginx-1_default_<uid>_0"
 */
export function containerName(container: string, pod: string, namespace: string, uid: string, attempt: number): string {
  return ["k8s", nameSafe(container), nameSafe(pod), nameSafe(namespace), nameSafe(uid), String(attempt)].join("_");
}
