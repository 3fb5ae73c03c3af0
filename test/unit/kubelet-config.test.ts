// What the kubelet derives from a pod spec before it calls the runtime: DNS per dnsPolicy, the
// sandbox config, OOM scores by QoS, the container hash, the environment (downward API, ConfigMap and
// Secret keys), file-backed volumes and mounts, pull policy and restart decisions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Container, Pod } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { ApiClient } from "../../src/shared/client/types.js";
import type { ContainerInfo, ContainerRuntime } from "../../src/agent/kubelet/runtime/types.js";
import { containerHash, oomScoreAdj, podDNS, sandboxConfig } from "../../src/agent/kubelet/pod-workers/pod-config.js";
import { ContainerConfigError, containerEnv, fieldPathValue } from "../../src/agent/kubelet/pod-workers/env.js";
import { containerMounts, MountError, preparePodVolumes } from "../../src/agent/kubelet/pod-workers/volumes.js";
import { formatPod, instancesByName, nextRestartCount, pullPolicy, shouldRestart } from "../../src/agent/kubelet/pod-workers/pod-worker.js";
import { containerFieldPath } from "../../src/agent/kubelet/pod-workers/events.js";

const opts = { clusterDNS: "10.43.0.10", clusterDomain: "cluster.local", network: { name: "kube-lite-n1", subnet: "10.42.0.0/24" } };

function pod(spec: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    metadata: { name: "web", namespace: "shop", uid: "uid-1", labels: { app: "web" }, annotations: { note: "a\"b" }, ...meta },
    spec: { containers: [{ name: "app", image: "busybox" }], nodeName: "n1", serviceAccountName: "default", ...spec },
  };
}

