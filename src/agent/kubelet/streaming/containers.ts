/**
 * What the kubelet's streaming endpoints share: finding a container instance of a pod in the runtime,
 * and refusing a stream with a Status header.
 */
import type { Duplex } from "node:stream";
import { writeStreamHeader } from "../../../shared/tunnel/kubelet-stream.js";
import type { ContainerInfo, ContainerRuntime } from "../runtime/types.js";

/** The current instance of a container (highest restart count), or the one before it. */
export function pickInstance(instances: ContainerInfo[], previous: boolean): ContainerInfo | undefined {
  const sorted = [...instances].sort((a, b) => b.restartCount - a.restartCount || (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return previous ? sorted[1] : sorted[0];
}

/** The container `container` of pod `namespace/pod` as this node's runtime holds it. */
export async function findContainerInstance(runtime: ContainerRuntime, namespace: string, pod: string, container: string, previous = false): Promise<ContainerInfo | undefined> {
  const pods = await runtime.listPodContainers();
  const found = pods.find((p) => p.namespace === namespace && p.name === pod);
  return pickInstance((found?.containers ?? []).filter((c) => c.containerName === container), previous);
}

/** Answers a stream with a 400 Status header and ends it. */
export function refuseStream(stream: Duplex, message: string): void {
  writeStreamHeader(stream, { code: 400, reason: "BadRequest", message });
  stream.end();
}
