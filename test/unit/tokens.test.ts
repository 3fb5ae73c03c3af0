import { test } from "node:test";
import assert from "node:assert/strict";
import { promises as fs, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  parseJoinToken,
  formatJoinToken,
  constantTimeEqual,
  joinTokenMatches,
  loadOrCreateServerTokens,
  TOKEN_FILES,
} from "../../src/server/auth/tokens.js";

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

async function dataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kube-lite-tokens-"));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

test("parseJoinToken accepts the full and the short form like k3s", () => {
  assert.deepEqual(parseJoinToken(`K10${HASH_A}::server:s3cret`), { caHash: HASH_A, username: "server", password: "s3cret" });
  assert.deepEqual(parseJoinToken(`K10${HASH_A}::node:a:b`), { caHash: HASH_A, username: "node", password: "a:b" });
  assert.deepEqual(parseJoinToken("K10::server:s3cret"), { username: "server", password: "s3cret" });
  assert.deepEqual(parseJoinToken("justasecret"), { username: "", password: "justasecret" });
  assert.deepEqual(parseJoinToken("user:pass"), { username: "", password: "user:pass" }, "a short token is all password, as k3s parses it");
  assert.deepEqual(parseJoinToken(`  K10${HASH_A}::server:x\n`), { caHash: HASH_A, username: "server", password: "x" });
  assert.throws(() => parseJoinToken(""), /token must not be empty/);
  assert.throws(() => parseJoinToken("K10abc::server:x"), /invalid token CA hash length/);
  assert.throws(() => parseJoinToken(`K10${HASH_A}::nopassword`), /invalid token format/);
  assert.throws(() => parseJoinToken(`K10${HASH_A}::server:`), /invalid token format/);
  assert.equal(formatJoinToken(HASH_A, "server", "x"), `K10${HASH_A}::server:x`);
});

test("constantTimeEqual and joinTokenMatches", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "abcd"), false);
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(constantTimeEqual("", "x"), false);
  const server = formatJoinToken(HASH_A, "server", "s3cret");
  assert.equal(joinTokenMatches(server, server), true);
  assert.equal(joinTokenMatches("s3cret", server), true, "short form carries only the secret");
  assert.equal(joinTokenMatches(formatJoinToken(HASH_A, "node", "s3cret"), server), true);
  assert.equal(joinTokenMatches(formatJoinToken(HASH_B, "server", "s3cret"), server), false, "pinned to another CA");
  assert.equal(joinTokenMatches("wrong", server), false);
  assert.equal(joinTokenMatches("", server), false);
});

test("loadOrCreateServerTokens generates, persists with 0600 and reuses", async (t) => {
  const dir = await dataDir(t);
  const first = await loadOrCreateServerTokens({ dir, caHash: HASH_A });
  assert.match(first.joinToken, new RegExp(`^K10${HASH_A}::server:[0-9a-f]{32}$`));
  assert.match(first.adminToken, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(first.files.joinToken, path.join(dir, TOKEN_FILES.joinToken));
  assert.equal(first.files.adminToken, path.join(dir, "server", "cred", "admin.token"));
  assert.equal((await fs.readFile(first.files.joinToken, "utf8")).trim(), first.joinToken);
  assert.equal((await fs.readFile(first.files.adminToken, "utf8")).trim(), first.adminToken);
  assert.equal(statSync(first.files.joinToken).mode & 0o777, 0o600);
  assert.equal(statSync(first.files.adminToken).mode & 0o777, 0o600);
  assert.equal(statSync(path.join(dir, "server")).mode & 0o777, 0o700);
  assert.equal(statSync(path.join(dir, "server", "cred")).mode & 0o777, 0o700);

  const again = await loadOrCreateServerTokens({ dir, caHash: HASH_A });
  assert.deepEqual(again, first);

  // A new CA re-stamps the hash but keeps the secret.
  const rehashed = await loadOrCreateServerTokens({ dir, caHash: HASH_B });
  assert.equal(parseJoinToken(rehashed.joinToken).password, parseJoinToken(first.joinToken).password);
  assert.equal(parseJoinToken(rehashed.joinToken).caHash, HASH_B);
  assert.equal(rehashed.adminToken, first.adminToken);

  const other = await loadOrCreateServerTokens({ dir: await dataDir(t), caHash: HASH_A });
  assert.notEqual(other.joinToken, first.joinToken);
  assert.notEqual(other.adminToken, first.adminToken);
});

test("--token becomes the secret; a full token must pin this CA", async (t) => {
  const dir = await dataDir(t);
  const bare = await loadOrCreateServerTokens({ dir, caHash: HASH_A, token: "my-cluster-secret" });
  assert.equal(bare.joinToken, `K10${HASH_A}::server:my-cluster-secret`);
  assert.equal((await fs.readFile(bare.files.joinToken, "utf8")).trim(), bare.joinToken);

  const full = await loadOrCreateServerTokens({ dir, caHash: HASH_A, token: `K10${HASH_A}::server:other-secret` });
  assert.equal(full.joinToken, `K10${HASH_A}::server:other-secret`);
  // Without --token the stored secret is kept.
  assert.equal((await loadOrCreateServerTokens({ dir, caHash: HASH_A })).joinToken, full.joinToken);

  await assert.rejects(
    loadOrCreateServerTokens({ dir, caHash: HASH_A, token: `K10${HASH_B}::server:x` }),
    new RegExp(`token CA hash does not match the Cluster CA certificate hash: ${HASH_B} != ${HASH_A}`),
  );
});
