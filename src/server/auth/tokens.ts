/**
 * Server secrets: the cluster join token (k3s format `K10<caHash>::server:<secret>`, which also pins the
 * server CA for joining agents) and the admin bearer token written into the kubeconfig.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import path from "node:path";
import { ensurePrivateDir, readFileIfExists, SECRET_FILE_MODE, writeFileAtomic } from "../tls/files.js";

/** Fixed prefix identifying k3s-format ("secure") tokens. */
export const TOKEN_PREFIX = "K10";
/** A CA hash is a hex sha256 digest. */
const CA_HASH_LENGTH = 64;
/** Username in the server's own join token, as k3s writes it. */
export const SERVER_TOKEN_USERNAME = "server";
/** Random bytes in a generated join secret (hex-encoded, 32 characters), as long as k3s's. */
const JOIN_SECRET_BYTES = 16;
/** Random bytes in the admin bearer token (256 bits, base64url). */
const ADMIN_TOKEN_BYTES = 32;

/** Where the tokens live, relative to the data directory (k3s's layout). */
export const TOKEN_FILES = {
  joinToken: path.join("server", "token"),
  adminToken: path.join("server", "cred", "admin.token"),
} as const;

export interface ParsedJoinToken {
  /** sha256 hex of the server CA, when the token is in the full `K10…::` form. */
  caHash?: string;
  /** "" for a short token (a bare secret), as k3s parses it. */
  username: string;
  password: string;
}

/**
 * Parses a join token as k3s does: the full form `K10<caHash>::<username>:<password>` (the hash may be
 * empty), or a short form, which is the password on its own. Throws on an empty token, a hash of the
 * wrong length, or a full token without `username:password`. (kubeadm-style bootstrap tokens are not
 * supported.)
 * @example parseJoinToken("K10abc…::server:s3cret") // { caHash: "abc…", username: "server", password: "s3cret" }
 */
export function parseJoinToken(text: string): ParsedJoinToken {
  const token = text.trim();
  if (token.length === 0) throw new Error("token must not be empty");
  if (!token.startsWith(TOKEN_PREFIX)) return { username: "", password: token };
  const rest = token.slice(TOKEN_PREFIX.length);
  const sep = rest.indexOf("::");
  let caHash: string | undefined;
  let creds = rest;
  if (sep >= 0) {
    const hash = rest.slice(0, sep);
    if (hash.length > 0 && hash.length !== CA_HASH_LENGTH) throw new Error("invalid token CA hash length");
    if (hash.length > 0) caHash = hash.toLowerCase();
    creds = rest.slice(sep + 2);
  }
  const colon = creds.indexOf(":");
  if (colon < 0 || colon === creds.length - 1) throw new Error("invalid token format");
  const parsed: ParsedJoinToken = { username: creds.slice(0, colon), password: creds.slice(colon + 1) };
  if (caHash) parsed.caHash = caHash;
  return parsed;
}

/**
 * Formats a full join token.
 * @example formatJoinToken(tls.caHash, "server", secret) // "K10<hash>::server:<secret>"
 */
export function formatJoinToken(caHash: string, username: string, password: string): string {
  return `${TOKEN_PREFIX}${caHash}::${username}:${password}`;
}

/**
 * Compares two secrets in constant time whatever their lengths (both are hashed to 32 bytes first, so
 * neither the content nor the length leaks through timing).
 * @example constantTimeEqual(presentedToken, adminToken)
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Whether a token presented by a joining agent matches the server's join token: the secrets must be
 * equal, and a CA hash, when the presented token carries one, must be the server's.
 * @example joinTokenMatches(headerToken, tokens.joinToken)
 */
export function joinTokenMatches(presented: string, joinToken: string): boolean {
  let p: ParsedJoinToken;
  let s: ParsedJoinToken;
  try {
    p = parseJoinToken(presented);
    s = parseJoinToken(joinToken);
  } catch {
    return false;
  }
  const passwordOk = constantTimeEqual(p.password, s.password);
  const hashOk = p.caHash === undefined || s.caHash === undefined || p.caHash === s.caHash;
  return passwordOk && hashOk;
}

export interface ServerTokens {
  /** `K10<caHash>::server:<secret>`: give it to agents (`--token`). */
  joinToken: string;
  /** Bearer token with full rights, written into the admin kubeconfig. */
  adminToken: string;
  files: { joinToken: string; adminToken: string };
}

export interface ServerTokenOptions {
  /** The data directory; files go to `<dir>/server/token` and `<dir>/server/cred/admin.token`. */
  dir: string;
  /** `--token`: a bare secret or a full `K10…` token; its secret becomes the join secret, as in k3s. */
  token?: string;
  /** sha256 hex of the server CA (`TlsMaterial.caHash`). */
  caHash: string;
}

/**
 * Loads or creates the join token and the admin token (files mode 0600, folders 0700). With `token`,
 * its secret is used and the file rewritten; without, the stored secret is kept (re-stamped with the
 * current CA hash) or a random one generated. A `token` whose CA hash is not this server's is refused.
 * @example
 * const { joinToken, adminToken } = await loadOrCreateServerTokens({ dir: config.dataDir, token: config.token, caHash: tls.caHash });
 */
export async function loadOrCreateServerTokens(opts: ServerTokenOptions): Promise<ServerTokens> {
  const files = { joinToken: path.resolve(opts.dir, TOKEN_FILES.joinToken), adminToken: path.resolve(opts.dir, TOKEN_FILES.adminToken) };
  await ensurePrivateDir(path.dirname(files.joinToken));
  await ensurePrivateDir(path.dirname(files.adminToken));

  let secret: string;
  if (opts.token !== undefined) {
    const given = parseJoinToken(opts.token);
    if (given.caHash && given.caHash !== opts.caHash.toLowerCase()) {
      throw new Error(`token CA hash does not match the Cluster CA certificate hash: ${given.caHash} != ${opts.caHash}`);
    }
    secret = given.password;
  } else {
    const stored = await readFileIfExists(files.joinToken);
    secret = stored?.trim() ? parseJoinToken(stored).password : randomBytes(JOIN_SECRET_BYTES).toString("hex");
  }
  const joinToken = formatJoinToken(opts.caHash, SERVER_TOKEN_USERNAME, secret);
  if ((await readFileIfExists(files.joinToken))?.trim() !== joinToken) await writeFileAtomic(files.joinToken, joinToken + "\n", SECRET_FILE_MODE);

  let adminToken = (await readFileIfExists(files.adminToken))?.trim();
  if (!adminToken) {
    adminToken = randomBytes(ADMIN_TOKEN_BYTES).toString("base64url");
    await writeFileAtomic(files.adminToken, adminToken + "\n", SECRET_FILE_MODE);
  }
  return { joinToken, adminToken, files };
}
