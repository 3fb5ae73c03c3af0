import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseLabelSelector,
  labelSelectorFromObject,
  labelSelectorFromSet,
  newLabelRequirement,
  parseFieldSelector,
  escapeFieldValue,
  unescapeFieldValue,
  checkFieldSelectorSupported,
  fieldSelectorFromSet,
} from "../../src/shared/api/selectors.js";
import { ApiError } from "../../src/shared/api/status.js";

/** Asserts `fn` throws a 400 BadRequest ApiError with exactly `message`. */
function throws400(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, "BadRequest");
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test("label selector: every operator matches like upstream", () => {
  const l = { app: "web", tier: "fe", n: "5", empty: "" };
  const cases: [string, boolean][] = [
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["app in (web,db)", true],
    ["app in (db)", false],
    ["app notin (db)", true],
    ["app notin (web)", false],
    ["missing notin (web)", true],
    ["missing in (web)", false],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["n>4", true],
    ["n>5", false],
    ["n<6", true],
    ["n<2", false],
    ["app>1", false],
    ["missing>1", false],
    ["empty=", true],
    ["empty in ()", true],
    ["app=web,tier=fe", true],
    ["app=web,tier=be", false],
    ["  app = web ,  tier in ( fe , be ) ", true],
    ["app=web,!missing,tier", true],
  ];
  for (const [text, want] of cases) assert.equal(parseLabelSelector(text).matches(l), want, text);
  assert.equal(parseLabelSelector("!a").matches(undefined), true);
  assert.equal(parseLabelSelector("a").matches(null), false);
});

test("label selector: normal form, sorting and introspection", () => {
  const s = parseLabelSelector("z in (b,a,b), a!=x, !c, m, n==1, g>3, h<4, e notin ()");
  assert.equal(s.toString(), "a!=x,!c,e notin (),g>3,h<4,m,n==1,z in (a,b)");
  assert.deepEqual(s.requirements.find((r) => r.key === "z")?.values, ["a", "b"]);
  assert.equal(s.isEverything(), false);
  assert.equal(s.isNothing(), false);
  assert.equal(parseLabelSelector("").isEverything(), true);
  assert.equal(parseLabelSelector("  ").toString(), "");
  assert.equal(parseLabelSelector("a=b").requiresExactMatch("a"), "b");
  assert.equal(parseLabelSelector("a in (b)").requiresExactMatch("a"), "b");
  assert.equal(parseLabelSelector("a in (b,c)").requiresExactMatch("a"), undefined);
  assert.equal(parseLabelSelector("a!=b").requiresExactMatch("a"), undefined);
  // in/notin are plain identifiers in value position, and may be keys.
  assert.equal(parseLabelSelector("x in (in,notin)").toString(), "x in (in,notin)");
  assert.equal(parseLabelSelector("in=notin").matches({ in: "notin" }), true);
  // Empty entries in a set are the empty value.
  assert.deepEqual(parseLabelSelector("x in (a,,b)").requirements[0]!.values, ["", "a", "b"]);
  assert.deepEqual(parseLabelSelector("x in (,a)").requirements[0]!.values, ["", "a"]);
  assert.deepEqual(parseLabelSelector("x in (a,)").requirements[0]!.values, ["", "a"]);
  // Upstream doc example.
  assert.equal(parseLabelSelector("x in (foo,,baz),y,z notin ()").toString(), "x in (,baz,foo),y,z notin ()");
});

