// Schema-based field validation: unknown fields, wrong JSON types, duplicate keys, and the upstream
// message formats for Strict and Warn.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { generateSchemas } from "../../build/gen-schemas.mjs";

type Module = typeof import("../../src/shared/api/schema-validation.js");
let v: Module;

before(async () => {
  await generateSchemas({ quiet: true });
  v = await import("../../src/shared/api/schema-validation.js");
});

const POD = { group: "", version: "v1", kind: "Pod" };
const DEPLOYMENT = { group: "apps", version: "v1", kind: "Deployment" };
const SERVICE = { group: "", version: "v1", kind: "Service" };
const CONFIGMAP = { group: "", version: "v1", kind: "ConfigMap" };
const SECRET = { group: "", version: "v1", kind: "Secret" };
const CRONJOB = { group: "batch", version: "v1", kind: "CronJob" };

function podSpec(extra: Record<string, unknown> = {}) {
  return {
    containers: [
      {
        name: "web",
        image: "nginx:1.27",
        ports: [{ containerPort: 80, protocol: "TCP", name: "http" }],
        env: [{ name: "A", value: "1" }, { name: "B", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
        resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: 0.25, memory: 1048576 } },
        readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 5 },
        ...extra,
      },
    ],
    restartPolicy: "Always",
    terminationGracePeriodSeconds: 30,
  };
}

function deployment() {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" }, creationTimestamp: null },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      template: { metadata: { labels: { app: "web" } }, spec: podSpec() },
    },
    status: { replicas: 3, conditions: [{ type: "Available", status: "True", lastUpdateTime: "2026-01-01T00:00:00Z" }] },
  };
}

test("well-formed objects of several kinds have no problems", () => {
  assert.deepEqual(v.checkFields(DEPLOYMENT, deployment()), []);
  assert.deepEqual(v.checkFields(POD, { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: podSpec() }), []);
  assert.deepEqual(
    v.checkFields(SERVICE, { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: "https", name: "https" }] } }),
    [],
  );
  assert.deepEqual(v.checkFields(CONFIGMAP, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "a.txt": "x" }, binaryData: { b: "AAE=" }, immutable: true }), []);
  assert.deepEqual(v.checkFields(SECRET, { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque", data: { password: "cGFzcw==" }, stringData: { user: "me" } }), []);
  assert.deepEqual(
    v.checkFields(CRONJOB, {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c" },
      spec: { schedule: "*/5 * * * *", startingDeadlineSeconds: 100, jobTemplate: { spec: { backoffLimit: 2, template: { spec: { ...podSpec(), restartPolicy: "OnFailure" } } } } },
    }),
    [],
  );
});

test("unknown fields are reported with upstream's paths", () => {
  const d = deployment() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  d.spec.bogusField = true;
  d.metadata.bogusMeta = "x";
  d.spec.template.spec.containers[0].foo = 1;
  d.spec.template.spec.containers[0].ports[0].containerPortZ = 1;
  const problems = v.checkFields(DEPLOYMENT, d);
  assert.deepEqual(
    problems.map((p) => [p.kind, p.path, p.message]),
    [
      ["unknown", "metadata.bogusMeta", 'unknown field "metadata.bogusMeta"'],
      ["unknown", "spec.template.spec.containers[0].ports[0].containerPortZ", 'unknown field "spec.template.spec.containers[0].ports[0].containerPortZ"'],
      ["unknown", "spec.template.spec.containers[0].foo", 'unknown field "spec.template.spec.containers[0].foo"'],
      ["unknown", "spec.bogusField", 'unknown field "spec.bogusField"'],
    ],
  );
  assert.deepEqual(problems[1].segments, ["spec", "template", "spec", "containers", 0, "ports", 0, "containerPortZ"]);
  const dotted = v.checkFields(POD, { spec: { overhead: { "example.com/gpu": "1" } }, status: { containerStatuses: [{ name: "a", allocatedResources: { "a.b/c": "1" }, bogus: 1 }] } });
  assert.deepEqual(dotted.map((p) => p.segments), [["status", "containerStatuses", 0, "bogus"]]);
  const cron = v.checkFields(CRONJOB, { spec: { schedule: "x", jobTemplate: { spec: { template: { spec: { containers: [{ name: "a", imagee: "busybox" }] } } } } } });
  assert.deepEqual(cron.map((p) => p.path), ["spec.jobTemplate.spec.template.spec.containers[0].imagee"]);
  const secret = v.checkFields(SECRET, { metadata: { name: "s" }, datas: { a: "b" } });
  assert.deepEqual(secret.map((p) => p.path), ["datas"]);
});

test("CustomResourceDefinition schemas with x-kubernetes extensions are accepted; typos are not", () => {
  const CRD = { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition" };
  const schema = {
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
    properties: {
      spec: {
        type: "object",
        required: ["size"],
        "x-kubernetes-validations": [{ rule: "self.size <= 10", message: "too big" }],
        properties: {
          size: { type: "integer", minimum: 1, maximum: 10.5, default: 3 },
          port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
          tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
          extra: { type: "object", additionalProperties: false },
        },
      },
    },
  };
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: schema } }] },
  };
  assert.deepEqual(v.checkFields(CRD, crd), []);
  (schema.properties.spec.properties.size as Record<string, unknown>)["x-kubernetes-preserve-unknwon-fields"] = true;
  assert.deepEqual(v.checkFields(CRD, crd).map((p) => p.path), ["spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.x-kubernetes-preserve-unknwon-fields"]);
});

