/**
 * Label and field selectors: the `?labelSelector=` / `?fieldSelector=` string syntax and
 * `metav1.LabelSelector` objects, with upstream's grammar, normal form (`toString`) and error messages
 * (apimachinery `pkg/labels/selector.go`, `pkg/fields/selector.go`, `pkg/apis/meta/v1/helpers.go`).
 * Parse errors are thrown as `ApiError` 400 BadRequest, which is what the apiserver answers.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.js";
import { badRequest } from "./status.js";
import { isQualifiedName, isValidLabelValue } from "./validation.js";

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

/** Upstream's `selection.Operator` values. `!` is DoesNotExist, `gt`/`lt` compare integers. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One ANDed term of a label selector; `values` are deduplicated and sorted when parsed from text. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export type Labels = Record<string, string> | undefined | null;

export interface LabelSelectorMatcher {
  /** The ANDed requirements, sorted by key. Empty for "everything" and for "nothing". */
  readonly requirements: readonly LabelRequirement[];
  /** True when every requirement holds for `labels` (a missing map counts as no labels). */
  matches(labels: Labels): boolean;
  /** True when the selector does not restrict anything (matches every object). */
  isEverything(): boolean;
  /** True only for the selector that matches no object (a null `metav1.LabelSelector`). */
  isNothing(): boolean;
  /** Upstream's normal form: `a=b,c in (x,y),!d`; "" for everything and nothing. */
  toString(): string;
  /** The single value `key` must equal (`=`, `==`, or `in` with one value), for index lookups. */
  requiresExactMatch(key: string): string | undefined;
}

/** Operators accepted by `newLabelRequirement`, in upstream's order (used in its messages). */
const BINARY_OPERATORS: readonly LabelOperator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const VALID_OPERATORS: readonly LabelOperator[] = [...BINARY_OPERATORS, "exists", "!"];

/** Go's `%q` for the strings we print (JSON's quoting matches it for printable text). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%#v` of a `[]string`, as field errors print invalid value lists. */
function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map(goQuote).join(", ")}}`;
}

/** `strconv.ParseInt(s, 10, 64)` succeeds. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

/** Joins field errors like upstream's `utilerrors.Aggregate` (one → itself, several → `[a, b]`). */
function aggregate(errors: string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}

/** Field error text `path: Invalid value: "v": detail` (`<nil>` when there is no path, as upstream). */
function invalidValue(path: string, value: string, detail: string): string {
  return `${path || "<nil>"}: Invalid value: ${value}: ${detail}`;
}

function keyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalidValue(path, goQuote(key), errs.join("; ")) : undefined;
}

/**
 * Builds one requirement with upstream's `NewRequirement` checks; throws 400 BadRequest listing every
 * problem. `path` prefixes field paths in messages (empty for a top-level selector).
 * @example newLabelRequirement("tier", "in", ["web", "db"])
 */
export function newLabelRequirement(key: string, operator: LabelOperator, values: readonly string[], path = ""): LabelRequirement {
  const errs: string[] = [];
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const ke = keyError(key, child("key"));
  if (ke) errs.push(ke);
  const valuesPath = child("values");
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errs.push(invalidValue(valuesPath, goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errs.push(invalidValue(valuesPath, goStringSlice(values), "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errs.push(invalidValue(valuesPath, goStringSlice(values), "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errs.push(invalidValue(valuesPath, goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidValue(`${valuesPath}[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(
        `${child("operator")}: Unsupported value: ${goQuote(String(operator))}: supported values: ${VALID_OPERATORS.map(goQuote).join(", ")}`,
      );
  }
  values.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(invalidValue(`${valuesPath}[${i}][${key}]`, goQuote(v), ve.join("; ")));
  });
  if (errs.length) throw badRequest(aggregate(errs));
  return { key, operator, values: [...values] };
}

/**
 * Whether one requirement holds for a label set (upstream's `Requirement.Matches`).
 * @example requirementMatches({ key: "tier", operator: "in", values: ["fe"] }, pod.metadata.labels)
 */
export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return value !== undefined && r.values.includes(value);
    case "notin":
    case "!=":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (value === undefined || r.values.length !== 1) return false;
      const have = parseInt64(value);
      const want = parseInt64(r.values[0]!);
      if (have === undefined || want === undefined) return false;
      return r.operator === "gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** Upstream's `Requirement.String`. */
