/**
 * The agent's tunnel client: `connectTunnel` joins (or reuses stored node credentials), keeps one
 * WebSocket to the server up, and exposes an http.Agent for API calls plus a handler hook for the
 * server's kubelet streams.
 * @example
 * import { connectTunnel } from "./tunnel/index.js";
 * const tunnel = await connectTunnel({ server, token, dataDir, nodeName, logger });
 */
export { connectTunnel, TunnelClient, API_DIAL_TIMEOUT_MS, type ConnectTunnelOptions, type KubeletStreamHandler } from "./client.js";
export { authorizeServerStream, KUBELET_STREAM_ENDPOINTS, type KubeletStreamRequest, type KubeletEndpoint, type StreamDecision } from "./authorize.js";
export { TunnelJoinError, pinnedCaHash, caHash } from "./join.js";
export { backoffDelay, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from "./backoff.js";
export { loadNodeCredentials, CREDENTIAL_FILES } from "./credentials.js";
