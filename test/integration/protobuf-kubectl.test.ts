// The real kubectl 1.32 and 1.33 send protobuf bodies from their typed clients; 1.31 sends JSON for the
// same commands. Each command runs under all three against a fake HTTPS API server, and the protobuf bodies
// decoded by kube-lite must equal the JSON that 1.31 sent.
//
// UPDATE_PROTOBUF_FIXTURES=1 also writes the captured bodies to test/fixtures/protobuf/ for the unit test.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { KUBECTL_DIR, startFakeApiServer, type FakeApiServer, type KubectlResult } from "../fixtures/protobuf/fake-apiserver.js";
import { PROTOBUF_CONTENT_TYPE } from "../../src/server/apiserver/protobuf/index.js";

const FIXTURES = join(process.cwd(), "test", "fixtures", "protobuf");
const JSON_KUBECTL = join(KUBECTL_DIR, "kubectl.1.31");
const PROTOBUF_KUBECTLS = ["1.32", "1.33"].map((v) => join(KUBECTL_DIR, `kubectl.${v}`));
const available = existsSync(JSON_KUBECTL) && PROTOBUF_KUBECTLS.every((k) => existsSync(k));

interface Case {
  name: string;
  args: (api: FakeApiServer) => string[];
  /** Write the kubectl 1.32 body and 1.31 JSON as a unit-test fixture under this name. */
  fixture?: string;
  /** Versions whose body differs by design from 1.31's (another API version); the value is the expected JSON. */
  expectedFor?: Record<string, unknown>;
  /** Runs before each kubectl invocation (objects the command reads). */
  setup?: (api: FakeApiServer) => void;
  /** Replaces values that differ per run (timestamps, random names) after checking their form. */
  normalize?: (obj: Record<string, unknown>) => void;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function seedCsr(api: FakeApiServer): void {
  api.seed("/apis/certificates.k8s.io/v1/certificatesigningrequests", {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "csr1" },
    spec: {
      request: Buffer.from("-----BEGIN CERTIFICATE REQUEST-----\nnot really\n").toString("base64"),
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["client auth", "digital signature"],
      expirationSeconds: 3600,
      username: "bob",
      uid: "u-1",
      groups: ["system:authenticated"],
      // (An empty list here would come back null: protobuf cannot tell an empty ExtraValue from a nil one.)
      extra: { scopes: ["a", "b"], tenant: ["t1"] },
    },
  });
}