function requirementString(r: LabelRequirement): string {
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(",");
  switch (r.operator) {
    case "exists":
      return r.key;
    case "!":
      return `!${r.key}`;
    case "in":
      return `${r.key} in (${values})`;
    case "notin":
      return `${r.key} notin (${values})`;
    case "gt":
      return `${r.key}>${values}`;
    case "lt":
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

class RequirementsSelector implements LabelSelectorMatcher {
  readonly requirements: readonly LabelRequirement[];

  constructor(reqs: LabelRequirement[]) {
    // Sorted by key (stable) so the string form is deterministic, as upstream's ByKey sort.
    this.requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  matches(labels: Labels): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  isNothing(): boolean {
    return false;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }

  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r) return undefined;
    if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1) return r.values[0];
    return undefined;
  }
}

const NOTHING: LabelSelectorMatcher = Object.freeze({
  requirements: Object.freeze([]) as readonly LabelRequirement[],
  matches: () => false,
  isEverything: () => false,
  isNothing: () => true,
  toString: () => "",
  requiresExactMatch: () => undefined,
});

/**
 * A selector that matches every object.
 * @example everythingLabelSelector().matches({}) // true
 */
export function everythingLabelSelector(): LabelSelectorMatcher {
  return new RequirementsSelector([]);
}

/**
 * A selector that matches no object (what a null `metav1.LabelSelector` means).
 * @example nothingLabelSelector().matches({ app: "web" }) // false
 */
export function nothingLabelSelector(): LabelSelectorMatcher {
  return NOTHING;
}

/**
 * A selector requiring every `key=value` of `set`; an empty or missing set matches everything.
 * @example labelSelectorFromSet(service.spec.selector).matches(pod.metadata.labels)
 */
export function labelSelectorFromSet(set: Record<string, string> | undefined): LabelSelectorMatcher {
  return new RequirementsSelector(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: "=" as const, values: [value] })));
}

// --- string syntax: lexer ---------------------------------------------------------------------

type Token = "error" | "eos" | ")" | "," | "!" | "==" | "=" | ">" | "id" | "in" | "<" | "!=" | "notin" | "(";

const LITERAL_TOKENS: ReadonlyMap<string, Token> = new Map<string, Token>([
  [")", ")"],
  [",", ","],
  ["!", "!"],
  ["==", "=="],
  ["=", "="],
  [">", ">"],
  ["in", "in"],
  ["<", "<"],
  ["!=", "!="],
  ["notin", "notin"],
  ["(", "("],
]);

interface Scanned {
  tok: Token;
  lit: string;
}

function isWhitespace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
}

function isSpecialSymbol(ch: string): boolean {
  return "=!(),><".includes(ch) && ch.length === 1;
}

