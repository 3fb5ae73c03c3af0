import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServiceSpec } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { services, servicePorts, serviceExternalIP } from "../../src/server/registry/core-v1/services.js";
import { endpoints, formatEndpoints } from "../../src/server/registry/core-v1/endpoints.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const create: HookContext = { operation: "create", subresource: "", dryRun: false };
const update: HookContext = { operation: "update", subresource: "", dryRun: false };

function svc(spec: Partial<ServiceSpec>, name = "web"): KubeObject {
  const s: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default", creationTimestamp: new Date(NOW - 3 * 3600_000).toISOString() }, spec };
  services.prepareForCreate!(s);
  services.defaults!(s);
  return s;
}

function messages(causes: { field?: string; message?: string }[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("service defaults", () => {
  const s = svc({ selector: { app: "web" }, ports: [{ port: 80 }, { name: "https", port: 443, targetPort: "https" }], clusterIP: "10.43.0.20" });
  const spec = s.spec as ServiceSpec;
  assert.equal(spec.type, "ClusterIP");
  assert.equal(spec.sessionAffinity, "None");
  assert.equal(spec.internalTrafficPolicy, "Cluster");
  assert.equal(spec.ipFamilyPolicy, "SingleStack");
  assert.deepEqual(spec.ipFamilies, ["IPv4"]);
  assert.deepEqual(spec.clusterIPs, ["10.43.0.20"]);
  assert.deepEqual(spec.ports![0], { port: 80, protocol: "TCP", targetPort: 80 });
  assert.equal(spec.ports![1]!.targetPort, "https");
  assert.equal(spec.externalTrafficPolicy, undefined, "only NodePort/LoadBalancer get an external traffic policy");

  const lb = svc({ type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80 }], sessionAffinity: "ClientIP" });
  const lbSpec = lb.spec as ServiceSpec;
  assert.equal(lbSpec.externalTrafficPolicy, "Cluster");
  assert.equal(lbSpec.allocateLoadBalancerNodePorts, true);
  assert.equal(lbSpec.sessionAffinityConfig!.clientIP!.timeoutSeconds, 10800);

  const headless = svc({ clusterIP: "None", ports: [{ port: 5432 }] });
  assert.equal((headless.spec as ServiceSpec).ipFamilyPolicy, "RequireDualStack", "selectorless headless services are dual-stack upstream");
});

test("service validation", () => {
  assert.deepEqual(services.validate!(svc({ selector: { app: "web" }, ports: [{ port: 80 }] }), undefined, create), []);
  assert.deepEqual(messages(services.validate!(svc({ selector: { app: "web" } }), undefined, create)), ["spec.ports: Required value"]);
  assert.deepEqual(services.validate!(svc({ clusterIP: "None", selector: { app: "db" } }), undefined, create), [], "headless services need no ports");

  const bad = svc({ type: "Magic" as string, ports: [{ port: 0 }, { port: 80, nodePort: 30080 }] }, "9web");
  const got = messages(services.validate!(bad, undefined, create));
  assert.ok(services.nameValidator!("9web")[0]!.startsWith("a DNS-1035 label must consist of"), "service names are DNS-1035 labels");
  assert.ok(got.includes('spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'), got.join("\n"));
  assert.ok(got.includes("spec.ports[0].name: Required value"), got.join("\n"));
  assert.ok(got.includes("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"), got.join("\n"));
  assert.ok(got.includes("spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'Magic'"), got.join("\n"));

  const ext = svc({ type: "ExternalName", externalName: "db.example.com." });
  assert.deepEqual(services.validate!(ext, undefined, create), []);
  assert.equal((ext.spec as ServiceSpec).clusterIP, undefined);
  assert.deepEqual(messages(services.validate!(svc({ type: "ExternalName" }), undefined, create)), ["spec.externalName: Required value"]);
});

test("cluster IP is immutable and allocated values survive an update that omits them", () => {
  const old = svc({ selector: { app: "web" }, ports: [{ port: 80 }], clusterIP: "10.43.0.20", type: "NodePort" });
  (old.spec as ServiceSpec).ports![0]!.nodePort = 31000;

  const applied: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }], type: "NodePort" } };
  services.prepareForUpdate!(applied, old);
  services.defaults!(applied);
  assert.equal((applied.spec as ServiceSpec).clusterIP, "10.43.0.20");
  assert.equal((applied.spec as ServiceSpec).ports![0]!.nodePort, 31000);
  assert.deepEqual(services.validate!(applied, old, update), []);

  const moved = structuredClone(old);
  (moved.spec as ServiceSpec).clusterIP = "10.43.0.21";
  (moved.spec as ServiceSpec).clusterIPs = ["10.43.0.21"];
  assert.deepEqual(messages(services.validate!(moved, old, update)), ['spec.clusterIP: Invalid value: "10.43.0.21": field is immutable']);
});