const cases: Case[] = [
  { name: "create configmap", args: () => ["create", "configmap", "cm1", "--from-literal=a=1", "--from-literal=b=two", "--from-literal=empty="], fixture: "configmap" },
  { name: "create secret generic", args: () => ["create", "secret", "generic", "s1", "--from-literal=user=admin", "--from-literal=pass=s3cr3t", "--type=Opaque"], fixture: "secret" },
  { name: "create secret docker-registry", args: () => ["create", "secret", "docker-registry", "reg1", "--docker-server=r.example.com", "--docker-username=u", "--docker-password=p", "--docker-email=e@x.com"] },
  { name: "create secret tls", args: (api) => ["create", "secret", "tls", "tls1", `--cert=${join(api.dir, "tls.crt")}`, `--key=${join(api.dir, "tls.key")}`] },
  { name: "create namespace", args: () => ["create", "namespace", "ns1"], fixture: "namespace" },
  { name: "create service clusterip", args: () => ["create", "service", "clusterip", "svc1", "--tcp=80:8080", "--tcp=443:8443"], fixture: "service" },
  { name: "create service nodeport", args: () => ["create", "service", "nodeport", "np1", "--tcp=80:8080", "--node-port=30080"] },
  { name: "create service loadbalancer (named target port)", args: () => ["create", "service", "loadbalancer", "lb1", "--tcp=80:web"] },
  { name: "create service externalname", args: () => ["create", "service", "externalname", "ext1", "--external-name=example.com"] },
  { name: "create service clusterip headless", args: () => ["create", "service", "clusterip", "headless", "--clusterip=None"] },
  { name: "create serviceaccount", args: () => ["create", "serviceaccount", "sa1"] },
  { name: "create deployment --replicas=0", args: () => ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=0", "--port=80"], fixture: "deployment-replicas-0" },
  { name: "create deployment two images", args: () => ["create", "deployment", "multi", "--image=nginx", "--image=busybox:1.36", "--port=8080", "--replicas=3"] },
  { name: "create deployment with command", args: () => ["create", "deployment", "cmd", "--image=busybox", "--", "sleep", "3600"] },
  { name: "create job", args: () => ["create", "job", "j1", "--image=busybox", "--", "echo", "hi"] },
  { name: "create cronjob", args: () => ["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *", "--restart=OnFailure", "--", "date"], fixture: "cronjob" },
  { name: "create job --from=cronjob (full pod template)", args: () => ["create", "job", "rich-run", "--from=cronjob/rich"], fixture: "job-from-rich-cronjob" },
  { name: "create role", args: () => ["create", "role", "r1", "--verb=get,list,watch", "--resource=pods,deployments.apps,pods/log", "--resource-name=a", "--resource-name=b"], fixture: "role" },
  { name: "create rolebinding", args: () => ["create", "rolebinding", "rb1", "--role=r1", "--user=alice", "--group=devs", "--serviceaccount=default:sa1"] },
  { name: "create clusterrole non-resource", args: () => ["create", "clusterrole", "cr1", "--verb=get", "--non-resource-url=/healthz", "--non-resource-url=/metrics"] },
  { name: "create clusterrole aggregation (nil rules)", args: () => ["create", "clusterrole", "agg", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true"] },
  { name: "create clusterrolebinding", args: () => ["create", "clusterrolebinding", "crb1", "--clusterrole=cr1", "--user=bob", "--group=ops"] },
  { name: "create ingress", args: () => ["create", "ingress", "ing1", "--rule=foo.com/bar=svc1:8080,tls=my-cert", "--rule=bar.com/*=svc2:http", "--class=nginx", "--annotation=a=b", "--default-backend=defsvc:80"], fixture: "ingress" },
  { name: "create poddisruptionbudget min-available", args: () => ["create", "poddisruptionbudget", "pdb1", "--selector=app=web", "--min-available=1"] },
  { name: "create poddisruptionbudget max-unavailable %", args: () => ["create", "poddisruptionbudget", "pdb2", "--selector=app=web", "--max-unavailable=50%"], fixture: "pdb-percent" },
  { name: "create priorityclass", args: () => ["create", "priorityclass", "high", "--value=1000", "--description=high priority", "--preemption-policy=Never"] },
  { name: "create priorityclass value 0", args: () => ["create", "priorityclass", "zero", "--value=0", "--global-default"] },
  { name: "create quota", args: () => ["create", "quota", "q1", "--hard=cpu=1,memory=1Gi,pods=10,services=3", "--scopes=NotTerminating"], fixture: "quota" },
  { name: "create token", args: () => ["create", "token", "sa1", "--duration=10m", "--audience=api", "--audience=vault"], fixture: "tokenrequest" },
  { name: "create token bound to a pod", args: () => ["create", "token", "sa1", "--bound-object-kind=Pod", "--bound-object-name=rich", "--bound-object-uid=uid-rich"] },
  { name: "auth can-i", args: () => ["auth", "can-i", "create", "pods"], fixture: "selfsubjectaccessreview" },
  { name: "auth can-i subresource in namespace", args: () => ["auth", "can-i", "get", "deployments.apps", "--subresource=scale", "-n", "kube-system"] },
  { name: "auth can-i non-resource", args: () => ["auth", "can-i", "get", "/logs"] },
  { name: "auth can-i --list", args: () => ["auth", "can-i", "--list"], fixture: "selfsubjectrulesreview" },
  { name: "auth whoami", args: () => ["auth", "whoami"], fixture: "selfsubjectreview" },
  {
    name: "autoscale",
    args: () => ["autoscale", "deployment", "seed", "--min=1", "--max=3", "--cpu-percent=80"],
    fixture: "hpa-v1",
    // kubectl 1.33 creates autoscaling/v2 HPAs; no JSON-sending kubectl does, so this is the Go marshalling of that struct.
    expectedFor: {
      "1.33": {
        kind: "HorizontalPodAutoscaler",
        apiVersion: "autoscaling/v2",
        metadata: { name: "seed", creationTimestamp: null },
        spec: {
          scaleTargetRef: { kind: "Deployment", name: "seed", apiVersion: "apps/v1" },
          minReplicas: 1,
          maxReplicas: 3,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
        },
        status: { desiredReplicas: 0, currentMetrics: null },
      },
    },
  },
  {
    name: "certificate approve (PUT approval, Time, bytes, ExtraValue)",
    args: () => ["certificate", "approve", "csr1"],
    setup: seedCsr,
    fixture: "csr-approval",
    normalize: (o) => {
      const conds = (o.status as { conditions: Array<Record<string, unknown>> }).conditions;
      for (const c of conds) {
        assert.match(String(c.lastUpdateTime), RFC3339);
        assert.ok(Math.abs(Date.parse(String(c.lastUpdateTime)) - Date.now()) < 5 * 60_000, `lastUpdateTime ${String(c.lastUpdateTime)} is not now`);
        c.lastUpdateTime = "<now>";
      }
    },
  },
  {
    name: "debug node (host namespaces pod)",
    args: () => ["debug", "node/node-a", "--image=busybox", "--profile=general", "--", "true"],
    setup: (api) => api.seed("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-a", labels: { "kubernetes.io/hostname": "node-a" } }, spec: {} }),
    normalize: (o) => {
      const meta = o.metadata as { name: string };
      assert.match(meta.name, /^node-debugger-node-a-[a-z0-9]{5}$/);
      meta.name = "<random>";
    },
  },
  { name: "debug --copy-to (full pod spec)", args: () => ["debug", "rich", "--copy-to=rich-debug", "--image=busybox", "--container=dbg", "--profile=general", "--", "sleep", "1"], fixture: "pod-debug-copy" },
];

/** The rich pod spec wrapped as a CronJob with a full JobSpec, and as a Pod, for seeding with JSON. */
function seedManifests(): unknown[] {
  const podSpec = parseYaml(readFileSync(join(FIXTURES, "rich-pod-spec.yaml"), "utf8")) as Record<string, unknown>;
  const labels = { app: "rich", tier: "batch" };
  const cronJob = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "rich", namespace: "default", labels, annotations: { "example.com/note": "seed" } },
    spec: {
      schedule: "0 3 * * *",
      timeZone: "Etc/UTC",
      startingDeadlineSeconds: 120,
      concurrencyPolicy: "Forbid",
      jobTemplate: {
        metadata: { labels, annotations: { "example.com/job": "yes" } },
        spec: {
          parallelism: 2,
          completions: 4,
          completionMode: "Indexed",
          backoffLimitPerIndex: 1,
          maxFailedIndexes: 2,
          activeDeadlineSeconds: 3600,
          ttlSecondsAfterFinished: 0,
          suspend: false,
          manualSelector: false,
          podFailurePolicy: {
            rules: [
              { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42, 43, 255] } },
              { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
            ],
          },
          template: { metadata: { labels, annotations: { "example.com/pod": "yes" } }, spec: { ...podSpec, restartPolicy: "Never" } },
        },
      },
    },
  };
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "rich", namespace: "default", labels }, spec: podSpec };
  const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "seed", namespace: "default" }, spec: { selector: { matchLabels: { app: "seed" } }, template: { metadata: { labels: { app: "seed" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } };
  return [cronJob, pod, deployment];
}

function describeRun(r: KubectlResult): string {
  return `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nwrites: ${r.writes.map((w) => `${w.method} ${w.path} ${w.contentType} ${w.error?.message ?? ""}`).join("; ")}`;
}

describe("protobuf bodies from the real kubectl", { skip: available ? false : "kubectl 1.31/1.32/1.33 not installed", concurrency: 3 }, () => {
  let api: FakeApiServer;
  before(async () => {
    api = await startFakeApiServer({ minor: "32" });
    const seeds = join(api.dir, "seeds.json");
    writeFileSync(seeds, JSON.stringify({ apiVersion: "v1", kind: "List", items: seedManifests() }));
    const r = await api.kubectl(JSON_KUBECTL, ["create", "-f", seeds, "--validate=false"]);
    assert.equal(r.code, 0, describeRun(r));
  });
  after(async () => {
    await api?.close();
  });

  for (const c of cases) {
    test(c.name, async () => {
      c.setup?.(api);
      const viaJson = await api.kubectl(JSON_KUBECTL, c.args(api));
      assert.equal(viaJson.code, 0, describeRun(viaJson));
      assert.ok(viaJson.writes.length > 0, "kubectl 1.31 sent no body");
      for (const w of viaJson.writes) assert.match(w.contentType, /^application\/json/);
      const expected = viaJson.writes.map((w) => w.decoded);
      for (const o of expected) c.normalize?.(o!);

      for (const binary of PROTOBUF_KUBECTLS) {
        const version = binary.slice(-4);
        c.setup?.(api);
        const r = await api.kubectl(binary, c.args(api));
        assert.equal(r.code, 0, `kubectl ${version}: ${describeRun(r)}`);
        assert.equal(r.writes.length, viaJson.writes.length, `kubectl ${version} made a different number of writes`);
        for (const w of r.writes) {
          assert.equal(w.contentType, PROTOBUF_CONTENT_TYPE, `kubectl ${version} ${w.path}`);
          assert.equal(w.error, undefined);
        }
        const want = c.expectedFor?.[version] ? [c.expectedFor[version]] : expected;
        const got = r.writes.map((w) => structuredClone(w.decoded));
        for (const o of got) c.normalize?.(o!);
        assert.deepStrictEqual(got, want, `kubectl ${version}: decoded protobuf differs from the JSON body`);
        if (c.fixture && version === "1.32" && process.env.UPDATE_PROTOBUF_FIXTURES) {
          writeFileSync(join(FIXTURES, `${c.fixture}.pb`), r.writes[0]!.body);
          // With normalized fields (times), the fixture keeps the decoded values, checked above modulo those fields.
          writeFileSync(join(FIXTURES, `${c.fixture}.json`), JSON.stringify(c.normalize ? r.writes[0]!.decoded : expected[0], null, 2) + "\n");
        }
      }
    });
  }
});