/** Splits selector text into tokens the way upstream's lexer does (bytes of ASCII; others are identifier bytes). */
function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      out.push({ tok: "eos", lit: "" });
      return out;
    }
    if (isSpecialSymbol(s[pos]!)) {
      // Longest run of special symbols that still forms a known operator.
      let buffer = "";
      let last: Scanned | undefined;
      while (pos < s.length && isSpecialSymbol(s[pos]!)) {
        buffer += s[pos];
        const t = LITERAL_TOKENS.get(buffer);
        if (t) {
          last = { tok: t, lit: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      out.push(last ?? { tok: "error", lit: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let buffer = "";
    while (pos < s.length && !isSpecialSymbol(s[pos]!) && !isWhitespace(s[pos]!)) buffer += s[pos++];
    out.push({ tok: LITERAL_TOKENS.get(buffer) ?? "id", lit: buffer });
  }
}

// --- string syntax: parser --------------------------------------------------------------------

/** In a value position `in`/`notin` are plain identifiers (`x in (in)`). */
type Context = "keyAndOperator" | "values";

class LabelParser {
  private position = 0;

  constructor(private readonly items: Scanned[]) {}

  private lookahead(ctx: Context): Scanned {
    return this.asContext(this.items[this.position]!, ctx);
  }

  private consume(ctx: Context): Scanned {
    return this.asContext(this.items[this.position++]!, ctx);
  }

  private asContext(item: Scanned, ctx: Context): Scanned {
    if (ctx === "values" && (item.tok === "in" || item.tok === "notin")) return { tok: "id", lit: item.lit };
    return item;
  }

  /** Parses the whole text; errors are plain strings (the caller wraps them). */
  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead("values");
      switch (tok) {
        case "id":
        case "!": {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            throw new SelectorSyntaxError(`unable to parse requirement: ${errorText(e)}`);
          }
          reqs.push(r);
          const next = this.consume("values");
          if (next.tok === "eos") return reqs;
          if (next.tok === ",") {
            const after = this.lookahead("values");
            if (after.tok !== "id" && after.tok !== "!") throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
            break;
          }
          throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
        case "eos":
          return reqs;
        default:
          throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === "exists" || operator === "!") return requirementOrSyntaxError(key, operator, []);
    const op = this.parseOperator();
    const values = op === "in" || op === "notin" ? this.parseValues() : this.parseExactValue();
    return requirementOrSyntaxError(key, op, [...values].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelOperator | undefined } {
    let operator: LabelOperator | undefined;
    let item = this.consume("values");
    if (item.tok === "!") {
      operator = "!";
      item = this.consume("values");
    }
    if (item.tok !== "id") throw new SelectorSyntaxError(`found '${item.lit}', expected: identifier`);
    const ke = keyError(item.lit, "");
    if (ke) throw new SelectorSyntaxError(ke);
    const next = this.lookahead("values").tok;
    if ((next === "eos" || next === ",") && operator !== "!") operator = "exists";
    return { key: item.lit, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume("keyAndOperator");
    switch (tok) {
      case "in":
        return "in";
      case "=":
        return "=";
      case "==":
        return "==";
      case ">":
        return "gt";
      case "<":
        return "lt";
      case "notin":
        return "notin";
      case "!=":
        return "!=";
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ${BINARY_OPERATORS.join(", ")}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume("values");
    if (open.tok !== "(") throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead("values");
    switch (tok) {
      case "id":
      case ",": {
        const s = this.parseIdentifiersList();
        if (this.consume("values").tok !== ")") throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
        return s;
      }
      case ")":
        this.consume("values");
        return new Set([""]);
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume("values");
      if (tok === "id") {
        s.add(lit);
        const next = this.lookahead("values");
        if (next.tok === ",") continue;
        if (next.tok === ")") return s;
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ",") {
        // Empty entries ("(,a)", "(a,,b)", "(a,)") stand for the empty value.
        if (s.size === 0) s.add("");
        const next = this.lookahead("values").tok;
        if (next === ")") {
          s.add("");
          return s;
        }
        if (next === ",") s.add("");
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead("values").tok;
    if (next === "eos" || next === ",") return new Set([""]);
    const { tok, lit } = this.consume("values");
    if (tok === "id") return new Set([lit]);
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

/** Internal parse failure; converted to a 400 at the public surface. */
class SelectorSyntaxError extends Error {}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function requirementOrSyntaxError(key: string, op: LabelOperator, values: string[]): LabelRequirement {
  try {
    return newLabelRequirement(key, op, values);
  } catch (e) {
    throw new SelectorSyntaxError(errorText(e));
  }
}

/**
 * Parses the label selector string syntax (`?labelSelector=`): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma = AND. Empty text matches everything.
 * Throws ApiError 400 BadRequest with upstream's message on bad input.
 * @example
 * parseLabelSelector("app=web,tier in (fe,be)").matches({ app: "web", tier: "fe" }) // true
 */
export function parseLabelSelector(text: string): LabelSelectorMatcher {
  try {
    return new RequirementsSelector(new LabelParser(lex(text)).parse());
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/** `metav1.LabelSelectorOperator` → our operator, as upstream's `LabelSelectorAsSelector`. */
const OBJECT_OPERATORS: Readonly<Record<string, LabelOperator>> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * Converts a `metav1.LabelSelector` (matchLabels + matchExpressions) as upstream's
 * `LabelSelectorAsSelector`: **null/undefined matches nothing**, an empty selector (`{}`) matches
 * everything. Throws ApiError 400 on an invalid operator, key or value.
 * @example
 * labelSelectorFromObject(deploy.spec.selector).matches(pod.metadata.labels)
 */
export function labelSelectorFromObject(sel: LabelSelector | null | undefined): LabelSelectorMatcher {
  if (sel == null) return NOTHING;
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everythingLabelSelector();
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(newLabelRequirement(k, "=", [v]));
  for (const expr of exprs) {
    const op = OBJECT_OPERATORS[expr.operator];
    if (!op) throw badRequest(`${goQuote(expr.operator)} is not a valid label selector operator`);
    reqs.push(newLabelRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return new RequirementsSelector(reqs);
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

/** One ANDed field term. `==` is normalised to `=`, as upstream's `Requirements()`. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

export interface FieldSelector {
  /** The ANDed terms, in upstream's order (sorted by the raw term text). */
  readonly requirements: readonly FieldRequirement[];
  /** `getField(path)` returns the object's value at a selectable path; `undefined` counts as "". */
  matches(getField: (path: string) => string | undefined): boolean;
  /** True when no term restricts anything. */
  isEverything(): boolean;
  /** Normal form with values escaped: `metadata.name=a\,b,spec.nodeName!=`. */
  toString(): string;
  /** The value `field` must equal, for index lookups (e.g. `spec.nodeName` for a kubelet's watch). */
  requiresExactMatch(field: string): string | undefined;
}

/** Field selector operators, `!=` and `==` first so `=` is never mistaken as their first half. */
const FIELD_TERM_OPERATORS = ["!=", "==", "="] as const;

/**
 * Escapes `\`, `,` and `=` in a field selector value (upstream's `EscapeValue`).
 * @example `metadata.name=${escapeFieldValue(name)}`
 */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Reverses `escapeFieldValue`; throws 400 on a bad escape or an unescaped `,`/`=` (upstream's `UnescapeValue`).
 * @example unescapeFieldValue("a\\,b") // "a,b"
 */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Splits on commas that are not escaped. */
function splitFieldTerms(text: string): string[] {
  if (text.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** Splits `lhs<op>rhs` at the first operator found scanning left to right. */
function splitFieldTerm(term: string): { lhs: string; op: (typeof FIELD_TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of FIELD_TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class TermsFieldSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  matches(getField: (path: string) => string | undefined): boolean {
    return this.requirements.every((r) => ((getField(r.field) ?? "") === r.value) === (r.operator === "="));
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }

  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === "=")?.value;
  }
}

/**
 * Parses the field selector syntax (`?fieldSelector=`): `path=value`, `path==value`, `path!=value`,
 * comma = AND, `\` escapes `\`, `,` and `=` in values. Empty text matches everything. Throws ApiError 400
 * with upstream's message. Whether each path is supported by the kind is checked separately by
 * `checkFieldSelectorSupported`.
 * @example
 * parseFieldSelector("spec.nodeName=node1,status.phase!=Succeeded").matches((p) => podField(pod, p))
 */
export function parseFieldSelector(text: string): FieldSelector {
  const parts = splitFieldTerms(text).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const t = splitFieldTerm(part);
    if (!t) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op === "!=" ? "!=" : "=", value: unescapeFieldValue(t.rhs) });
  }
  return new TermsFieldSelector(reqs);
}

/**
 * A field selector requiring every `path=value` of `set`.
 * @example fieldSelectorFromSet({ "spec.nodeName": nodeName }).toString() // "spec.nodeName=pi1"
 */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return new TermsFieldSelector(Object.entries(set).map(([field, value]) => ({ field, operator: "=" as const, value })));
}

/** Field paths every kind supports, as upstream's `DefaultMetaV1FieldSelectorConversion`. */
export const DEFAULT_FIELD_SELECTOR_PATHS: readonly string[] = ["metadata.name", "metadata.namespace"];

/**
 * Throws 400 BadRequest if the selector uses a path the kind does not support. The message follows
 * upstream: kinds with only the default paths answer `"x" is not a known field selector: only
 * "metadata.name", "metadata.namespace"`; kinds with their own paths (pods, nodes, events, …) answer
 * `field label not supported: x`.
 * @example checkFieldSelectorSupported(sel, ["metadata.name", "metadata.namespace", "spec.nodeName"])
 */
export function checkFieldSelectorSupported(selector: FieldSelector, supported: readonly string[] = DEFAULT_FIELD_SELECTOR_PATHS): void {
  const allowed = new Set(supported);
  const isDefault = supported.length === DEFAULT_FIELD_SELECTOR_PATHS.length && DEFAULT_FIELD_SELECTOR_PATHS.every((p) => allowed.has(p));
  for (const r of selector.requirements) {
    if (allowed.has(r.field)) continue;
    if (isDefault) throw badRequest(`${goQuote(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    throw badRequest(`field label not supported: ${r.field}`);
  }
}
