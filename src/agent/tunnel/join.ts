/**
 * Joining a cluster: the join token pins the server CA (`K10<sha256 of the CA>::user:secret`), so the
 * agent fetches the CA without trusting anything, checks its hash BEFORE sending any secret, and from
 * then on trusts only that CA. Then it trades the join token for node credentials.
 */
import { createHash } from "node:crypto";
import https from "node:https";
import { connectPinnedTls } from "./pinned-tls.js";
import { CACERTS_PATH, NODE_CREDENTIALS_PATH, NODE_NAME_HEADER, type NodeCredentials } from "../../shared/tunnel/index.js";

/**
 * Any single HTTP exchange of the join gives up after this long, so a server that accepts the
 * connection but never answers is retried instead of hanging the agent.
 */
export const JOIN_REQUEST_TIMEOUT_MS = 10_000;

/** Largest response accepted from the join endpoints (a CA bundle or a certificate and key). */
const MAX_JOIN_RESPONSE_BYTES = 256 * 1024;

/**
 * A join that cannot succeed by retrying: wrong token, CA mismatch, credentials refused. The CLI
 * prints the message and exits non-zero.
 */
export class TunnelJoinError extends Error {
  override name = "TunnelJoinError";
}

const FULL_TOKEN = /^K10([0-9a-fA-F]{64})::[^:]+:.+$/;

/**
 * The CA hash a join token pins. Only full tokens carry one; a bare secret cannot prove which server
 * is which, so the agent refuses it rather than send it to whoever answers.
 * @example pinnedCaHash("K10ab12…::server:s3cret") // "ab12…"
 */
export function pinnedCaHash(token: string): string {
  const m = FULL_TOKEN.exec(token.trim());
  if (!m) {
    throw new TunnelJoinError(
      "the join token must be the full token K10<CA hash>::<user>:<secret> (the server writes it to <data-dir>/server/token); a token without the CA hash cannot verify the server",
    );
  }
  return m[1]!.toLowerCase();
}

/**
 * sha256 hex of a CA bundle as the server stores it: the hash k3s-style tokens carry.
 * @example caHash(pem) === pinnedCaHash(token)
 */
export function caHash(caCertPem: string | Buffer): string {
  return createHash("sha256").update(caCertPem).digest("hex");
}

interface HttpResult {
  status: number;
  body: Buffer;
}

/** What an HTTPS exchange of the join trusts. */
type Trust =
  /** Nothing: the answer is checked by other means and nothing secret is sent. */
  | { pinnedCaPem?: undefined }
  /** Only the pinned CA (see pinned-tls.ts), optionally with the node's client certificate. */
  | { pinnedCaPem: string; clientCert?: { certPem: string; keyPem: string } };

/**
 * One HTTPS request with a deadline and a size cap. Never builds Node's root store (pinned-tls.ts
 * says why): an unverified exchange runs with an empty trust list, a pinned one on a connection
 * verified before the request is written.
 */
export async function httpsExchange(url: URL, opts: https.RequestOptions & { body?: string }, trust: Trust = {}): Promise<HttpResult> {
  let connection: https.RequestOptions;
  if (trust.pinnedCaPem !== undefined) {
    const socket = await connectPinnedTls({
      server: url,
      caPem: trust.pinnedCaPem,
      cert: trust.clientCert?.certPem,
      key: trust.clientCert?.keyPem,
      timeoutMs: JOIN_REQUEST_TIMEOUT_MS,
    });
    connection = { createConnection: () => socket };
  } else {
    connection = { ca: [], rejectUnauthorized: false, agent: false };
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...opts, ...connection, timeout: JOIN_REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_JOIN_RESPONSE_BYTES) req.destroy(new Error(`response from ${url.origin} is larger than ${MAX_JOIN_RESPONSE_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer from ${url.origin} in ${JOIN_REQUEST_TIMEOUT_MS / 1000}s`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/**
 * Fetches the server's CA without verifying the server (nothing secret is sent), and returns it only
 * if its sha256 is the one the token pins.
 * @example const caPem = await fetchPinnedCa(new URL("https://10.0.0.1:6443"), pinnedCaHash(token))
 */
export async function fetchPinnedCa(server: URL, expectedHash: string): Promise<string> {
  const res = await httpsExchange(new URL(CACERTS_PATH, server), { method: "GET" });
  if (res.status === 404) throw new TunnelJoinError(`the server at ${server.origin} does not serve ${CACERTS_PATH}: is it a kube-lite server?`);
  if (res.status !== 200) throw new Error(`GET ${CACERTS_PATH} from ${server.origin} answered ${res.status}`);
  const actual = caHash(res.body);
  if (actual !== expectedHash) {
    throw new TunnelJoinError(
      `the server at ${server.origin} presents a CA with sha256 ${actual}, but the join token pins ${expectedHash}: wrong server address or wrong token (the token was not sent)`,
    );
  }
  return res.body.toString("utf8");
}

/**
 * Asks the server for node credentials, authenticated by the join token or, for renewal, by the
 * node's current certificate. TLS trusts only the pinned CA.
 * @example const creds = await requestNodeCredentials(server, { caPem, nodeName: "pi1", token })
 */
export async function requestNodeCredentials(server: URL, opts: { caPem: string; nodeName: string; token?: string; clientCert?: { certPem: string; keyPem: string } }): Promise<NodeCredentials> {
  const headers: Record<string, string> = { [NODE_NAME_HEADER]: opts.nodeName, "Content-Length": "0" };
  if (opts.token) headers.Authorization = `Bearer ${opts.token.trim()}`;
  const res = await httpsExchange(new URL(NODE_CREDENTIALS_PATH, server), { method: "POST", headers }, { pinnedCaPem: opts.caPem, clientCert: opts.clientCert });
  if (res.status === 401 || res.status === 403) {
    throw new TunnelJoinError(
      opts.token
        ? `the server at ${server.origin} rejected the join token for node "${opts.nodeName}" (the CA matched, so the secret is wrong or the node name is invalid)`
        : `the server at ${server.origin} refused to renew the credentials of node "${opts.nodeName}"`,
    );
  }
  if (res.status === 404) throw new TunnelJoinError(`the server at ${server.origin} does not accept agents (no ${NODE_CREDENTIALS_PATH}): is the tunnel endpoint enabled?`);
  if (res.status !== 200) throw new Error(`POST ${NODE_CREDENTIALS_PATH} to ${server.origin} answered ${res.status}`);
  const creds = JSON.parse(res.body.toString("utf8")) as NodeCredentials;
  if (creds.nodeName !== opts.nodeName || typeof creds.certPem !== "string" || typeof creds.keyPem !== "string") {
    throw new Error(`the server at ${server.origin} answered the credentials request with something else`);
  }
  // Keep trusting exactly the CA we pinned, whatever the answer says.
  return { ...creds, caCertPem: opts.caPem };
}
