/**
 * `kube-lite` command line: parses arguments and dispatches to a role. Unknown subcommands and flags
 * get a clear message and exit code 2; `--help` and `--version` work everywhere.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { setFlagsFromString } from "node:v8";
import { KUBE_GIT_VERSION, KUBE_LITE_VERSION } from "./shared/version.js";
import { UsageError } from "./shared/usage-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

interface Command {
  summary: string;
  usage: string;
  options: Options;
  /** Takes positional arguments (e.g. `image import FILE…`). */
  positionals?: boolean;
  help: Record<string, string>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number | void>;
}

const COMMANDS: Record<string, Command> = {
  server: {
    summary: "Run the control plane (API server, scheduler, controllers) and, unless disabled, an embedded agent",
    usage: "kube-lite server [flags]",
    options: {
      "data-dir": { type: "string" },
      "https-listen-port": { type: "string" },
      "bind-address": { type: "string" },
      token: { type: "string" },
      "write-kubeconfig": { type: "string" },
      "tls-san": { type: "string", multiple: true },
      "disable-agent": { type: "boolean" },
      "node-name": { type: "string" },
      "cluster-cidr": { type: "string" },
    },
    help: {
      "data-dir": "Folder for the database, certificates and kubeconfig (default /var/lib/kube-lite, ~/.kube-lite when not root)",
      "https-listen-port": "HTTPS port of the API server (default 6443)",
      "bind-address": "Address to listen on (default 0.0.0.0, all interfaces)",
      token: "Join token for agents (default: generated once, kept in DATA/server/token)",
      "write-kubeconfig": "Where to write the admin kubeconfig (default DATA/kubeconfig.yaml)",
      "tls-san": "Extra host name or IP for the serving certificate (repeatable)",
      "disable-agent": "Do not run the embedded agent on this machine",
      "node-name": "Node name of the embedded agent (default: the host name)",
      "cluster-cidr": "Pod addresses; each node gets a /24 of it (default 10.42.0.0/16)",
    },
    async run(values) {
      tuneV8ForSmallMachines();
      const { parseServerConfig } = await import("./server/config.js");
      const { runServer } = await import("./server/server.js");
      return runServer(parseServerConfig(values));
    },
  },
  agent: {
    summary: "Join a cluster as a worker node: kubelet on Docker, reached by the server through a tunnel",
    usage: "kube-lite agent --join https://SERVER:6443 --token TOKEN [flags]",
    options: {
      join: { type: "string" },
      server: { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
      "node-name": { type: "string" },
      "data-dir": { type: "string" },
      "node-ip": { type: "string" },
      "node-label": { type: "string", multiple: true },
      "node-taint": { type: "string", multiple: true },
      runtime: { type: "string" },
      "sim-nodes": { type: "string" },
    },
    help: {
      join: "The server to join, https://SERVER:6443",
      server: "Same as --join",
      token: "Join token from the server's DATA/server/token (not needed after the first join)",
      "token-file": "Read the join token from this file",
      "node-name": "Node name (default: the host name)",
      "data-dir": "Folder for credentials and pod data (default /var/lib/kube-lite, ~/.kube-lite when not root)",
      "node-ip": "IP address to advertise for this node (default: the default route's address)",
      "node-label": "Label to register the node with, key=value (repeatable)",
      "node-taint": "Taint to register the node with, key=value:Effect (repeatable)",
      runtime: "Container runtime: docker (default) or sim, an in-memory runtime for scale tests that runs no containers",
      "sim-nodes": "With --runtime sim: simulated nodes in this process, named NODE_NAME-0 … NODE_NAME-(N-1) (default 1)",
    },
    async run(values) {
      tuneV8ForSmallMachines();
      // A simulated-node process is a scale tool whose work is CPU (many kubelets in one process): keep the JIT there.
      if (values.runtime !== "sim") tuneV8ForAgent();
      const { parseAgentConfig } = await import("./agent/config.js");
      const { runAgentUntilSignal } = await import("./agent/main.js");
      return runAgentUntilSignal(parseAgentConfig(values));
    },
  },
  image: {
    summary: "Manage the node's container images: `image import FILE…` loads air-gap tarballs into Docker",
    usage: "kube-lite image import FILE…",
    options: {},
    help: {},
    positionals: true,
    async run(_values, positionals) {
      const [sub, ...files] = positionals;
      if (sub !== "import") throw new UsageError(`unknown image command "${sub ?? ""}"; usage: kube-lite image import FILE…`);
      const { runImageImport } = await import("./agent/kubelet/images/import-command.js");
      return runImageImport(files, { write: (line) => process.stdout.write(line + "\n") });
    },
  },
};

/**
 * V8 settings for small machines, applied before the server's modules load (set at run time, so the
 * single executable needs no command-line flags; KUBE_LITE_V8_DEFAULTS=1 keeps V8's defaults):
 * - `--liftoff-only`: compile SQLite's WebAssembly with the baseline compiler only. The optimizing
 *   tier cost about 30 MB of resident memory for the compiled SQLite and bought no measurable speed
 *   here (20k inserts + 20k point reads: 0.2 s + 0.15 s either way).
 *
 * Not here: the young generation's size. V8 fixes it when it sets up the heap, before any of our code
 * runs; `--max-semi-space-size=1` set at run time changed nothing (a bare node under allocation still
 * grew its new space to 32 MiB; with the flag at start-up, 2 MiB). The agent's systemd unit sets it
 * through NODE_OPTIONS (packaging/kube-lite-agent.service); the server runs with V8's default.
 */
function tuneV8ForSmallMachines(): void {
  if (process.env.KUBE_LITE_V8_DEFAULTS) return;
  setFlagsFromString("--liftoff-only");
}

/**
 * V8 settings for the `kube-lite agent` process (not the server, whose API and embedded agent share one
 * process and want the JIT). The agent mostly waits on Docker and the API server; its JavaScript is
 * glue, so it runs interpreted:
 * - `--no-opt`: no optimizing compiler. Its code, deoptimisation data and the zone memory of its
 *   concurrent jobs were about 10 MB of the agent's resident memory with 20 pods (68 → 58 MB).
 * - `--no-sparkplug --optimize-for-size`: no baseline code either, and V8 sizes its heap and lays out
 *   objects for memory rather than speed: 58 → 53 MB with 20 pods.
 * Pod start latency did not change measurably (15 pods, p50 475 ms with the JIT, 416 ms without: the
 * time is Docker's). Not `--lite-mode`: it implies `--jitless`, which V8 supports only from start-up
 * (a single executable has no command line for it), and it measured no smaller (52.6 MB).
 */
function tuneV8ForAgent(): void {
  if (process.env.KUBE_LITE_V8_DEFAULTS) return;
  setFlagsFromString("--no-opt");
  setFlagsFromString("--no-sparkplug");
  setFlagsFromString("--optimize-for-size");
}

/**
 * A UsageError from any bundle: the roles run from their own bundles (build/role-bundles.mjs), each with
 * its own copy of the class, so `instanceof` sees only the entry's; the name is what they share.
 *
 * @example isUsageError(new UsageError("--join is required")) // true
 */
function isUsageError(err: unknown): err is Error {
  return err instanceof UsageError || (err instanceof Error && err.name === "UsageError");
}

function commandHelp(name: string, cmd: Command): string {
  const lines = [`${cmd.summary}.`, "", `Usage: ${cmd.usage}`, "", "Flags:"];
  for (const [flag, spec] of Object.entries(cmd.options)) {
    const arg = spec.type === "string" ? ` ${flag.toUpperCase().replace(/-/g, "_")}` : "";
    lines.push(`  --${flag}${arg}`.padEnd(40) + (cmd.help[flag] ?? ""));
  }
  lines.push("  --help".padEnd(40) + `Show help for ${name}`);
  return lines.join("\n");
}

function mainHelp(): string {
  const lines = ["kube-lite: a small Kubernetes distribution in one executable.", "", "Usage: kube-lite <command> [flags]", "", "Commands:"];
  for (const [name, cmd] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)}${cmd.summary}`);
  lines.push("", "Flags:", "  --help        Show this help", "  --version     Print the version", "", "Run 'kube-lite <command> --help' for a command's flags.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(mainHelp() + "\n");
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    process.stdout.write(`kube-lite version v${KUBE_LITE_VERSION} (Kubernetes ${KUBE_GIT_VERSION})\n`);
    return 0;
  }
  const cmd = COMMANDS[first];
  if (!cmd) {
    process.stderr.write(`kube-lite: unknown command "${first}"\nRun 'kube-lite --help' for usage.\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...cmd.options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: cmd.positionals ?? false });
  } catch (err) {
    process.stderr.write(`kube-lite ${first}: ${(err as Error).message}\nRun 'kube-lite ${first} --help' for usage.\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(first, cmd) + "\n");
    return 0;
  }
  try {
    const code = await cmd.run(parsed.values, parsed.positionals);
    return code ?? 0;
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`kube-lite ${first}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

// Exit explicitly: open handles (storage guard, timers) must not keep a finished or failed command alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kube-lite: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
