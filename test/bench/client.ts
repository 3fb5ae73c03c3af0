/**
 * A keep-alive HTTPS client for the benchmark: one `https.Agent` whose `maxSockets` is the wanted
 * concurrency, the server's CA pinned, and (for kube-lite) its bearer token on every request.
 */
import https from "node:https";
import { performance } from "node:perf_hooks";

export interface Target {
  /** A name for tables: "kube-lite" or "bare node". */
  name: string;
  port: number;
  caPem: string;
  /** Bearer token; undefined for the bare server. */
  token?: string;
}

export interface TimedResponse {
  status: number;
  body: string;
  /** From just before the request was written to the last byte of the response. */
  ms: number;
}

/**
 * @example
 *   const client = new BenchClient(target, 16);
 *   const r = await client.request("GET", "/api/v1/namespaces/default/configmaps/a");
 *   client.close();
 */
export class BenchClient {
  private readonly agent: https.Agent;
  private readonly baseHeaders: Record<string, string>;

  constructor(
    private readonly target: Target,
    concurrency: number,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, ca: target.caPem });
    this.baseHeaders = { Accept: "application/json", ...(target.token ? { Authorization: `Bearer ${target.token}` } : {}) };
  }

  request(method: string, path: string, body?: string): Promise<TimedResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...this.baseHeaders };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        headers["Content-Length"] = String(Buffer.byteLength(body));
      }
      const started = performance.now();
      const req = https.request({ host: "127.0.0.1", port: this.target.port, method, path, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
