import { test } from "node:test";
import assert from "node:assert/strict";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
  isValidPortName,
  isCIdentifier,
  isEnvVarName,
  isValidIP,
  isValidPercent,
  validateLabels,
  validateAnnotations,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  nameIsDNS1035Label,
  regexError,
  isInRange,
  isConfigMapKey,
  isValidCIDR,
  validateImmutableField,
  validateNonnegativeField,
} from "../../src/shared/api/validation.js";
import { invalid } from "../../src/shared/api/status.js";

test("regexError formats examples like upstream", () => {
  assert.equal(regexError("m", "f"), "m (regex used for validation is 'f')");
  assert.equal(regexError("m", "f", "a", "b"), "m (e.g. 'a',  or 'b', regex used for validation is 'f')");
});

test("isDNS1123Label", () => {
  assert.deepEqual(isDNS1123Label("my-name"), []);
  assert.deepEqual(isDNS1123Label("123-abc"), []);
  assert.deepEqual(isDNS1123Label("a.b"), ["must not contain dots"]);
  assert.deepEqual(isDNS1123Label("My-Name"), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label("a".repeat(64)), ["must be no more than 63 characters"]);
  assert.equal(isDNS1123Label("").length, 1);
  assert.equal(isDNS1123Label("-a").length, 1);
});

test("isDNS1123Subdomain", () => {
  assert.deepEqual(isDNS1123Subdomain("example.com"), []);
  assert.deepEqual(isDNS1123Subdomain("a"), []);
  assert.deepEqual(isDNS1123Subdomain("a..b"), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1123Subdomain("a".repeat(254)), ["must be no more than 253 characters"]);
  assert.deepEqual(isDNS1123Subdomain("a".repeat(253)), []);
  assert.equal(isDNS1123Subdomain("Upper").length, 1);
});

