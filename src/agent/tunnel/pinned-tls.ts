/**
 * TLS to the server that trusts exactly the CA the join token pinned, checked here after the handshake
 * and before the caller writes a byte, instead of through Node's `ca` option.
 *
 * Why not `ca`: Node 20 builds its bundled Mozilla root store (about 140 certificates) the first time
 * any secure context is given `ca`, or no `ca` at all, and keeps it for the life of the process, even
 * though a context with `ca` never uses it (node_crypto_context.cc compares the context's store with
 * the root store, creating the root store to do so). That is ~2.4 MB resident in a bare node on x64
 * (0.8 MB measured in the running agent) for certificates an agent never trusts.
 *
 * The handshake runs with an empty trust list (`ca: []`: nothing is parsed) and without Node's check;
 * then `verifyPinnedServer` makes the checks OpenSSL makes for a server certificate issued directly by
 * a trusted CA: issued and signed by a certificate of the pinned bundle that is a CA and is within its
 * validity, the leaf within its validity, allowed for server authentication when it limits its usage,
 * and naming the host (Node's own tls.checkServerIdentity). kube-lite servers issue their serving
 * certificate directly from the cluster CA; a server certificate issued through an intermediate CA is
 * trusted only when the intermediate is in the pinned bundle (OpenSSL would also accept one the server
 * sends).
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import tls from "node:tls";

/** extendedKeyUsage OIDs: TLS server authentication, and "any". */
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

/** A server certificate the pinned CA does not vouch for; `code` is the one OpenSSL or Node would give. */
export class ServerCertificateError extends Error {
  override name = "ServerCertificateError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The certificates of a PEM bundle.
 * @example pinnedCertificates(caPem).length // 1 for a kube-lite server's CA file
 */
export function pinnedCertificates(bundlePem: string): X509Certificate[] {
  const blocks = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new Error("the pinned CA bundle holds no certificate");
  return blocks.map((pem) => new X509Certificate(pem));
}

function validAt(cert: X509Certificate, now: number): "early" | "expired" | undefined {
  if (now < Date.parse(cert.validFrom)) return "early";
  if (now > Date.parse(cert.validTo)) return "expired";
  return undefined;
}

/**
 * Why the server on `socket` may not be trusted, or undefined if it may.
 * @example const err = verifyPinnedServer(socket, pinnedCertificates(caPem), "10.0.0.1"); if (err) socket.destroy(err);
 */
export function verifyPinnedServer(socket: tls.TLSSocket, pinned: readonly X509Certificate[], host: string, now = Date.now()): ServerCertificateError | Error | undefined {
  // The leaf is parsed from the DER copy: on Node 20 (seen with 20.20), once getPeerX509Certificate() has
  // been called, getPeerCertificate() answers {} and checkServerIdentity would see no names at all.
  const peer = socket.getPeerCertificate();
  if (!peer.raw) return new ServerCertificateError("UNABLE_TO_GET_ISSUER_CERT", "the server presented no certificate");
  const leaf = new X509Certificate(peer.raw);
  const issuer = pinned.find((ca) => ca.ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  if (!issuer) {
    return new ServerCertificateError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", `the server's certificate (issuer ${leaf.issuer.replace(/\n/g, ", ")}) is not issued by the pinned cluster CA`);
  }
  for (const [cert, what] of [[issuer, "the cluster CA"], [leaf, "the server's certificate"]] as const) {
    const wrong = validAt(cert, now);
    if (wrong === "early") return new ServerCertificateError("CERT_NOT_YET_VALID", `${what} is not valid before ${cert.validFrom} (is this machine's clock right?)`);
    if (wrong === "expired") return new ServerCertificateError("CERT_HAS_EXPIRED", `${what} expired on ${cert.validTo}`);
  }
  const usages = leaf.keyUsage; // Node's name for the extendedKeyUsage list; undefined when unrestricted
  if (usages && !usages.includes(SERVER_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    return new ServerCertificateError("INVALID_PURPOSE", "the server's certificate is not for TLS server authentication");
  }
  return tls.checkServerIdentity(host, peer);
}

export interface PinnedTlsOptions {
  /** The server's address, `https://host:port` (any path is ignored). */
  server: URL;
  /** The pinned CA bundle (PEM): the only certificates trusted to have issued the server's. */
  caPem: string;
  /** The node's client certificate and key, once it has them. */
  cert?: string;
  key?: string;
  /** TCP connect plus handshake must finish within this. */
  timeoutMs: number;
}

/**
 * A TLS connection to a server whose certificate the pinned CA issued; nothing has been written on it.
 * Rejects with a ServerCertificateError (or Node's ERR_TLS_CERT_ALTNAME_INVALID error) when it did not,
 * with the socket error when the server cannot be reached.
 * @example const socket = await connectPinnedTls({ server: new URL("https://10.0.0.1:6443"), caPem, timeoutMs: 10_000 });
 */
export function connectPinnedTls(opts: PinnedTlsOptions): Promise<tls.TLSSocket> {
  const pinned = pinnedCertificates(opts.caPem);
  const host = opts.server.hostname.replace(/^\[(.*)\]$/, "$1"); // IPv6 literals come bracketed
  const port = Number(opts.server.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      // SNI carries host names only (RFC 6066).
      ...(isIP(host) ? {} : { servername: host }),
      // An empty trust list: OpenSSL's store stays empty and Node's root store is never built. The
      // handshake completes unverified and verifyPinnedServer decides before anything is sent.
      ca: [],
      rejectUnauthorized: false,
      ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}),
    });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error(`no TLS handshake with ${opts.server.host} in ${opts.timeoutMs / 1000}s`), { code: "ETIMEDOUT" })), opts.timeoutMs);
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      const untrusted = verifyPinnedServer(socket, pinned, host);
      if (untrusted) return fail(untrusted);
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}
