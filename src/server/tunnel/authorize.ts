/**
 * The tunnel endpoint's security decisions, each a small named function: what a node name may be,
 * who may obtain node credentials, and which client certificate opens a tunnel.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { joinTokenMatches } from "../auth/tokens.js";

/** Node credentials are client certificates with this user-name prefix and group, as upstream's kubelets use. */
export const NODE_USER_PREFIX = "system:node:";
export const NODE_GROUP = "system:nodes";

/** Longest DNS-1123 subdomain, the upstream limit on Node names. */
const MAX_NODE_NAME_LENGTH = 253;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A node name is a DNS-1123 subdomain (upstream's rule for Node objects), so it is safe in a
 * certificate subject and a file name.
 * @example validNodeName("pi-1") // true; validNodeName("../etc") // false
 */
export function validNodeName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NODE_NAME_LENGTH && DNS1123_SUBDOMAIN.test(name);
}

/** A verified client certificate as node:tls reports it. */
export interface PeerCertificate {
  subject?: { CN?: string | string[]; O?: string | string[] };
  fingerprint256?: string;
}

/** The client certificate of a TLS request, when it chains to the cluster CA (else undefined). */
export function verifiedPeerCertificate(req: IncomingMessage): PeerCertificate | undefined {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== "function" || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  return cert && Object.keys(cert).length > 0 ? (cert as PeerCertificate) : undefined;
}

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * The node a certificate speaks for: CN `system:node:<name>` with O `system:nodes`, a valid name, and
 * the fingerprint the server recorded when it last issued that node's credentials (`isCurrent`), so a
 * re-joined node's old certificate no longer opens a tunnel. Anything else → undefined.
 * @example nodeOfCertificate(cert, (name, fp) => registry.isCurrent(name, fp)) // "pi1"
 */
export function nodeOfCertificate(cert: PeerCertificate | undefined, isCurrent: (node: string, fingerprint256: string) => boolean): string | undefined {
  if (!cert?.fingerprint256) return undefined;
  const cns = values(cert.subject?.CN);
  if (cns.length !== 1 || !cns[0]!.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!values(cert.subject?.O).includes(NODE_GROUP)) return undefined;
  const name = cns[0]!.slice(NODE_USER_PREFIX.length);
  if (!validNodeName(name)) return undefined;
  return isCurrent(name, cert.fingerprint256) ? name : undefined;
}

/**
 * Who may be issued credentials for `nodeName`: an agent presenting the cluster join token (first
 * join, or re-join of a reinstalled node: the new certificate replaces the old one), or the node
 * itself with its current certificate (renewal). Returns how it was authorised, or undefined.
 * @example mayIssueNodeCredentials({ bearer, certNode }, "pi1", tokens.joinToken) // "join-token"
 */
export function mayIssueNodeCredentials(presented: { bearer?: string; certNode?: string }, nodeName: string, joinToken: string): "join-token" | "renewal" | undefined {
  if (!validNodeName(nodeName)) return undefined;
  if (presented.bearer !== undefined) return joinTokenMatches(presented.bearer, joinToken) ? "join-token" : undefined;
  if (presented.certNode !== undefined && presented.certNode === nodeName) return "renewal";
  return undefined;
}

/** The bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h && /^bearer /i.test(h) ? h.slice(7).trim() : undefined;
}