test("dnsPolicy: ClusterFirst, host network, Default, None with dnsConfig", () => {
  assert.deepEqual(podDNS(pod(), opts), { nameservers: ["10.43.0.10"], searches: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"], options: ["ndots:5"] });
  assert.equal(podDNS(pod({ hostNetwork: true }), opts), undefined, "ClusterFirst on the host network uses the host's");
  assert.deepEqual(podDNS(pod({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }), opts)?.nameservers, ["10.43.0.10"]);
  assert.equal(podDNS(pod({ dnsPolicy: "Default" }), opts), undefined);
  assert.deepEqual(podDNS(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"], options: [{ name: "edns0" }] } }), opts), { nameservers: ["1.1.1.1"], searches: [], options: ["edns0"] });
  assert.deepEqual(podDNS(pod({ dnsConfig: { searches: ["corp"], options: [{ name: "ndots", value: "2" }] } }), opts)?.options, ["ndots:2"], "dnsConfig overrides an option");
  assert.equal(podDNS(pod(), { clusterDomain: "cluster.local" }), undefined, "no cluster DNS configured");
});

test("sandbox config: hostname, subdomain FQDN, hostPorts, network, aliases", () => {
  const p = pod({
    hostname: "h1", subdomain: "sub", hostAliases: [{ ip: "10.0.0.1", hostnames: ["db"] }],
    containers: [{ name: "app", image: "busybox", ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }],
  });
  const cfg = sandboxConfig(p, opts, 2);
  assert.equal(cfg.hostname, "h1");
  assert.equal(cfg.domainname, "sub.shop.svc.cluster.local");
  assert.deepEqual(cfg.portMappings, [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }]);
  assert.deepEqual(cfg.podCIDRNetwork, opts.network);
  assert.deepEqual(cfg.hostAliases, [{ ip: "10.0.0.1", hostnames: ["db"] }]);
  assert.equal(cfg.attempt, 2);
  assert.equal(cfg.podUid, "uid-1");
  assert.equal(sandboxConfig(pod({ hostNetwork: true }), opts, 0).podCIDRNetwork, undefined);
  assert.equal(sandboxConfig(pod({}, { name: "x".repeat(70) }), opts, 0).hostname?.length, 63);
});

test("OOM score by QoS class, Burstable from the memory request", () => {
  const c: Container = { name: "a", resources: { requests: { memory: "1Gi" } } };
  assert.equal(oomScoreAdj("Guaranteed", c, 8 * 2 ** 30), -997);
  assert.equal(oomScoreAdj("BestEffort", c, 8 * 2 ** 30), 1000);
  assert.equal(oomScoreAdj("Burstable", c, 8 * 2 ** 30), 875);
  assert.equal(oomScoreAdj("Burstable", { name: "a", resources: { requests: { memory: "16Gi" } } }, 8 * 2 ** 30), 2);
  assert.equal(oomScoreAdj("Burstable", { name: "a" }, 8 * 2 ** 30), 999);
});

test("container hash: stable across key order, changes with the image or command, not with probes", () => {
  const a: Container = { name: "a", image: "busybox:1", command: ["sh"], env: [{ name: "X", value: "1" }] };
  const b = { env: [{ value: "1", name: "X" }], command: ["sh"], image: "busybox:1", name: "a" } as Container;
  assert.equal(containerHash(a), containerHash(b));
  assert.notEqual(containerHash(a), containerHash({ ...a, image: "busybox:2" }));
  assert.notEqual(containerHash(a), containerHash({ ...a, command: ["bash"] }));
  assert.equal(containerHash(a), containerHash({ ...a, readinessProbe: { exec: { command: ["true"] } } }));
});

function fakeClient(objects: Record<string, KubeObject>): ApiClient {
  return {
    async get(ref: { plural: string }, ns: string, name: string) {
      const o = objects[`${ref.plural}/${ns}/${name}`];
      if (!o) throw Object.assign(new Error(`${ref.plural} "${name}" not found`), { code: 404 });
      return o;
    },
  } as unknown as ApiClient;
}

const client = fakeClient({
  "configmaps/shop/cfg": { metadata: { name: "cfg" }, data: { MODE: "fast", "conf.ini": "[x]\n" } },
  "secrets/shop/creds": { metadata: { name: "creds" }, data: { PASSWORD: Buffer.from("s3cret").toString("base64") } },
});

test("env: envFrom first, then env with downward API, resources, ConfigMap and Secret keys", async () => {
  const c: Container = {
    name: "app", image: "busybox",
    resources: { limits: { cpu: "1500m", memory: "64Mi" } },
    envFrom: [{ configMapRef: { name: "cfg" }, prefix: "CFG_" }, { secretRef: { name: "missing", optional: true } }],
    env: [
      { name: "A", value: "1" },
      { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "HOST", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
      { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
      { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
      { name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "MODE" } } },
      { name: "PASS", valueFrom: { secretKeyRef: { name: "creds", key: "PASSWORD" } } },
      { name: "OPT", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope", optional: true } } },
    ],
  };
  const env = await containerEnv(client, c, { pod: pod(), podIP: "10.42.0.5", hostIP: "192.168.1.2" });
  assert.deepEqual(Object.fromEntries(env.map((e) => [e.name, e.value])), {
    CFG_MODE: "fast", "CFG_conf.ini": "[x]\n", A: "1", POD: "web", NS: "shop", IP: "10.42.0.5", HOST: "192.168.1.2", APP: "web", NODE: "n1",
    CPU: "2", MEM_MI: "64", MODE: "fast", PASS: "s3cret",
  });
  await assert.rejects(containerEnv(client, { name: "x", env: [{ name: "Y", valueFrom: { secretKeyRef: { name: "creds", key: "nope" } } }] }, { pod: pod(), podIP: "", hostIP: "" }),
    (err: Error) => err instanceof ContainerConfigError && err.message === "couldn't find key nope in Secret shop/creds");
  await assert.rejects(containerEnv(client, { name: "x", envFrom: [{ configMapRef: { name: "gone" } }] }, { pod: pod(), podIP: "", hostIP: "" }), /configmap "gone" not found/);
  assert.equal(fieldPathValue({ pod: pod({ hostNetwork: true }), podIP: "", hostIP: "192.168.1.2" }, "status.podIP"), "192.168.1.2");
  assert.throws(() => fieldPathValue({ pod: pod(), podIP: "", hostIP: "" }, "spec.bogus"), ContainerConfigError);
});

test("volumes: ConfigMap, Secret and downwardAPI files; emptyDir through the runtime; mounts with subPath", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "kube-lite-kubelet-vol-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const runtime = {
    async emptyDir(uid: string, name: string) {
      return { type: "bind", path: join(root, "pods", uid, "volumes", "kubernetes.io~empty-dir", name) };
    },
  } as unknown as ContainerRuntime;
  const p = pod({
    volumes: [
      { name: "cfg", configMap: { name: "cfg", items: [{ key: "conf.ini", path: "etc/app.ini", mode: 0o600 }] } },
      { name: "sec", secret: { secretName: "creds" } },
      { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "name", fieldRef: { fieldPath: "metadata.name" } }] } },
      { name: "scratch", emptyDir: {} },
    ],
  });
  const sources = await preparePodVolumes({ runtime, client, rootDir: root }, p, { podIP: "10.42.0.5", hostIP: "192.168.1.2" });
  const cfgPath = join(root, "pods/uid-1/volumes/kubernetes.io~configmap/cfg/etc/app.ini");
  assert.equal(readFileSync(cfgPath, "utf8"), "[x]\n");
  assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
  assert.equal(existsSync(join(root, "pods/uid-1/volumes/kubernetes.io~configmap/cfg/MODE")), false, "only the listed items");
  assert.equal(readFileSync(join(root, "pods/uid-1/volumes/kubernetes.io~secret/sec/PASSWORD"), "utf8"), "s3cret");
  assert.equal(readFileSync(join(root, "pods/uid-1/volumes/kubernetes.io~downward-api/info/labels"), "utf8"), 'app="web"');
  assert.equal(readFileSync(join(root, "pods/uid-1/volumes/kubernetes.io~downward-api/info/name"), "utf8"), "web");

  const mounts = await containerMounts({ name: "app", volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg", readOnly: true }, { name: "scratch", mountPath: "/work", subPath: "a/b" }] }, sources);
  assert.deepEqual(mounts[0], { source: sources.get("cfg"), containerPath: "/etc/cfg", readOnly: true });
  const sub = mounts[1]!.source;
  assert.ok(sub.type === "bind" && sub.path.endsWith("kubernetes.io~empty-dir/scratch/a/b") && existsSync(sub.path), "subPath created inside the volume");
  await assert.rejects(containerMounts({ name: "app", volumeMounts: [{ name: "scratch", mountPath: "/x", subPath: "../../etc" }] }, sources), MountError);
  await assert.rejects(containerMounts({ name: "app", volumeMounts: [{ name: "nope", mountPath: "/x" }] }, sources), /volume "nope" of container "app" is not defined/);
  await assert.rejects(preparePodVolumes({ runtime, client, rootDir: root }, pod({ volumes: [{ name: "c", configMap: { name: "gone" } }] }), { podIP: "", hostIP: "" }),
    /MountVolume.SetUp failed for volume "c" : configmap "gone" not found/);
  await assert.rejects(preparePodVolumes({ runtime, client, rootDir: root }, pod({ volumes: [{ name: "n", nfs: { server: "x", path: "/" } }] }), { podIP: "", hostIP: "" }), MountError);

  // projected: several sources in one directory.
  const projected = await preparePodVolumes({ runtime, client, rootDir: root }, pod({
    volumes: [{ name: "all", projected: { defaultMode: 0o640, sources: [
      { configMap: { name: "cfg", items: [{ key: "MODE", path: "mode" }] } },
      { secret: { name: "creds" } },
      { downwardAPI: { items: [{ path: "ns", fieldRef: { fieldPath: "metadata.namespace" } }] } },
    ] } }],
  }), { podIP: "", hostIP: "" });
  const dir = (projected.get("all") as { path: string }).path;
  assert.ok(dir.endsWith("kubernetes.io~projected/all"));
  assert.equal(readFileSync(join(dir, "mode"), "utf8"), "fast");
  assert.equal(readFileSync(join(dir, "PASSWORD"), "utf8"), "s3cret");
  assert.equal(readFileSync(join(dir, "ns"), "utf8"), "shop");
  assert.equal(statSync(join(dir, "ns")).mode & 0o777, 0o640);
  await assert.rejects(preparePodVolumes({ runtime, client, rootDir: root }, pod({ volumes: [{ name: "tok", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }] }), { podIP: "", hostIP: "" }),
    /MountVolume.SetUp failed for volume "tok" : serviceAccountToken projections need the TokenRequest API/);
});

test("pull policy defaults, restart decisions, instance ordering and names", () => {
  assert.equal(pullPolicy({ name: "a", image: "busybox" }), "Always");
  assert.equal(pullPolicy({ name: "a", image: "busybox:latest" }), "Always");
  assert.equal(pullPolicy({ name: "a", image: "busybox:1.36" }), "IfNotPresent");
  assert.equal(pullPolicy({ name: "a", image: "localhost:5000/busybox" }), "Always");
  assert.equal(pullPolicy({ name: "a", image: "busybox@sha256:abc" }), "IfNotPresent");
  assert.equal(pullPolicy({ name: "a", image: "busybox", imagePullPolicy: "Never" }), "Never");

  assert.equal(shouldRestart(undefined, 0), true);
  assert.equal(shouldRestart("OnFailure", 0), false);
  assert.equal(shouldRestart("OnFailure", 137), true);
  assert.equal(shouldRestart("Never", 1), false);

  const i = (name: string, restartCount: number) => ({ containerName: name, restartCount, createdAt: new Date(restartCount * 1000) }) as ContainerInfo;
  const by = instancesByName([i("a", 0), i("b", 0), i("a", 2), i("a", 1)]);
  assert.deepEqual(by.get("a")!.map((c) => c.restartCount), [2, 1, 0]);
  assert.equal(nextRestartCount(by.get("a")), 3);
  assert.equal(nextRestartCount(undefined), 0);

  assert.equal(formatPod(pod()), "web_shop(uid-1)");
  const withInit = pod({ initContainers: [{ name: "init", image: "busybox" }] });
  assert.equal(containerFieldPath(withInit, "init"), "spec.initContainers{init}");
  assert.equal(containerFieldPath(withInit, "app"), "spec.containers{app}");
});

test("pull secrets: registry host of an image, docker config auths, first matching secret", async () => {
  const { registryHost, authFor, secretAuths, pullAuth } = await import("../../src/agent/kubelet/pod-workers/pull-secrets.js");
  assert.equal(registryHost("nginx"), "docker.io");
  assert.equal(registryHost("library/nginx:1"), "docker.io");
  assert.equal(registryHost("index.docker.io/library/nginx"), "docker.io");
  assert.equal(registryHost("ghcr.io/org/app:1"), "ghcr.io");
  assert.equal(registryHost("registry:5000/app"), "registry:5000");
  assert.equal(registryHost("localhost/app"), "localhost");

  const hub = { "https://index.docker.io/v1/": { auth: Buffer.from("user:pa:ss").toString("base64") } };
  assert.deepEqual(authFor(hub, "docker.io"), { serveraddress: "https://index.docker.io/v1/", username: "user", password: "pa:ss" });
  assert.equal(authFor(hub, "ghcr.io"), undefined);
  assert.deepEqual(authFor({ "registry:5000": { username: "u", password: "p" } }, "registry:5000"), { serveraddress: "registry:5000", username: "u", password: "p" });

  const json = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64");
  assert.deepEqual(secretAuths({ type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": json({ auths: hub }) } }), hub);
  assert.deepEqual(secretAuths({ type: "kubernetes.io/dockercfg", data: { ".dockercfg": json(hub) } }), hub);
  assert.equal(secretAuths({ type: "Opaque", data: {} }), undefined);
  assert.equal(secretAuths({ type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": "bm90IGpzb24=" } }), undefined);

  const api = fakeClient({
    "secrets/shop/ghcr": { metadata: { name: "ghcr" }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": json({ auths: { "ghcr.io": { username: "g", password: "h" } } }) } } as KubeObject,
    "secrets/shop/hub": { metadata: { name: "hub" }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": json({ auths: hub }) } } as KubeObject,
  });
  const p = pod({ imagePullSecrets: [{ name: "missing" }, { name: "ghcr" }, { name: "hub" }] });
  assert.equal((await pullAuth(api, p, "nginx:1"))?.username, "user");
  assert.equal((await pullAuth(api, p, "ghcr.io/org/app"))?.username, "g");
  assert.equal(await pullAuth(api, p, "quay.io/x/y"), undefined);
});

test("FallbackToLogsOnError: the log tail, cut on a character boundary", async () => {
  const { tailBytes, logTailMessage, FALLBACK_LOG_LINES } = await import("../../src/agent/kubelet/pod-workers/termination-message.js");
  assert.equal(tailBytes("abcdef", 3), "def");
  assert.equal(tailBytes("abc", 10), "abc");
  assert.equal(tailBytes("xé", 1), "", "half of é is dropped");
  assert.equal(tailBytes("aéb", 2), "b");
  const { PassThrough } = await import("node:stream");
  let asked: unknown;
  const runtime = {
    async logs(_id: string, o: unknown) {
      asked = o;
      const output = new PassThrough();
      output.end("x".repeat(3000) + "last line\n");
      return { output, close() {} };
    },
  } as unknown as ContainerRuntime;
  const message = await logTailMessage(runtime, "id");
  assert.deepEqual(asked, { tailLines: FALLBACK_LOG_LINES });
  assert.equal(Buffer.byteLength(message), 2048);
  assert.ok(message.endsWith("last line\n"));
});

test("Service environment variables as upstream, for the pod's namespace plus the kubernetes Service", async () => {
  const { serviceEnv, servicesForPod } = await import("../../src/agent/kubelet/pod-workers/env.js");
  const svc = (ns: string, name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[] = []) =>
    ({ metadata: { namespace: ns, name }, spec: { clusterIP, ports } }) as never;
  const redis = svc("shop", "redis-main", "10.43.0.9", [{ name: "redis", port: 6379 }, { name: "metrics", port: 9121, protocol: "UDP" }]);
  assert.deepEqual(Object.fromEntries(serviceEnv([redis]).map((e) => [e.name, e.value])), {
    REDIS_MAIN_SERVICE_HOST: "10.43.0.9",
    REDIS_MAIN_SERVICE_PORT: "6379",
    REDIS_MAIN_SERVICE_PORT_REDIS: "6379",
    REDIS_MAIN_SERVICE_PORT_METRICS: "9121",
    REDIS_MAIN_PORT: "tcp://10.43.0.9:6379",
    REDIS_MAIN_PORT_6379_TCP: "tcp://10.43.0.9:6379",
    REDIS_MAIN_PORT_6379_TCP_PROTO: "tcp",
    REDIS_MAIN_PORT_6379_TCP_PORT: "6379",
    REDIS_MAIN_PORT_6379_TCP_ADDR: "10.43.0.9",
    REDIS_MAIN_PORT_9121_UDP: "udp://10.43.0.9:9121",
    REDIS_MAIN_PORT_9121_UDP_PROTO: "udp",
    REDIS_MAIN_PORT_9121_UDP_PORT: "9121",
    REDIS_MAIN_PORT_9121_UDP_ADDR: "10.43.0.9",
  });
  assert.deepEqual(serviceEnv([svc("shop", "headless", "None", [{ port: 80 }]), svc("shop", "ext", "")]), []);

  const kubernetes = svc("default", "kubernetes", "10.43.0.1", [{ name: "https", port: 443 }]);
  const other = svc("other", "db", "10.43.0.20", [{ port: 5432 }]);
  const all = [redis, kubernetes, other];
  assert.deepEqual(servicesForPod(pod(), all).map((s) => s.metadata?.name), ["kubernetes", "redis-main"]);
  assert.deepEqual(servicesForPod(pod({ enableServiceLinks: false }), all).map((s) => s.metadata?.name), ["kubernetes"]);

  // env entries override Service variables of the same name.
  const env = await containerEnv(client, { name: "app", env: [{ name: "REDIS_MAIN_SERVICE_PORT", value: "1" }] }, { pod: pod(), podIP: "", hostIP: "", services: servicesForPod(pod(), all) });
  const map = Object.fromEntries(env.map((e) => [e.name, e.value]));
  assert.equal(map.KUBERNETES_SERVICE_HOST, "10.43.0.1");
  assert.equal(map.KUBERNETES_SERVICE_PORT, "443");
  assert.equal(map.REDIS_MAIN_SERVICE_PORT, "1");
});
