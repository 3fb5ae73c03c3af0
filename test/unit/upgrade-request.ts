/**
 * Test fixture: an HTTP upgrade request. Resolves with the 101 and its socket (any bytes that came
 * with the 101 put back on the socket), or with the refusal and its body.
 */
import http from "node:http";
import type { Duplex } from "node:stream";

export interface UpgradeResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Set on a 101. */
  socket?: Duplex;
  /** The refusal's body; "" on a 101. */
  body: string;
}

/** @example const up = await requestUpgrade(`http://127.0.0.1:${port}/exec`, { method: "POST", headers: { Connection: "Upgrade", Upgrade: "SPDY/3.1" } }); */
export function requestUpgrade(url: string, opts: { method: string; headers: Record<string, string> }): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers: opts.headers });
    req.on("upgrade", (res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket, body: "" });
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
