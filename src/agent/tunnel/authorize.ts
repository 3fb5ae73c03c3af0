/**
 * The agent's gate for server-opened streams: the server (or whoever holds its tunnel) may reach only
 * this node's own kubelet streaming endpoints — never an arbitrary address, port or another node.
 */
import type { StreamMeta } from "../../shared/tunnel/index.js";

/**
 * Kubelet endpoints the server may open (upstream kubelet paths): container logs, exec, attach,
 * port-forward, and the stats summary. Nothing else is reachable through the tunnel.
 */
export const KUBELET_STREAM_ENDPOINTS = ["containerLogs", "exec", "attach", "portForward", "stats"] as const;
export type KubeletEndpoint = (typeof KUBELET_STREAM_ENDPOINTS)[number];

/** Path segments are object names (DNS labels/subdomains, container names): no dots-only, no encoding tricks. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** namespace/pod/container at most. */
const MAX_SEGMENTS = 4;

/** An authorised kubelet request: which endpoint, and the path (with query) to serve. */
export interface KubeletStreamRequest {
  endpoint: KubeletEndpoint;
  /** e.g. "/containerLogs/default/web/nginx?follow=true" */
  path: string;
}

export type StreamDecision = { allowed: true; request: KubeletStreamRequest } | { allowed: false; reason: string };

/**
 * Decides whether to accept a server-opened stream. Allowed: kind "kubelet", addressed to this node,
 * with a path under one of KUBELET_STREAM_ENDPOINTS whose segments are plain names. Everything else
 * (other kinds, other nodes, dial targets, `..`, percent-encoding) is refused.
 * @example authorizeServerStream({ kind: "kubelet", node: "pi1", path: "/exec/default/web/app?command=sh" }, "pi1").allowed // true
 */
export function authorizeServerStream(meta: StreamMeta, nodeName: string): StreamDecision {
  if (meta.kind !== "kubelet") return { allowed: false, reason: `stream kind ${JSON.stringify(meta.kind)} is not allowed` };
  if (meta.node !== nodeName) return { allowed: false, reason: `stream is addressed to node ${JSON.stringify(meta.node)}, this is ${JSON.stringify(nodeName)}` };
  if (typeof meta.path !== "string") return { allowed: false, reason: "kubelet stream without a path" };
  const q = meta.path.indexOf("?");
  const pathname = q < 0 ? meta.path : meta.path.slice(0, q);
  const segments = pathname.split("/");
  if (segments[0] !== "" || segments.length < 2 || segments.length - 1 > MAX_SEGMENTS) return { allowed: false, reason: `kubelet path ${JSON.stringify(pathname)} is not allowed` };
  const endpoint = segments[1] as KubeletEndpoint;
  if (!KUBELET_STREAM_ENDPOINTS.includes(endpoint)) return { allowed: false, reason: `kubelet endpoint ${JSON.stringify(segments[1])} is not allowed` };
  for (const s of segments.slice(2)) {
    if (!SEGMENT.test(s) || /^\.+$/.test(s)) return { allowed: false, reason: `kubelet path segment ${JSON.stringify(s)} is not allowed` };
  }
  return { allowed: true, request: { endpoint, path: meta.path } };
}
