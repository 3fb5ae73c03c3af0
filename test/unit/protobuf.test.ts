import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs/minimal.js";
import { ApiError } from "../../src/shared/api/status.js";
import { decodeProtobufBody, isProtobufContentType, PROTOBUF_CONTENT_TYPE } from "../../src/server/apiserver/protobuf/index.js";
import { goDurationString } from "../../src/server/apiserver/protobuf/wellknown.js";
import { messageSpec, requestMessageFor } from "../../src/server/apiserver/protobuf/schema.js";
import { PACKAGE_TABLES, REQUEST_KINDS } from "../../src/server/apiserver/protobuf/messages/index.js";

const FIXTURES = join(process.cwd(), "test", "fixtures", "protobuf");

// ---- a small protobuf writer for hand-made bodies (field helpers over protobufjs' Writer) ----
type Part = (w: protobuf.Writer) => void;
const str = (no: number, s: string): Part => (w) => void w.uint32((no << 3) | 2).string(s);
const bytes = (no: number, b: Uint8Array): Part => (w) => void w.uint32((no << 3) | 2).bytes(b);
const varint = (no: number, v: number): Part => (w) => void w.uint32(no << 3).int64(v);
const msg = (no: number, ...parts: Part[]): Part => (w) => void w.uint32((no << 3) | 2).bytes(encode(...parts));
function encode(...parts: Part[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const p of parts) p(w);
  return w.finish();
}
function body(apiVersion: string, kind: string, ...object: Part[]): Buffer {
  const unknown = encode(msg(1, str(1, apiVersion), str(2, kind)), bytes(2, encode(...object)));
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), unknown]);
}
function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an error");
}

test("captured kubectl 1.32 bodies decode to the JSON kubectl 1.31 sends", () => {
  const names = readdirSync(FIXTURES).filter((f) => f.endsWith(".pb"));
  assert.ok(names.length >= 10, "fixtures missing");
  for (const name of names) {
    const expected = JSON.parse(readFileSync(join(FIXTURES, name.replace(/\.pb$/, ".json")), "utf8"));
    const got = decodeProtobufBody(readFileSync(join(FIXTURES, name)));
    assert.deepStrictEqual(got.object, expected, name);
    assert.equal(got.kind, expected.kind);
    assert.equal(got.apiVersion, expected.apiVersion);
  }
});

test("the envelope: magic, typeMeta and errors", () => {
  assert.equal(PROTOBUF_CONTENT_TYPE, "application/vnd.kubernetes.protobuf");
  assert.ok(isProtobufContentType("application/vnd.kubernetes.protobuf"));
  assert.ok(isProtobufContentType("Application/Vnd.Kubernetes.Protobuf; charset=utf-8"));
  assert.ok(!isProtobufContentType("application/json"));
  assert.ok(!isProtobufContentType(undefined));

  const bad = apiError(() => decodeProtobufBody(Buffer.from('{"kind":"ConfigMap"}')));
  assert.equal(bad.code, 400);
  assert.equal(bad.reason, "BadRequest");
  assert.match(bad.message, /does not appear to be a protobuf message/);
  assert.equal(apiError(() => decodeProtobufBody(Buffer.from("k8s"))).code, 400);

  const good = body("v1", "ConfigMap", msg(1, str(1, "x")));
  for (const cut of [good.length - 1, good.length - 5, 7]) {
    const e = apiError(() => decodeProtobufBody(good.subarray(0, cut)));
    assert.equal(e.code, 400, `cut at ${cut}`);
  }

  const unknownKind = apiError(() => decodeProtobufBody(body("example.com/v1", "Widget")));
  assert.equal(unknownKind.code, 415);
  assert.equal(unknownKind.reason, "UnsupportedMediaType");
  assert.match(unknownKind.message, /"Widget" in "example.com\/v1"/);
  assert.equal(apiError(() => decodeProtobufBody(body("v1", "Container"))).code, 415, "only top-level kinds");

  const gz = Buffer.concat([Buffer.from("k8s\0", "latin1"), encode(msg(1, str(1, "v1"), str(2, "ConfigMap")), bytes(2, new Uint8Array()), str(3, "gzip"))]);
  assert.equal(apiError(() => decodeProtobufBody(gz)).code, 415);

  const noKind = Buffer.concat([Buffer.from("k8s\0", "latin1"), encode(bytes(2, new Uint8Array()))]);
  assert.equal(apiError(() => decodeProtobufBody(noKind)).code, 400);
});

