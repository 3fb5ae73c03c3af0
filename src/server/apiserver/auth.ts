/**
 * Authentication: who sent a request. Bearer tokens are compared in constant time against the tokens
 * the server knows (the admin token from the kubeconfig; node tokens later). Client certificates signed
 * by the server CA authenticate as CN (user) / O (groups), as upstream.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { timingSafeEqual, createHash } from "node:crypto";
import { tunnelUser } from "../tunnel/identity.js";

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export interface TokenEntry {
  token: string;
  user: UserInfo;
}

/** Paths anyone may read without credentials (upstream's system:public-info-viewer). */
const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.has(pathname) || pathname.startsWith("/healthz/") || pathname.startsWith("/livez/") || pathname.startsWith("/readyz/");
}

/** sha256 of a token: equal-length digests make the comparison constant-time whatever the input length. */
function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

export class Authenticator {
  private readonly entries: { digest: Buffer; user: UserInfo }[];

  constructor(tokens: TokenEntry[]) {
    this.entries = tokens.map((t) => ({ digest: digest(t.token), user: t.user }));
  }

  /** Adds a token at run time (node credentials issued after start). */
  addToken(entry: TokenEntry): void {
    this.entries.push({ digest: digest(entry.token), user: entry.user });
  }

  /** The authenticated user, or undefined (→ 401). Every known token is compared, so timing says nothing. */
  authenticate(req: IncomingMessage): UserInfo | undefined {
    const header = req.headers.authorization;
    if (header && /^bearer /i.test(header)) {
      const d = digest(header.slice(7).trim());
      let found: UserInfo | undefined;
      for (const e of this.entries) {
        if (timingSafeEqual(e.digest, d) && !found) found = e.user;
      }
      if (found) return { ...found, groups: [...found.groups, "system:authenticated"] };
      return undefined;
    }
    // Requests an agent sends through its tunnel carry the node identity the tunnel authenticated.
    const node = tunnelUser(req);
    if (node) return { ...node, groups: [...node.groups, "system:authenticated"] };
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate === "function" && socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (cn) {
        const o = cert.subject.O;
        const groups = Array.isArray(o) ? o : o ? [o] : [];
        return { username: String(cn), groups: [...groups.map(String), "system:authenticated"] };
      }
    }
    return undefined;
  }
}
