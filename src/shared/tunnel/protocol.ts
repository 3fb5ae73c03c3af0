/**
 * The tunnel's HTTP surface on the API server's port, shared by the server endpoint and the agent.
 */

/** WebSocket upgrade path of the tunnel (`wss://server:6443/v1-kube-lite/connect`). */
export const TUNNEL_PATH = "/v1-kube-lite/connect";

/** The cluster CA, PEM, without authentication (k3s's `/cacerts`): joining agents check it against their token's hash. */
export const CACERTS_PATH = "/cacerts";

/** POST with the join token (or a current node certificate): returns NodeCredentials for the named node. */
export const NODE_CREDENTIALS_PATH = "/v1-kube-lite/node-credentials";

/** Header naming the node in a credentials request. */
export const NODE_NAME_HEADER = "x-kube-lite-node-name";

/** What the server hands a joining node: a client certificate for `system:node:<name>`. */
export interface NodeCredentials {
  nodeName: string;
  certPem: string;
  keyPem: string;
  caCertPem: string;
}