test("omitempty, pointers and Go zero values", () => {
  // Deployment.spec.replicas is *int32: an explicit 0 stays; ObjectMeta.generation (int64, omitempty) 0 goes.
  const d = decodeProtobufBody(body("apps/v1", "Deployment", msg(1, str(1, "web"), varint(7, 0), str(2, "")), msg(2, varint(1, 0)))).object;
  assert.deepStrictEqual(d, {
    kind: "Deployment",
    apiVersion: "apps/v1",
    metadata: { name: "web", creationTimestamp: null },
    spec: { replicas: 0, selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
    status: {},
  });
  // Container.name has no omitempty: an empty name is still emitted; ContainerPort.containerPort likewise.
  const p = decodeProtobufBody(body("v1", "Pod", msg(2, msg(2, str(2, "img"), msg(6, varint(3, 80)))))).object;
  assert.deepStrictEqual((p.spec as { containers: unknown }).containers, [{ name: "", image: "img", ports: [{ containerPort: 80 }], resources: {} }]);
});

test("well-known types: Time, MicroTime, Quantity, IntOrString, RawExtension, FieldsV1, bytes, ExtraValue", () => {
  const ts = (no: number, seconds: number, nanos = 0) => msg(no, varint(1, seconds), varint(2, nanos));
  // ObjectMeta: creationTimestamp (Time, nanos dropped), deletionTimestamp (*Time), managedFields[].fieldsV1 (raw JSON).
  const cm = decodeProtobufBody(
    body(
      "v1",
      "ConfigMap",
      msg(1, str(1, "c"), ts(8, 1767323045, 999), ts(9, 0), msg(17, str(1, "kubectl"), str(2, "Update"), ts(4, 1767323045), str(6, "FieldsV1"), msg(7, bytes(1, Buffer.from('{"f:data":{}}'))))),
      msg(3, str(1, "bin"), bytes(2, Buffer.from([0, 1, 2, 255]))),
    ),
  ).object;
  assert.deepStrictEqual(cm.metadata, {
    name: "c",
    creationTimestamp: "2026-01-02T03:04:05Z",
    deletionTimestamp: "1970-01-01T00:00:00Z",
    managedFields: [{ manager: "kubectl", operation: "Update", time: "2026-01-02T03:04:05Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } }],
  });
  assert.deepStrictEqual(cm.binaryData, { bin: "AAEC/w==" });

  // Event.eventTime is a MicroTime (microseconds kept); an empty Time message is the zero time → null.
  const ev = decodeProtobufBody(body("v1", "Event", msg(1, str(1, "e"), msg(8)), ts(10, 1767323045, 123456789))).object;
  assert.equal(ev.eventTime, "2026-01-02T03:04:05.123456Z");
  assert.equal((ev.metadata as Record<string, unknown>).creationTimestamp, null);
  assert.equal(ev.firstTimestamp, null);

  // IntOrString: type 0 → number, type 1 → string; Quantity strings pass through; empty Quantity message is "0".
  const svc = decodeProtobufBody(body("v1", "Service", msg(1, str(1, "s")), msg(2, msg(1, varint(3, 80), msg(4, varint(1, 1), str(3, "http"))), msg(1, varint(3, 81), msg(4, varint(2, 8081)))))).object;
  assert.deepStrictEqual((svc.spec as { ports: unknown }).ports, [
    { port: 80, targetPort: "http" },
    { port: 81, targetPort: 8081 },
  ]);
  const rq = decodeProtobufBody(body("v1", "ResourceQuota", msg(2, msg(1, str(1, "cpu"), msg(2, str(1, "500m"))), msg(1, str(1, "pods"), msg(2))))).object;
  assert.deepStrictEqual((rq.spec as { hard: unknown }).hard, { cpu: "500m", pods: "0" });
  assert.equal(apiError(() => decodeProtobufBody(body("v1", "ResourceQuota", msg(2, msg(1, str(1, "cpu"), msg(2, str(1, "lots"))))))).code, 400);

  // ControllerRevision.data is a RawExtension holding JSON.
  const cr = decodeProtobufBody(body("apps/v1", "ControllerRevision", msg(1, str(1, "r")), msg(2, bytes(1, Buffer.from('{"spec":{"x":1}}'))), varint(3, 4))).object;
  assert.deepStrictEqual(cr.data, { spec: { x: 1 } });
  assert.equal(cr.revision, 4);

  // SubjectAccessReview.spec.extra is map<string, ExtraValue{repeated string items}> → arrays. An ExtraValue with
  // no items decodes to a nil slice upstream (gogo appends items to a nil slice), so JSON null, not [].
  const sar = decodeProtobufBody(body("authorization.k8s.io/v1", "SubjectAccessReview", msg(2, str(3, "bob"), msg(5, str(1, "scopes"), msg(2, str(1, "a"), str(1, "b"))), msg(5, str(1, "none"), msg(2))))).object;
  assert.deepStrictEqual((sar.spec as { extra: unknown }).extra, { none: null, scopes: ["a", "b"] });
});

test("DeleteOptions and Eviction: pointer zeros kept, string enum read from the wire type", () => {
  const del = decodeProtobufBody(body("v1", "DeleteOptions", varint(1, 0), str(4, "Foreground"), str(5, "All"), msg(2, str(1, "uid-1")))).object;
  assert.deepStrictEqual(del, { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, preconditions: { uid: "uid-1" }, propagationPolicy: "Foreground", dryRun: ["All"] });
  const ev = decodeProtobufBody(body("policy/v1", "Eviction", msg(1, str(1, "p"), str(3, "default")), msg(2, str(4, "Background")))).object;
  assert.deepStrictEqual(ev, { kind: "Eviction", apiVersion: "policy/v1", metadata: { name: "p", namespace: "default", creationTimestamp: null }, deleteOptions: { propagationPolicy: "Background" } });
});

test("unknown fields are skipped, packed repeated scalars accepted, last singular value wins", () => {
  const packed = (no: number, values: number[]): Part => (w) => {
    w.uint32((no << 3) | 2).fork();
    for (const v of values) w.int32(v);
    w.ldelim();
  };
  const job = decodeProtobufBody(
    body(
      "batch/v1",
      "Job",
      msg(1, str(1, "j"), str(999, "future field"), varint(998, 7)),
      msg(2, varint(1, 1), varint(1, 3), msg(11, msg(1, str(1, "FailJob"), msg(2, str(2, "In"), packed(3, [1, 2]), varint(3, 3))))),
    ),
  ).object;
  const spec = job.spec as Record<string, unknown>;
  assert.equal(spec.parallelism, 3);
  assert.deepStrictEqual(spec.podFailurePolicy, { rules: [{ action: "FailJob", onExitCodes: { operator: "In", values: [1, 2, 3] } }] });
  assert.deepStrictEqual(job.metadata, { name: "j", creationTimestamp: null });
});

test("wrong and invalid wire types are 400s, not crashes", () => {
  const wrong = apiError(() => decodeProtobufBody(body("v1", "ConfigMap", varint(1, 5))));
  assert.equal(wrong.code, 400);
  assert.match(wrong.message, /wrong wire type 0 for field metadata/);
  // A nested length that overruns its parent message.
  const overrun = Buffer.concat([Buffer.from("k8s\0", "latin1"), encode(msg(1, str(1, "v1"), str(2, "ConfigMap")), bytes(2, Buffer.from([0x0a, 0x05, 0x0a, 0x01, 0x61])))]);
  assert.equal(apiError(() => decodeProtobufBody(overrun)).code, 400);
  const invalidWire = Buffer.concat([body("v1", "Namespace"), Buffer.from([0x0f])]);
  assert.equal(apiError(() => decodeProtobufBody(invalidWire)).code, 400);
});

test("Go duration formatting (time.Duration.String)", () => {
  const cases: Array<[bigint, string]> = [
    [0n, "0s"],
    [1n, "1ns"],
    [1100n, "1.1µs"],
    [2_200_000n, "2.2ms"],
    [3_300_000_000n, "3.3s"],
    [245_000_000_000n, "4m5s"],
    [245_001_000_000n, "4m5.001s"],
    [18_367_001_000_000n, "5h6m7.001s"],
    [480_000_000_001n, "8m0.000000001s"],
    [9223372036854775807n, "2562047h47m16.854775807s"],
    [-9223372036854775808n, "-2562047h47m16.854775808s"],
  ];
  for (const [ns, s] of cases) assert.equal(goDurationString(ns), s);
});

test("schema tables: every referenced message exists, field numbers are unique, request kinds resolve", () => {
  let messages = 0;
  for (const [pkg, table] of Object.entries(PACKAGE_TABLES)) {
    for (const [name, rows] of Object.entries(table)) {
      messages++;
      const numbers = new Set<number>();
      for (const [no, json, type, flags] of rows) {
        assert.ok(!numbers.has(no), `${pkg}.${name} field ${no} twice`);
        numbers.add(no);
        assert.equal(json === "", flags.includes("i"), `${pkg}.${name} field ${no}: only inlined fields have no JSON name`);
        assert.match(flags, /^r?m?p?o?i?$/);
        const ref = type.startsWith("@List:") ? type.slice(6) : type;
        if (ref.includes(".")) assert.ok(messageSpec(ref), `${pkg}.${name} field ${no} refers to missing ${ref}`);
      }
    }
  }
  assert.ok(messages > 300);
  for (const [pkg, kinds] of Object.entries(REQUEST_KINDS)) for (const kind of kinds) assert.ok(messageSpec(`${pkg}.${kind}`), `${pkg}.${kind}`);
  assert.equal(requestMessageFor("rbac.authorization.k8s.io/v1", "ClusterRole"), "rbac.v1.ClusterRole");
  assert.equal(requestMessageFor("apps/v1", "DeleteOptions"), "meta.v1.DeleteOptions");
  assert.equal(requestMessageFor("autoscaling/v2", "HorizontalPodAutoscaler"), "autoscaling.v2.HorizontalPodAutoscaler");
  assert.equal(requestMessageFor("apps/v1beta1", "Deployment"), undefined);
});