test("changing the type drops what the new type does not use", () => {
  const old = svc({ type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 30080 }], clusterIP: "10.43.0.30" });
  const asClusterIP = structuredClone(old);
  (asClusterIP.spec as ServiceSpec).type = "ClusterIP";
  services.prepareForUpdate!(asClusterIP, old);
  services.defaults!(asClusterIP);
  const spec = asClusterIP.spec as ServiceSpec;
  assert.equal(spec.ports![0]!.nodePort, undefined);
  assert.equal(spec.externalTrafficPolicy, undefined);
  assert.equal(spec.clusterIP, "10.43.0.30");
  assert.deepEqual(services.validate!(asClusterIP, old, update), []);

  const asExternal = structuredClone(old);
  Object.assign(asExternal.spec as ServiceSpec, { type: "ExternalName", externalName: "db.example.com" });
  services.prepareForUpdate!(asExternal, old);
  services.defaults!(asExternal);
  assert.equal((asExternal.spec as ServiceSpec).clusterIP, undefined);
  assert.equal((asExternal.spec as ServiceSpec).ipFamilies, undefined);
  assert.deepEqual(services.validate!(asExternal, old, update), []);

  const extWithIP = svc({ type: "ExternalName", externalName: "db.example.com", clusterIP: "10.43.0.9" });
  assert.deepEqual(messages(services.validate!(extWithIP, undefined, create)), ["spec.clusterIP: Forbidden: may not be set for ExternalName services"]);
});

test("service table cells", () => {
  assert.equal(servicePorts([{ port: 80, protocol: "TCP" }, { port: 443, nodePort: 30443, protocol: "TCP" }]), "80/TCP,443:30443/TCP");
  assert.equal(servicePorts([]), "<none>");
  const s = svc({ type: "NodePort", selector: { tier: "fe", app: "web" }, ports: [{ port: 80, nodePort: 30080 }], clusterIP: "10.43.12.7" });
  assert.deepEqual(services.table!.cells(s, NOW), ["web", "NodePort", "10.43.12.7", "<none>", "80:30080/TCP", "3h", "app=web,tier=fe"]);
  assert.equal(serviceExternalIP({ spec: { type: "LoadBalancer" } }), "<pending>");
  assert.equal(serviceExternalIP({ spec: { type: "LoadBalancer" }, status: { loadBalancer: { ingress: [{ ip: "192.168.1.50" }] } } }), "192.168.1.50");
  assert.equal(serviceExternalIP({ spec: { type: "ExternalName", externalName: "db.example.com" } }), "db.example.com");
  assert.deepEqual(services.table!.columns.map((c) => c.name), ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
  assert.deepEqual(services.shortNames, ["svc"]);
  assert.deepEqual(services.categories, ["all"]);
});

test("endpoints: defaults, validation and the ENDPOINTS cell", () => {
  const subsets = [{ addresses: [{ ip: "10.42.0.5" }, { ip: "10.42.0.6" }, { ip: "10.42.1.3" }, { ip: "10.42.1.4" }], ports: [{ port: 8080 }] }];
  assert.equal(formatEndpoints(subsets), "10.42.0.5:8080,10.42.0.6:8080,10.42.1.3:8080 + 1 more...");
  assert.equal(formatEndpoints([]), "<none>");
  const ep: KubeObject = { metadata: { name: "web", creationTimestamp: new Date(NOW - 90_000).toISOString() }, subsets: structuredClone(subsets) };
  endpoints.defaults!(ep);
  assert.equal((ep.subsets as { ports: { protocol: string }[] }[])[0]!.ports[0]!.protocol, "TCP");
  assert.deepEqual(endpoints.validate!(ep, undefined, create), []);
  assert.deepEqual(endpoints.table!.cells(ep, NOW), ["web", "10.42.0.5:8080,10.42.0.6:8080,10.42.1.3:8080 + 1 more...", "90s"]);
  const bad: KubeObject = { metadata: { name: "web" }, subsets: [{ addresses: [{ ip: "127.0.0.1" }, { ip: "not-an-ip" }], ports: [{ port: 80, protocol: "TCP" }] }, { ports: [] }] };
  const got = messages(endpoints.validate!(bad, undefined, create));
  assert.ok(got.includes('subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'), got.join("\n"));
  assert.ok(got.some((m) => m.startsWith('subsets[0].addresses[1].ip: Invalid value: "not-an-ip": must be a valid IP address')), got.join("\n"));
  assert.ok(got.includes("subsets[1].addresses: Required value: must specify `addresses` or `notReadyAddresses`"), got.join("\n"));
});