test("isDNS1035Label", () => {
  assert.deepEqual(isDNS1035Label("abc-123"), []);
  assert.deepEqual(isDNS1035Label("1abc"), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test("isQualifiedName", () => {
  for (const ok of ["app", "app.kubernetes.io/name", "MyName", "my.name", "123-abc", "a/b", "A_b"]) assert.deepEqual(isQualifiedName(ok), [], ok);
  assert.deepEqual(isQualifiedName("/a"), ["prefix part must be non-empty"]);
  assert.deepEqual(isQualifiedName("a/"), [
    "name part must be non-empty",
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(isQualifiedName("a/b/c"), [
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ]);
  assert.deepEqual(isQualifiedName("x".repeat(64)), ["name part must be no more than 63 characters"]);
  assert.equal(isQualifiedName("Bad_Prefix/x")[0]?.startsWith("prefix part a lowercase RFC 1123 subdomain"), true);
});

test("isValidLabelValue", () => {
  assert.deepEqual(isValidLabelValue(""), []);
  assert.deepEqual(isValidLabelValue("v1.2_x-Y"), []);
  assert.deepEqual(isValidLabelValue("-x"), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  assert.deepEqual(isValidLabelValue("a".repeat(64)), ["must be no more than 63 characters"]);
});

test("ports", () => {
  assert.deepEqual(isValidPortNum(1), []);
  assert.deepEqual(isValidPortNum(65535), []);
  assert.deepEqual(isValidPortNum(0), ["must be between 1 and 65535, inclusive"]);
  assert.deepEqual(isValidPortNum(65536), ["must be between 1 and 65535, inclusive"]);
  assert.deepEqual(isValidPortNum(1.5), ["must be between 1 and 65535, inclusive"]);
  assert.deepEqual(isValidPortName("http"), []);
  assert.deepEqual(isValidPortName("a-b-c"), []);
  assert.deepEqual(isValidPortName("123"), ["must contain at least one letter (a-z)"]);
  assert.deepEqual(isValidPortName("a--b"), ["must not contain consecutive hyphens"]);
  assert.deepEqual(isValidPortName("-ab"), ["must not begin or end with a hyphen"]);
  assert.deepEqual(isValidPortName("HTTP"), ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"]);
  assert.deepEqual(isValidPortName("abcdefghijklmnop"), ["must be no more than 15 characters"]);
});

test("identifiers, env names, IPs, percents", () => {
  assert.deepEqual(isCIdentifier("_a1"), []);
  assert.equal(isCIdentifier("1a").length, 1);
  assert.deepEqual(isEnvVarName("MY_ENV.NAME"), []);
  assert.deepEqual(isEnvVarName("my.env-name"), []);
  assert.deepEqual(isEnvVarName(".."), ["must not be '..'"]);
  assert.deepEqual(isEnvVarName("..a"), ["must not start with '..'"]);
  assert.equal(isEnvVarName("1A").length, 1);
  assert.deepEqual(isValidIP("10.43.0.1"), []);
  assert.deepEqual(isValidIP("::1"), []);
  assert.deepEqual(isValidIP("2001:db8::ffff"), []);
  assert.deepEqual(isValidIP("010.001.0.1"), [], "sloppy IPv4 accepted as upstream");
  assert.deepEqual(isValidIP("256.1.1.1"), ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]);
  assert.equal(isValidIP("fe80::1%eth0").length, 1);
  assert.equal(isValidIP("10.0.0.0/8").length, 1);
  assert.equal(isValidIP("").length, 1);
  assert.deepEqual(isValidPercent("25%"), []);
  assert.deepEqual(isValidPercent("25"), ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]);
});

test("validateLabels and validateAnnotations", () => {
  assert.deepEqual(validateLabels(undefined, "metadata.labels"), []);
  assert.deepEqual(validateLabels({ app: "web", "app.kubernetes.io/name": "" }, "metadata.labels"), []);
  const causes = validateLabels({ "bad key": "ok", good: "bad value" }, "metadata.labels");
  assert.equal(causes.length, 2);
  assert.equal(causes[0]!.reason, "FieldValueInvalid");
  assert.equal(causes[0]!.field, "metadata.labels");
  assert.match(causes[0]!.message!, /^Invalid value: "bad key": name part must consist of/);
  assert.match(causes[1]!.message!, /^Invalid value: "bad value": a valid label must be/);

  assert.deepEqual(validateAnnotations({ "Example.COM/Note": "x" }, "metadata.annotations"), [], "annotation keys are case-insensitive");
  const big = validateAnnotations({ a: "x".repeat(256 * 1024) }, "metadata.annotations");
  assert.deepEqual(big, [{ reason: "FieldValueTooLong", field: "metadata.annotations", message: "Too long: may not be more than 262144 bytes" }]);
  assert.deepEqual(validateAnnotations({ a: "x".repeat(256 * 1024 - 1) }, "metadata.annotations"), []);
  assert.equal(validateAnnotations({ "a/b/c": "" }, "metadata.annotations").length, 1);
});

test("validateLabelSelector", () => {
  assert.deepEqual(validateLabelSelector(undefined, "spec.selector"), []);
  assert.deepEqual(validateLabelSelector({}, "spec.selector"), []);
  assert.deepEqual(
    validateLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }, { key: "x", operator: "Exists" }] }, "spec.selector"),
    [],
  );
  const causes = validateLabelSelector(
    {
      matchLabels: { app: "-" },
      matchExpressions: [
        { key: "tier", operator: "In" },
        { key: "x", operator: "Exists", values: ["a"] },
        { key: "bad key", operator: "Gt", values: ["1"] },
      ],
    },
    "spec.selector",
  );
  assert.deepEqual(
    causes.map((c) => [c.reason, c.field]),
    [
      ["FieldValueInvalid", "spec.selector.matchLabels"],
      ["FieldValueRequired", "spec.selector.matchExpressions[0].values"],
      ["FieldValueForbidden", "spec.selector.matchExpressions[1].values"],
      ["FieldValueInvalid", "spec.selector.matchExpressions[2].operator"],
      ["FieldValueInvalid", "spec.selector.matchExpressions[2].key"],
    ],
  );
  assert.equal(causes[1]!.message, "Required value: must be specified when `operator` is 'In' or 'NotIn'");
  assert.equal(causes[2]!.message, "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  assert.equal(causes[3]!.message, 'Invalid value: "Gt": not a valid selector operator');
});

test("validateObjectMeta: name, generateName, namespace", () => {
  assert.deepEqual(validateObjectMeta({ name: "web", namespace: "default" }, { namespaced: true }), []);
  assert.deepEqual(validateObjectMeta({ generateName: "web-", namespace: "default" }, { namespaced: true }), []);
  assert.deepEqual(validateObjectMeta({ name: "node1" }, { namespaced: false }), []);

  assert.deepEqual(validateObjectMeta({ namespace: "default" }, { namespaced: true }), [
    { reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" },
  ]);
  assert.deepEqual(validateObjectMeta({ name: "web" }, { namespaced: true }), [{ reason: "FieldValueRequired", field: "metadata.namespace", message: "Required value" }]);
  assert.deepEqual(validateObjectMeta({ name: "web", namespace: "default" }, { namespaced: false }), [
    { reason: "FieldValueForbidden", field: "metadata.namespace", message: "Forbidden: not allowed on this type" },
  ]);
  const badName = validateObjectMeta({ name: "Web_1", namespace: "default" }, { namespaced: true });
  assert.equal(badName.length, 1);
  assert.equal(badName[0]!.field, "metadata.name");
  assert.match(badName[0]!.message!, /^Invalid value: "Web_1": a lowercase RFC 1123 subdomain/);
  assert.equal(validateObjectMeta({ name: "a.b", namespace: "x.y" }, { namespaced: true })[0]!.message, 'Invalid value: "x.y": must not contain dots');
  assert.equal(validateObjectMeta({ name: "1svc", namespace: "d" }, { namespaced: true, nameValidator: nameIsDNS1035Label }).length, 1);
  assert.equal(validateObjectMeta({ generateName: "Bad-", namespace: "d" }, { namespaced: true })[0]!.field, "metadata.generateName");

  // The whole thing renders as upstream's 422 message.
  const err = invalid("", "Pod", "Web_1", badName);
  assert.equal(err.code, 422);
  assert.match(err.message, /^Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of/);
});

test("validateObjectMeta: owner references, finalizers, managedFields, generation", () => {
  const causes = validateObjectMeta(
    {
      name: "x",
      generation: -1,
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u1", controller: true },
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs2", uid: "u2", controller: true },
        { apiVersion: "v1", kind: "Event", name: "e", uid: "u3" },
        { apiVersion: "", kind: "", name: "", uid: "" },
      ],
      finalizers: ["orphan", "foregroundDeletion", "bad finalizer"],
      managedFields: [{ manager: "kubectl", operation: "Merge" as "Apply" }],
    },
    { namespaced: false },
  );
  const msgs = causes.map((c) => `${c.field}: ${c.message}`);
  assert.ok(msgs.includes("metadata.generation: Invalid value: -1: must be greater than or equal to 0"), msgs.join("\n"));
  assert.ok(msgs.some((m) => m.includes('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and ReplicaSet/rs2')));
  assert.ok(msgs.some((m) => m.startsWith("metadata.ownerReferences: Invalid value: ") && m.endsWith("/v1, Kind=Event is disallowed from being an owner")));
  assert.ok(msgs.includes('metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty'));
  assert.ok(msgs.includes('metadata.ownerReferences.kind: Invalid value: "": must not be empty'));
  assert.ok(msgs.includes('metadata.ownerReferences.name: Invalid value: "": must not be empty'));
  assert.ok(msgs.includes('metadata.ownerReferences.uid: Invalid value: "": must not be empty'));
  assert.ok(msgs.some((m) => m.startsWith('metadata.finalizers: Invalid value: "bad finalizer": name part')));
  assert.ok(msgs.some((m) => m.endsWith("finalizer orphan and foregroundDeletion cannot be both set")));
  assert.ok(msgs.includes('metadata.managedFields[0].operation: Invalid value: "Merge": must be `Apply` or `Update`'));
});

test("validateObjectMetaUpdate", () => {
  const old = { name: "web", namespace: "default", uid: "u1", resourceVersion: "5", generation: 2, creationTimestamp: "2026-01-01T00:00:00Z" };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: "b" } }, old), []);
  const causes = validateObjectMetaUpdate({ ...old, name: "web2", namespace: "other", uid: "u2", resourceVersion: "", generation: 1, creationTimestamp: "2027-01-01T00:00:00Z" }, old);
  assert.deepEqual(
    causes.map((c) => `${c.field}: ${c.message}`),
    [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      "metadata.generation: Invalid value: 1: must not be decremented",
      'metadata.name: Invalid value: "web2": field is immutable',
      'metadata.namespace: Invalid value: "other": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: "2027-01-01T00:00:00Z": field is immutable',
    ],
  );
  const deleting = { ...old, deletionTimestamp: "2026-02-01T00:00:00Z", finalizers: ["a.io/x"] };
  const fin = validateObjectMetaUpdate({ ...deleting, finalizers: ["a.io/x", "b.io/y"] }, deleting);
  assert.deepEqual(fin, [
    { reason: "FieldValueForbidden", field: "metadata.finalizers", message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}' },
  ]);
  assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), [], "removing finalizers is fine");
  assert.equal(validateObjectMetaUpdate({ ...old, deletionTimestamp: "2026-02-01T00:00:00Z" }, old)[0]!.field, "metadata.deletionTimestamp");
});

