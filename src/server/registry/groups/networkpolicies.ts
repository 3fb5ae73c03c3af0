/**
 * networking.k8s.io/v1 NetworkPolicy: defaults (policyTypes, port protocol TCP), validation
 * (pkg/apis/networking/validation `ValidateNetworkPolicySpec`) and table (`printNetworkPolicy`).
 */
import { isIP } from "node:net";
import type { IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from "kubernetes-types/networking/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isValidPortName, isValidPortNum, validateLabelSelector } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatLabelSelector } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, ensure, specOf } from "./common.js";

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES = ["Ingress", "Egress"];
const CIDR_ERROR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/**
 * Upstream `SetDefaults_NetworkPolicy` and `SetDefaults_NetworkPolicyPort`.
 *
 * @example defaultNetworkPolicy(np); // np.spec.policyTypes === ["Ingress"] when it has no egress rules
 */
export function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = ensure<NetworkPolicySpec>(obj, "spec");
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = ["Ingress"];
    if ((spec.egress ?? []).length) spec.policyTypes.push("Egress");
  }
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const port of rule.ports ?? []) port.protocol ??= "TCP";
}

/** An IP as a bit string of fixed width (32 or 128), for prefix containment checks. */
function ipBits(ip: string): { bits: bigint; width: number } | undefined {
  const family = isIP(ip);
  if (family === 4) return { bits: ip.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n), width: 32 };
  if (family !== 6) return undefined;
  let text = ip;
  let tail: bigint[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipBits(v4[1]!)!.bits;
    tail = [n >> 16n, n & 0xffffn];
    text = text.slice(0, -v4[1]!.length) + "0:0";
  }
  const [head, rest] = text.split("::");
  const hs = head ? head.split(":") : [];
  const rs = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const fill = rest !== undefined ? 8 - hs.length - rs.length : 0;
  const groups = [...hs, ...Array(fill).fill("0"), ...rs].map((g) => BigInt(Number.parseInt(g, 16)));
  if (tail.length) groups.splice(6, 2, ...tail);
  return { bits: groups.reduce((acc, g) => (acc << 16n) | g, 0n), width: 128 };
}

/** A parsed CIDR, or undefined when it is not `ip/prefix`. */
function parseCIDR(cidr: string): { bits: bigint; width: number; prefix: number } | undefined {
  const slash = cidr.indexOf("/");
  if (slash < 0) return undefined;
  const ip = ipBits(cidr.slice(0, slash));
  const prefixText = cidr.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix > ip.width ? undefined : { ...ip, prefix };
}

/** Upstream `ValidateIPBlock`: a valid cidr; every except a strict subset of it. */
function validateIPBlock(b: IPBlock, path: string): StatusCause[] {
  if (!b.cidr) return [fieldError.required(`${path}.cidr`)];
  const outer = parseCIDR(b.cidr);
  if (!outer) return [fieldError.invalid(`${path}.cidr`, b.cidr, CIDR_ERROR)];
  const causes: StatusCause[] = [];
  (b.except ?? []).forEach((e, i) => {
    const p = `${path}.except[${i}]`;
    const inner = parseCIDR(e);
    if (!inner) {
      causes.push(fieldError.invalid(p, e, CIDR_ERROR));
      return;
    }
    const shift = BigInt(outer.width - outer.prefix);
    const contained = inner.width === outer.width && inner.bits >> shift === outer.bits >> shift;
    if (!contained || outer.prefix >= inner.prefix) causes.push(fieldError.invalid(p, e, "must be a strict subset of `cidr`"));
  });
  return causes;
}

/** Upstream `ValidateNetworkPolicyPeer`. */
function validatePeer(peer: NetworkPolicyPeer, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let peers = 0;
  if (peer.podSelector) {
    peers++;
    causes.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (peer.namespaceSelector) {
    peers++;
    causes.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock) {
    peers++;
    causes.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`));
  }
  if (peers === 0) causes.push(fieldError.required(path, "must specify a peer"));
  else if (peers > 1 && peer.ipBlock) causes.push(fieldError.forbidden(path, "may not specify both ipBlock and another peer"));
  return causes;
}

/** Upstream `ValidateNetworkPolicyPort`. */
function validatePort(port: NetworkPolicyPort, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) causes.push(fieldError.notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  if (port.port !== undefined) {
    if (typeof port.port === "number") {
      for (const msg of isValidPortNum(port.port)) causes.push(fieldError.invalid(`${path}.port`, port.port, msg));
      if (port.endPort !== undefined) {
        if (port.endPort < port.port) causes.push(fieldError.invalid(`${path}.endPort`, port.port, "must be greater than or equal to `port`"));
        for (const msg of isValidPortNum(port.endPort)) causes.push(fieldError.invalid(`${path}.endPort`, port.endPort, msg));
      }
    } else {
      if (port.endPort !== undefined) causes.push(fieldError.invalid(`${path}.endPort`, port.endPort, "may not be specified when `port` is non-numeric"));
      for (const msg of isValidPortName(port.port)) causes.push(fieldError.invalid(`${path}.port`, port.port, msg));
    }
  } else if (port.endPort !== undefined) {
    causes.push(fieldError.invalid(`${path}.endPort`, port.endPort, "may not be specified when `port` is not specified"));
  }
  return causes;
}

/**
 * Upstream `ValidateNetworkPolicySpec`.
 *
 * @example validateNetworkPolicy(np) // [] for a valid policy
 */
export function validateNetworkPolicy(obj: KubeObject): StatusCause[] {
  const spec = specOf<NetworkPolicySpec>(obj);
  const causes: StatusCause[] = [];
  causes.push(...validateLabelSelector(spec.podSelector ?? {}, "spec.podSelector"));
  (spec.ingress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((p, j) => causes.push(...validatePort(p, `spec.ingress[${i}].ports[${j}]`)));
    (rule.from ?? []).forEach((peer, j) => causes.push(...validatePeer(peer, `spec.ingress[${i}].from[${j}]`)));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    (rule.ports ?? []).forEach((p, j) => causes.push(...validatePort(p, `spec.egress[${i}].ports[${j}]`)));
    (rule.to ?? []).forEach((peer, j) => causes.push(...validatePeer(peer, `spec.egress[${i}].to[${j}]`)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > POLICY_TYPES.length) {
    causes.push(fieldError.invalid("spec.policyTypes", types, "may not specify more than two policyTypes"));
    return causes;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) causes.push(fieldError.notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return causes;
}

export const networkpolicies: ResourceType = resourceType({
  group: "networking.k8s.io",
  version: "v1",
  kind: "NetworkPolicy",
  plural: "networkpolicies",
  namespaced: true,
  shortNames: ["netpol"],
  table: {
    columns: [
      NAME_COLUMN,
      column("Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object applies. The array of rules is applied to any pods selected by this field. An empty selector matches all pods in the policy's namespace. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is optional. If it is not specified, it defaults to an empty selector."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const np = obj as unknown as NetworkPolicy;
      return [np.metadata?.name ?? "", formatLabelSelector(np.spec?.podSelector ?? {}), age(obj, now)];
    },
  },
  defaults: defaultNetworkPolicy,
  validate: (obj) => validateNetworkPolicy(obj),
});