test("label selector: upstream error messages", () => {
  const nameRegex =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  // The exact message kubectl users see for `kubectl get pods -l app:monolith`.
  throws400(() => parseLabelSelector("app:monolith"), `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${nameRegex}`);
  throws400(() => parseLabelSelector("*bar"), `unable to parse requirement: <nil>: Invalid value: "*bar": ${nameRegex}`);
  // Upstream's own test case (apimachinery metainternalversion): too many slashes in a key.
  throws400(
    () => parseLabelSelector("a/b/c ?=? def"),
    `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  );
  throws400(() => parseLabelSelector("a b"), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  throws400(() => parseLabelSelector("a=b c"), "found 'c', expected: ',' or 'end of string'");
  throws400(() => parseLabelSelector("a=b,"), "found '', expected: identifier after ','");
  throws400(() => parseLabelSelector(",a"), "found ',', expected: !, identifier, or 'end of string'");
  throws400(() => parseLabelSelector("a in b"), "unable to parse requirement: found 'b' expected: '('");
  throws400(() => parseLabelSelector("a in (b"), "unable to parse requirement: found '', expected: ',' or ')'");
  throws400(() => parseLabelSelector("a in (b c)"), "unable to parse requirement: found 'c', expected: ',' or ')'");
  throws400(() => parseLabelSelector("a in (="), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  throws400(() => parseLabelSelector("a=(b"), "unable to parse requirement: found '(', expected: identifier");
  throws400(() => parseLabelSelector("!a=b"), "found '=', expected: ',' or 'end of string'");
  throws400(() => parseLabelSelector("!=a"), "found '!=', expected: !, identifier, or 'end of string'");
  throws400(() => parseLabelSelector("! =a"), "unable to parse requirement: found '=', expected: identifier");
  throws400(() => parseLabelSelector("a<-1"), /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-1": a valid label/);
  throws400(() => parseLabelSelector("a>b"), `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`);
  throws400(
    () => parseLabelSelector("a=-b"),
    `unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  );
  throws400(() => parseLabelSelector("a>-x"), /^unable to parse requirement: \[values\[0\]: Invalid value: "-x": for 'Gt', 'Lt' operators, the value must be an integer, values\[0\]\[a\]: Invalid value: "-x": a valid label/);
});

test("label selector from metav1.LabelSelector: null is nothing, {} is everything", () => {
  assert.equal(labelSelectorFromObject(undefined).isNothing(), true);
  assert.equal(labelSelectorFromObject(null).matches({}), false);
  assert.equal(labelSelectorFromObject({}).isEverything(), true);
  assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ x: "y" }), true);
  const s = labelSelectorFromObject({
    matchLabels: { app: "web" },
    matchExpressions: [
      { key: "tier", operator: "In", values: ["fe", "be"] },
      { key: "canary", operator: "DoesNotExist" },
      { key: "env", operator: "NotIn", values: ["prod"] },
      { key: "team", operator: "Exists" },
    ],
  });
  assert.equal(s.toString(), "app=web,!canary,env notin (prod),team,tier in (be,fe)");
  assert.equal(s.matches({ app: "web", tier: "fe", team: "a" }), true);
  assert.equal(s.matches({ app: "web", tier: "fe", team: "a", canary: "1" }), false);
  assert.equal(s.matches({ app: "web", tier: "fe", team: "a", env: "prod" }), false);
  assert.equal(s.matches({ app: "web", tier: "fe" }), false);
  throws400(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }), '"Gt" is not a valid label selector operator');
  throws400(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }), "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  throws400(() => labelSelectorFromObject({ matchLabels: { "a b": "c" } }), /^key: Invalid value: "a b": name part must consist/);
  assert.equal(labelSelectorFromSet({ b: "2", a: "1" }).toString(), "a=1,b=2");
  assert.equal(labelSelectorFromSet(undefined).isEverything(), true);
  assert.deepEqual(newLabelRequirement("k", "exists", []), { key: "k", operator: "exists", values: [] });
});

test("field selector: parse, match, escape", () => {
  const pod: Record<string, string> = { "metadata.name": "web-1", "metadata.namespace": "default", "spec.nodeName": "n1", "status.phase": "Running" };
  const get = (p: string) => pod[p];
  const cases: [string, boolean][] = [
    ["", true],
    ["metadata.name=web-1", true],
    ["metadata.name==web-1", true],
    ["metadata.name!=web-1", false],
    ["spec.nodeName=n1,status.phase!=Succeeded", true],
    ["spec.nodeName=n2,status.phase!=Succeeded", false],
    ["spec.missing=", true],
    ["spec.missing!=", false],
    [",metadata.name=web-1,", true],
  ];
  for (const [text, want] of cases) assert.equal(parseFieldSelector(text).matches(get), want, text);

  const s = parseFieldSelector("status.phase!=Succeeded,spec.nodeName==n1");
  assert.deepEqual(s.requirements, [
    { field: "spec.nodeName", operator: "=", value: "n1" },
    { field: "status.phase", operator: "!=", value: "Succeeded" },
  ]);
  assert.equal(s.toString(), "spec.nodeName=n1,status.phase!=Succeeded");
  assert.equal(s.requiresExactMatch("spec.nodeName"), "n1");
  assert.equal(s.requiresExactMatch("status.phase"), undefined);
  assert.equal(parseFieldSelector("").isEverything(), true);

  // Escaped separators inside values.
  const e = parseFieldSelector(String.raw`metadata.name=a\,b\=c\\d,spec.x=y`);
  assert.deepEqual(e.requirements[0], { field: "metadata.name", operator: "=", value: "a,b=c\\d" });
  assert.equal(e.toString(), String.raw`metadata.name=a\,b\=c\\d,spec.x=y`);
  assert.equal(escapeFieldValue("a,b=c\\"), String.raw`a\,b\=c\\`);
  assert.equal(unescapeFieldValue(escapeFieldValue("x=,\\y")), "x=,\\y");
  // The first operator wins: "a=b=c" has value "b=c", which must be escaped.
  throws400(() => parseFieldSelector("a=b=c"), "invalid field selector: unescaped character in value: 61");
  throws400(() => parseFieldSelector(String.raw`a=b\x`), String.raw`invalid field selector: invalid escape sequence: \x`);
  throws400(() => parseFieldSelector("a=b\\"), "invalid field selector: invalid escape sequence: \\");
  throws400(() => parseFieldSelector("a,b=c"), "invalid selector: 'a,b=c'; can't understand 'a'");
  assert.equal(fieldSelectorFromSet({ "spec.nodeName": "n1" }).toString(), "spec.nodeName=n1");
});

test("field selector: supported paths per kind", () => {
  checkFieldSelectorSupported(parseFieldSelector("metadata.name=a,metadata.namespace=b"));
  throws400(() => checkFieldSelectorSupported(parseFieldSelector("spec.x=1")), `"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  const podPaths = ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"];
  checkFieldSelectorSupported(parseFieldSelector("spec.nodeName=n1"), podPaths);
  throws400(() => checkFieldSelectorSupported(parseFieldSelector("foo=bar"), podPaths), "field label not supported: foo");
});
