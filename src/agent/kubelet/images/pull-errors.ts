/**
 * Why a pull failed, read from the Docker engine's error. Only one class matters for our air-gap
 * fallback: "unreachable" (no registry answered at all). A registry that answered — denied,
 * unauthorized, not found — is never overridden by a local image.
 */

export type PullFailure = "unreachable" | "auth" | "not-found" | "other";

/** The registry said who we are is not allowed (or the repository is private/absent: Docker cannot tell). */
const AUTH_PATTERNS = [/unauthorized/i, /authentication required/i, /\bdenied\b/i, /\b401\b/, /\b403\b/, /no basic auth credentials/i];
/** The registry said the image does not exist. */
const NOT_FOUND_PATTERNS = [/manifest unknown/i, /not found/i, /repository does not exist/i, /name unknown/i];
/** Go's net and net/http errors the Docker engine wraps when no registry could be reached. */
const UNREACHABLE_PATTERNS = [
  /no such host/i, /server misbehaving/i, /temporary failure in name resolution/i, /network is unreachable/i,
  /no route to host/i, /connection refused/i, /connection reset by peer/i, /i\/o timeout/i, /TLS handshake timeout/i,
  /request canceled while waiting for connection/i, /Client\.Timeout exceeded/i, /dial tcp/i, /proxyconnect/i,
  /context deadline exceeded/i,
];

/** The text of an error from dockerode: the engine's JSON message when there is one. */
export function engineMessage(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { json?: unknown; message?: unknown; reason?: unknown };
    if (e.json && typeof e.json === "object" && typeof (e.json as { message?: unknown }).message === "string") {
      return (e.json as { message: string }).message;
    }
    if (typeof e.json === "string" && e.json.trim()) return e.json.trim();
    if (typeof e.message === "string") return e.message.replace(/^\(HTTP code \d+\) [a-z ]+ - /i, "").trim();
  }
  return String(err);
}

/**
 * Classifies a pull error from the Docker engine.
 *
 * @example classifyPullError(new Error('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host')) === "unreachable"
 */
export function classifyPullError(err: unknown): PullFailure {
  const msg = engineMessage(err);
  // An answer from a registry wins over transport words that may appear in the same message.
  if (AUTH_PATTERNS.some((p) => p.test(msg))) return "auth";
  if (NOT_FOUND_PATTERNS.some((p) => p.test(msg))) return "not-found";
  if (UNREACHABLE_PATTERNS.some((p) => p.test(msg))) return "unreachable";
  return "other";
}
