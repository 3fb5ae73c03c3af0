import { test } from "node:test";
import assert from "node:assert/strict";
import { authorizeServerStream, backoffDelay, caHash, pinnedCaHash, MAX_BACKOFF_MS, INITIAL_BACKOFF_MS, TunnelJoinError } from "../../src/agent/tunnel/index.js";
import { mayIssueNodeCredentials, nodeOfCertificate, validNodeName } from "../../src/server/tunnel/authorize.js";

const HASH = "ab".repeat(32);
const JOIN = `K10${HASH}::server:s3cret`;

test("authorizeServerStream allows only this node's kubelet streaming endpoints", () => {
  const ok = (path: string): boolean => authorizeServerStream({ kind: "kubelet", node: "pi1", path }, "pi1").allowed;
  assert.equal(ok("/containerLogs/default/web/nginx?follow=true&tailLines=10"), true);
  assert.equal(ok("/exec/kube-system/coredns-abc/coredns?command=sh&stdin=1&tty=1"), true);
  assert.equal(ok("/attach/default/web/app"), true);
  assert.equal(ok("/portForward/default/web"), true);
  assert.equal(ok("/stats/summary"), true);

  assert.equal(ok("/run/default/web/app"), false, "not a streaming endpoint");
  assert.equal(ok("/pods"), false);
  assert.equal(ok("/containerLogs/../../etc/passwd"), false);
  assert.equal(ok("/containerLogs/default/./x"), false);
  assert.equal(ok("/exec/default/web/%2e%2e"), false, "no percent-encoding tricks");
  assert.equal(ok("/exec//web/app"), false, "no empty segments");
  assert.equal(ok("/exec/a/b/c/d"), false, "too deep");
  assert.equal(ok("containerLogs/a/b/c"), false, "must be absolute");
  assert.equal(ok(""), false);

  const decide = (meta: Record<string, unknown>) => authorizeServerStream({ kind: "kubelet", ...meta } as never, "pi1");
  const other = decide({ node: "pi2", path: "/stats/summary" });
  assert.equal(other.allowed, false);
  assert.match(!other.allowed ? other.reason : "", /addressed to node "pi2"/);
  assert.equal(decide({ node: "pi1" }).allowed, false, "path required");
  const dial = authorizeServerStream({ kind: "tcp", address: "10.0.0.5:22" }, "pi1");
  assert.equal(dial.allowed, false, "no dialing arbitrary addresses");
  assert.match(!dial.allowed ? dial.reason : "", /kind "tcp" is not allowed/);
  const allowed = authorizeServerStream({ kind: "kubelet", node: "pi1", path: "/exec/a/b/c" }, "pi1");
  assert.deepEqual(allowed, { allowed: true, request: { endpoint: "exec", path: "/exec/a/b/c" } });
});

test("backoff grows exponentially with jitter up to the cap", () => {
  assert.equal(backoffDelay(0, () => 0), INITIAL_BACKOFF_MS / 2);
  assert.equal(backoffDelay(0, () => 1), INITIAL_BACKOFF_MS);
  assert.equal(backoffDelay(3, () => 1), INITIAL_BACKOFF_MS * 8);
  assert.equal(backoffDelay(50, () => 1), MAX_BACKOFF_MS);
  assert.equal(backoffDelay(50, () => 0), MAX_BACKOFF_MS / 2);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(i % 12);
    assert.ok(d >= INITIAL_BACKOFF_MS / 2 && d <= MAX_BACKOFF_MS);
  }
});

test("join tokens must pin the CA", () => {
  assert.equal(pinnedCaHash(JOIN), HASH);
  assert.equal(pinnedCaHash(`  K10${HASH.toUpperCase()}::node:a:b\n`), HASH);
  assert.throws(() => pinnedCaHash("s3cret"), TunnelJoinError);
  assert.throws(() => pinnedCaHash("K10::server:s3cret"), /full token/);
  assert.throws(() => pinnedCaHash(`K10${HASH}::server:`), /full token/);
  assert.equal(caHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("node names, node certificates and who may get node credentials", () => {
  assert.equal(validNodeName("pi-1"), true);
  assert.equal(validNodeName("node.example.com"), true);
  assert.equal(validNodeName("Pi1"), false);
  assert.equal(validNodeName("../x"), false);
  assert.equal(validNodeName(""), false);
  assert.equal(validNodeName("a".repeat(254)), false);

  const current = (n: string, fp: string): boolean => n === "pi1" && fp === "AA:BB";
  const cert = { subject: { CN: "system:node:pi1", O: "system:nodes" }, fingerprint256: "AA:BB" };
  assert.equal(nodeOfCertificate(cert, current), "pi1");
  assert.equal(nodeOfCertificate({ ...cert, fingerprint256: "CC:DD" }, current), undefined, "a replaced certificate");
  assert.equal(nodeOfCertificate({ ...cert, subject: { CN: "system:node:pi1", O: "system:masters" } }, current), undefined, "wrong group");
  assert.equal(nodeOfCertificate({ ...cert, subject: { CN: "system:admin", O: "system:nodes" } }, () => true), undefined, "not a node user");
  assert.equal(nodeOfCertificate({ ...cert, subject: { CN: ["system:node:pi1", "system:node:pi2"], O: "system:nodes" } }, () => true), undefined, "one CN only");
  assert.equal(nodeOfCertificate(undefined, () => true), undefined);

  assert.equal(mayIssueNodeCredentials({ bearer: JOIN }, "pi1", JOIN), "join-token");
  assert.equal(mayIssueNodeCredentials({ bearer: "s3cret" }, "pi1", JOIN), "join-token", "a short token carries the same secret");
  assert.equal(mayIssueNodeCredentials({ bearer: `K10${HASH}::server:wrong` }, "pi1", JOIN), undefined);
  assert.equal(mayIssueNodeCredentials({ bearer: `K10${"cd".repeat(32)}::server:s3cret` }, "pi1", JOIN), undefined, "token for another CA");
  assert.equal(mayIssueNodeCredentials({ bearer: JOIN }, "Bad_Name", JOIN), undefined);
  assert.equal(mayIssueNodeCredentials({ certNode: "pi1" }, "pi1", JOIN), "renewal");
  assert.equal(mayIssueNodeCredentials({ certNode: "pi1" }, "pi2", JOIN), undefined, "a node renews only itself");
  assert.equal(mayIssueNodeCredentials({}, "pi1", JOIN), undefined);
});