test("free-form fields accept anything; maps accept any key; null is always fine", () => {
  assert.deepEqual(
    v.checkFields({ group: "apps", version: "v1", kind: "ControllerRevision" }, { metadata: { name: "r" }, revision: 2, data: { spec: { template: { anything: [1, { deep: true }] } } } }),
    [],
  );
  assert.deepEqual(
    v.checkFields(POD, { metadata: { name: "p", annotations: { "example.com/any-key": "v" }, managedFields: [{ manager: "kubectl", fieldsV1: { "f:metadata": { "f:labels": {} } } }] }, spec: { nodeSelector: { "kubernetes.io/os": "linux" }, containers: null } }),
    [],
  );
});

test("values of the wrong JSON type fail with Go decoder messages", () => {
  const d = deployment() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  d.spec.replicas = "3";
  d.spec.template.spec.containers[0].ports[0].containerPort = "80";
  d.spec.template.spec.containers[0].resources.limits.cpu = true;
  d.spec.paused = "yes";
  const problems = v.checkFields(DEPLOYMENT, d);
  assert.deepEqual(
    problems.map((p) => [p.kind, p.path, p.message]),
    [
      ["type", "spec.replicas", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"],
      ["type", "spec.template.spec.containers[0].ports[0].containerPort", "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"],
      ["type", "spec.template.spec.containers[0].resources.limits.cpu", "json: cannot unmarshal bool into Go struct field ResourceRequirements.spec.template.spec.containers.resources.limits of type resource.Quantity"],
      ["type", "spec.paused", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool"],
    ],
  );
  assert.equal(v.checkFields(DEPLOYMENT, { spec: { replicas: 1.5 } })[0].message, "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32");
  assert.equal(v.checkFields(DEPLOYMENT, { spec: { replicas: 2 ** 31 } })[0].kind, "type");
  assert.deepEqual(v.checkFields(POD, { spec: { terminationGracePeriodSeconds: 2 ** 40 } }), [], "int64 fields take large values");
  assert.equal(v.checkFields(CONFIGMAP, { data: { a: 1 } })[0].message, "json: cannot unmarshal number into Go struct field ConfigMap.data of type string");
  assert.equal(v.checkFields(SERVICE, { spec: { ports: [{ port: 80, targetPort: true }] } })[0].path, "spec.ports[0].targetPort");
  assert.equal(v.checkFields(SERVICE, { spec: { ports: { port: 80 } } })[0].message, "json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort");
  assert.equal(v.checkFields(POD, { spec: "x" })[0].message, "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec");
});

test("kinds without a schema (custom resources) are not checked", () => {
  assert.deepEqual(v.checkFields({ group: "example.com", version: "v1", kind: "Widget" }, { spec: { anything: 1 } }), []);
  assert.equal(v.hasSchemaForKind({ group: "example.com", version: "v1", kind: "Widget" }), false);
  assert.equal(v.hasSchemaForKind(DEPLOYMENT), true);
});

test("duplicate keys are found at any depth, inside lists, with escapes, ignoring string contents", () => {
  assert.deepEqual(v.findDuplicateFields('{"spec":{"replicas":1,"replicas":2}}'), ["spec.replicas"]);
  assert.deepEqual(
    v.findDuplicateFields('{"a":"{\\"a\\":1,\\"a\\":2}","spec":{"containers":[{"name":"a"},{"name":"b","image":"x","name":"c"}]},"k\\"q":1,"k\\"q":2, "b" : [1,{"x":[]} ], "b":0}'),
    ["spec.containers[1].name", 'k"q', "b"],
  );
  assert.deepEqual(v.findDuplicateFields('{"metadata":{"labels":{"a":"1","b":"2"}},"x":[[{"a":1}],[{"a":2,"a":3}]]}'), ["x[1][0].a"]);
  assert.deepEqual(v.findDuplicateFields("[]"), []);
  assert.deepEqual(v.duplicateFieldProblems('{"a":1,"a":2}'), [{ kind: "duplicate", path: "a", message: 'duplicate field "a"' }]);
});

test("messages and warning headers are formatted as upstream", () => {
  const d = deployment() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  d.spec.bogusField = 1;
  const json = JSON.stringify(d).replace('"replicas":3', '"replicas":3,"replicas":4');
  const problems = [...v.checkFields(DEPLOYMENT, JSON.parse(json)), ...v.duplicateFieldProblems(json)];
  assert.equal(
    v.strictDecodingMessage(DEPLOYMENT, v.strictProblems(problems)),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogusField", duplicate field "spec.replicas"',
  );
  assert.deepEqual(v.warningHeaders(problems), ['299 - "unknown field \\"spec.bogusField\\""', '299 - "duplicate field \\"spec.replicas\\""']);
  assert.equal(v.schemaErrorMessage(problems.filter((p) => p.kind === "unknown")), ".spec.bogusField: field not declared in schema");
  const typeErr = v.checkFields(DEPLOYMENT, { spec: { replicas: "x" } })[0];
  assert.equal(v.decodeErrorMessage(DEPLOYMENT, typeErr), 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.deepEqual(v.strictProblems([typeErr]), []);
});

test("checking is fast: 10k Deployments well under a second", () => {
  const d = deployment();
  v.checkFields(DEPLOYMENT, d); // compile once
  const started = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) assert.equal(v.checkFields(DEPLOYMENT, d).length, 0);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < 1000, `10k checks took ${ms.toFixed(0)} ms`);
  const json = JSON.stringify(d);
  const started2 = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) v.findDuplicateFields(json);
  const ms2 = Number(process.hrtime.bigint() - started2) / 1e6;
  assert.ok(ms2 < 1000, `10k duplicate scans took ${ms2.toFixed(0)} ms`);
});