test("ranges, config keys, CIDRs, immutable and non-negative fields", () => {
  assert.deepEqual(isInRange(5, 0, 10), []);
  assert.deepEqual(isInRange(11, 0, 10), ["must be between 0 and 10, inclusive"]);
  assert.deepEqual(isConfigMapKey("app.properties"), []);
  assert.deepEqual(isConfigMapKey(".."), ["must not be '..'"]);
  assert.deepEqual(isConfigMapKey("a/b"), ["a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]);
  assert.deepEqual(isValidCIDR("10.43.0.0/16"), []);
  assert.deepEqual(isValidCIDR("fd00::/64"), []);
  assert.deepEqual(isValidCIDR("10.0.0.0/33"), ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]);
  assert.equal(isValidCIDR("10.0.0.0").length, 1);
  assert.equal(isValidCIDR("x/8").length, 1);
  assert.deepEqual(validateImmutableField({ matchLabels: { a: "b" } }, { matchLabels: { a: "b" } }, "spec.selector"), []);
  assert.deepEqual(validateImmutableField({ b: 1, a: 2 }, { a: 2, b: 1 }, "spec.x"), [], "key order does not matter");
  assert.deepEqual(validateImmutableField("10.43.0.5", "10.43.0.6", "spec.clusterIP"), [
    { reason: "FieldValueInvalid", field: "spec.clusterIP", message: 'Invalid value: "10.43.0.5": field is immutable' },
  ]);
  assert.deepEqual(validateNonnegativeField(0, "spec.replicas"), []);
  assert.deepEqual(validateNonnegativeField(undefined, "spec.replicas"), []);
  assert.deepEqual(validateNonnegativeField(-1, "spec.replicas"), [
    { reason: "FieldValueInvalid", field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" },
  ]);
});
