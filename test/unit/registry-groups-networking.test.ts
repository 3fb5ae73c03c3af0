import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { ingresses } from "../../src/server/registry/groups/ingresses.js";
import { ingressclasses } from "../../src/server/registry/groups/ingressclasses.js";
import { networkpolicies } from "../../src/server/registry/groups/networkpolicies.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

function ingress(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "web", namespace: "default", creationTimestamp: "2025-01-01T11:00:00Z" }, spec };
}

const backend = { service: { name: "web", port: { number: 80 } } };

test("ingress: a typical host/path ingress is valid and prints like kubectl", () => {
  const ing = ingress({
    ingressClassName: "traefik",
    tls: [{ hosts: ["app.example.com"], secretName: "tls" }],
    rules: [
      { host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend }] } },
      { host: "*.example.org", http: { paths: [{ path: "/api", pathType: "Exact", backend: { service: { name: "api", port: { name: "http" } } } }] } },
    ],
  });
  ingresses.prepareForCreate!(ing);
  assert.deepEqual(ingresses.validate!(ing, undefined, CREATE), []);
  ing.status = { loadBalancer: { ingress: [{ ip: "192.168.1.20" }, { ip: "192.168.1.10" }] } };
  assert.deepEqual(ingresses.table!.columns.map((c) => c.name), ["Name", "Class", "Hosts", "Address", "Ports", "Age"]);
  assert.deepEqual(ingresses.table!.cells(ing, NOW), ["web", "traefik", "app.example.com,*.example.org", "192.168.1.10,192.168.1.20", "80, 443", "60m"]);
  assert.deepEqual(ingresses.shortNames, ["ing"]);
  assert.deepEqual(ingresses.subresources.map((s) => s.name), ["status"]);
});

test("ingress: hosts column elides after three and defaults to *", () => {
  const rules = ["a", "b", "c", "d", "e"].map((h) => ({ host: `${h}.example.com`, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }));
  assert.equal(ingresses.table!.cells(ingress({ rules }), NOW)[2], "a.example.com,b.example.com,c.example.com + 2 more...");
  assert.deepEqual(ingresses.table!.cells(ingress({ defaultBackend: backend }), NOW).slice(1, 5), ["<none>", "*", "", "80"]);
});

test("ingress: upstream validation messages", () => {
  assert.deepEqual(fields(ingresses.validate!(ingress({}), undefined, CREATE)), ["spec: Invalid value: []: either `defaultBackend` or `rules` must be specified"]);
  const bad = ingress({
    rules: [
      {
        host: "10.0.0.1",
        http: {
          paths: [
            { path: "api", pathType: "Prefix", backend },
            { path: "/", backend },
            { path: "/", pathType: "Regex", backend },
            { path: "/", pathType: "Exact", backend: { service: { name: "web", port: { name: "http", number: 80 } } } },
            { path: "/", pathType: "Exact", backend: { service: { name: "web", port: {} } } },
          ],
        },
      },
    ],
  });
  const msgs = fields(ingresses.validate!(bad, undefined, CREATE));
  assert.ok(msgs.includes('spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'), msgs.join("\n"));
  assert.ok(msgs.includes('spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'), msgs.join("\n"));
  assert.ok(msgs.includes("spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified"), msgs.join("\n"));
  assert.ok(msgs.includes('spec.rules[0].http.paths[2].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'), msgs.join("\n"));
  // Upstream reports port problems on the backend itself (ArgoCD users know this exact line).
  assert.ok(msgs.includes('spec.rules[0].http.paths[3].backend: Invalid value: "": cannot set both port name & port number'), msgs.join("\n"));
  assert.ok(msgs.includes("spec.rules[0].http.paths[4].backend: Required value: port name or number is required"), msgs.join("\n"));
  assert.equal(msgs.length, 6, msgs.join("\n"));
  const legacy = ingress({ ingressClassName: "nginx", defaultBackend: { resource: { kind: "", name: "bucket" } } });
  legacy.metadata.annotations = { "kubernetes.io/ingress.class": "traefik" };
  assert.deepEqual(fields(ingresses.validate!(legacy, undefined, CREATE)), [
    "spec.defaultBackend.resource.kind: Required value: kind is required",
    'annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
  ]);
  legacy.metadata.annotations = { "kubernetes.io/ingress.class": "nginx" };
  assert.deepEqual(fields(ingresses.validate!(legacy, undefined, CREATE)), ["spec.defaultBackend.resource.kind: Required value: kind is required"]);
  const st = ingress({ defaultBackend: backend });
  st.status = { loadBalancer: { ingress: [{ ip: "10.0.0.300" }, { hostname: "10.0.0.1" }] } };
  assert.deepEqual(fields(ingresses.validate!(st, st, { operation: "update", subresource: "status", dryRun: false })), [
    'status.loadBalancer.ingress[0].ip: Invalid value: "10.0.0.300": must be a valid IP address',
    'status.loadBalancer.ingress[1].hostname: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
  ]);
});

