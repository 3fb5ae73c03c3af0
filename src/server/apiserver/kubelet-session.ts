/**
 * Opening a kubelet streaming session on a pod's node through the agent tunnel, as logs, exec/attach
 * and port-forward all do: open the stream, read the node's one-line answer, and turn every failure
 * into the ApiError the client should see (node not connected, session lost while starting, the
 * kubelet's own refusal with its code and message).
 */
import { ApiError } from "../../shared/api/status.js";
import { readStreamHeader } from "../../shared/tunnel/kubelet-stream.js";
import type { TunnelStream } from "../../shared/tunnel/index.js";

/** Opens a kubelet stream to a node (the tunnel endpoint). */
export interface KubeletStreams {
  openKubeletStream(nodeName: string, meta: { path: string }): TunnelStream;
}

export interface KubeletSessionRequest {
  node: string;
  /** The kubelet path, e.g. `/exec/default/web/app?command=sh`. */
  path: string;
  /** Said when the node's answer never comes, e.g. "starting the exec session on node pi1 failed". */
  failure: string;
  /** Said when the kubelet refuses without a message of its own, e.g. "the kubelet refused the exec request". */
  refusal: string;
  /** The client's side of the session: when it closes, the node stream goes too (also while starting). */
  client?: { once(event: "close", listener: () => void): unknown };
}

/**
 * Resolves with the node stream once the kubelet accepted; the stream's payload follows its header.
 * Stream errors after that are the caller's to handle (a listener that ignores them is attached).
 *
 * @example const stream = await openKubeletSession(tunnel, { node, path, failure: `reading the log from node ${node} failed`, refusal: "the kubelet refused the log request", client: res });
 */
export async function openKubeletSession(tunnel: KubeletStreams, req: KubeletSessionRequest): Promise<TunnelStream> {
  let stream: TunnelStream;
  try {
    stream = tunnel.openKubeletStream(req.node, { path: req.path });
  } catch (err) {
    throw err instanceof ApiError ? err : new ApiError(503, "ServiceUnavailable", `node ${req.node} is not connected: ${(err as Error).message}`);
  }
  // The node may reset the stream at any time (agent restart): never an unhandled error.
  stream.on("error", () => undefined);
  req.client?.once("close", () => stream.destroy());
  let header;
  try {
    header = await readStreamHeader(stream);
  } catch (err) {
    stream.destroy();
    throw new ApiError(502, "InternalError", `${req.failure}: ${(err as Error).message}`);
  }
  if (!header.ok) {
    stream.destroy();
    throw new ApiError(header.code ?? 500, (header.reason as never) ?? "InternalError", header.message ?? req.refusal);
  }
  return stream;
}
