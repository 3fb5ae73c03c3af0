/**
 * `GET …/pods/<name>/log`: the container's log, streamed from the node's kubelet through the agent
 * tunnel (no inbound port on any agent). Headers are flushed at once and bytes are piped with
 * backpressure; `follow` streams until the client goes away or the container's log ends.
 */
import type { Pod } from "kubernetes-types/core/v1.js";
import { ApiError, badRequest } from "../../shared/api/status.js";
import { openKubeletSession, type KubeletStreams } from "./kubelet-session.js";
import type { ResourceRequest, SubresourceHandler } from "./resource-handler.js";


/** Query parameters of PodLogOptions passed on to the kubelet, as upstream's log subresource does. */
const FORWARDED = ["follow", "previous", "sinceSeconds", "sinceTime", "timestamps", "tailLines", "limitBytes"];

/** Picks the container as upstream's log REST does: the named one, the only one, or an error listing them. */
export function logContainer(pod: Pod, requested: string | null): string {
  const spec = pod.spec;
  const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  const name = pod.metadata?.name ?? "";
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const app = (spec?.containers ?? []).map((c) => c.name);
  if (app.length === 1) return app[0]!;
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${app.join(" ")}]`);
}

export function podLogHandler(streams: KubeletStreams): SubresourceHandler {
  return async (r: ResourceRequest, namespace: string): Promise<void> => {
    if (r.info.verb !== "get") throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    const pod = (await r.store.get(namespace, r.info.name)) as unknown as Pod;
    const container = logContainer(pod, r.query.get("container"));
    const node = pod.spec?.nodeName;
    const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
    if (!node || !status || (status.state?.waiting && !status.lastState?.terminated && !status.containerID)) {
      const reason = status?.state?.waiting?.reason ?? "ContainerCreating";
      throw badRequest(`container "${container}" in pod "${r.info.name}" is waiting to start: ${reason}`);
    }
    const query = new URLSearchParams();
    for (const p of FORWARDED) {
      const v = r.query.get(p);
      if (v !== null) query.set(p, v);
    }
    const path = `/containerLogs/${namespace}/${r.info.name}/${container}${query.size ? `?${query}` : ""}`;
    const res = r.res;
    const stream = await openKubeletSession(streams, { node, path, failure: `reading the log from node ${node} failed`, refusal: "the kubelet refused the log request", client: res });
    // The node may reset the stream at any time (agent restart): end the response, never crash.
    stream.on("error", () => {
      if (res.headersSent) res.end();
    });
    res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    stream.pipe(res);
  };
}