test("ingressclass: defaults, validation, immutable controller and table", () => {
  const ic: KubeObject = {
    metadata: { name: "nginx", creationTimestamp: "2025-01-01T11:00:00Z" },
    spec: { controller: "k8s.io/ingress-nginx", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" } },
  };
  ingressclasses.defaults!(ic);
  assert.equal((ic.spec as any).parameters.scope, "Cluster");
  assert.deepEqual(ingressclasses.validate!(ic, undefined, CREATE), []);
  assert.deepEqual(ingressclasses.table!.cells(ic, NOW), ["nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "60m"]);
  const moved = structuredClone(ic);
  (moved.spec as any).controller = "example.com/other";
  assert.deepEqual(fields(ingressclasses.validate!(moved, ic, UPDATE)), ["spec.controller: Invalid value: \"example.com/other\": field is immutable"]);
  const bad: KubeObject = { metadata: { name: "x" }, spec: { controller: "nginx", parameters: { kind: "P", name: "p", scope: "Namespace" } } };
  assert.deepEqual(fields(ingressclasses.validate!(bad, undefined, CREATE)), [
    'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
  ]);
  assert.equal(ingressclasses.namespaced, false);
});

function netpol(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "db", namespace: "default", creationTimestamp: "2025-01-01T11:00:00Z" }, spec };
}

test("networkpolicy: defaults policyTypes and port protocol", () => {
  const ingressOnly = netpol({ podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432 }] }] });
  networkpolicies.defaults!(ingressOnly);
  assert.deepEqual((ingressOnly.spec as any).policyTypes, ["Ingress"]);
  assert.equal((ingressOnly.spec as any).ingress[0].ports[0].protocol, "TCP");
  assert.deepEqual(networkpolicies.validate!(ingressOnly, undefined, CREATE), []);
  const both = netpol({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }] });
  networkpolicies.defaults!(both);
  assert.deepEqual((both.spec as any).policyTypes, ["Ingress", "Egress"]);
  assert.deepEqual(networkpolicies.validate!(both, undefined, CREATE), []);
  assert.deepEqual(networkpolicies.table!.cells(ingressOnly, NOW), ["db", "app=db", "60m"]);
  assert.deepEqual(networkpolicies.table!.cells(both, NOW)[1], "<none>");
  assert.deepEqual(networkpolicies.shortNames, ["netpol"]);
});

test("networkpolicy: peers, ports, ipBlocks and policy types", () => {
  const bad = netpol({
    podSelector: {},
    policyTypes: ["Ingress", "Sideways"],
    ingress: [
      {
        from: [{}, { ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24"] }, podSelector: {} }],
        ports: [{ protocol: "ICMP", port: 0 }, { port: "http", endPort: 90 }, { port: 8000, endPort: 7000 }],
      },
    ],
  });
  const msgs = fields(networkpolicies.validate!(bad, undefined, CREATE));
  assert.deepEqual(msgs, [
    'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
    "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    "spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
    "spec.ingress[0].ports[2].endPort: Invalid value: 8000: must be greater than or equal to `port`",
    "spec.ingress[0].from[0]: Required value: must specify a peer",
    'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
    "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
    'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
  ]);
  const v6 = netpol({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "fd00::/8", except: ["fd00:1::/32", "10.0.0.0/8"] } }] }] });
  assert.deepEqual(fields(networkpolicies.validate!(v6, undefined, CREATE)), ['spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`']);
});
