/**
 * The baseline: a bare Node HTTPS server with kube-lite's own serving certificate and key (same key
 * type, same chain), run as its own process like kube-lite. It does the least an API server could:
 *  - GET answers a fixed small ConfigMap JSON;
 *  - POST reads the body and answers the fixed JSON with 201;
 *  - GET with `watch=true` keeps the response open as a chunked stream;
 *  - PUT reads the body and writes it to every open watch as one `{"type":"MODIFIED","object":…}`
 *    line, then answers 200 — a fan-out with no storage, to compare watch delivery with.
 * Usage: node baseline-server.cjs CERT_FILE KEY_FILE → prints "listening PORT" on stdout.
 */
import https from "node:https";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { ServerResponse } from "node:http";

/** About the size of a small ConfigMap as kube-lite returns it. */
const FIXED_BODY = JSON.stringify({
  kind: "ConfigMap",
  apiVersion: "v1",
  metadata: { name: "baseline", namespace: "default", uid: "00000000-0000-0000-0000-000000000000", resourceVersion: "1", creationTimestamp: "2026-01-01T00:00:00Z" },
  data: { key: "value" },
});

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) {
  process.stderr.write("usage: baseline-server CERT_FILE KEY_FILE\n");
  process.exit(2);
}

const watchers = new Set<ServerResponse>();

const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.method === "GET" && req.url?.includes("watch=true")) {
      res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
      res.flushHeaders();
      watchers.add(res);
      res.on("close", () => watchers.delete(res));
      return;
    }
    if (req.method === "PUT") {
      const line = `{"type":"MODIFIED","object":${Buffer.concat(chunks).toString()}}\n`;
      for (const w of watchers) w.write(line);
    }
    res.writeHead(req.method === "POST" ? 201 : 200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(FIXED_BODY) });
    res.end(FIXED_BODY);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  for (const w of watchers) w.end();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
