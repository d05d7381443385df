// Starts `acs-chat serve` on a free loopback port with a fresh data directory, waits for
// it to announce its connection string and certificate, then runs `node --test` with
// NODE_EXTRA_CA_CERTS set (node reads it only at start-up, hence a separate process) and
// stops the emulator afterwards. Exits with the test runner's status.
//
// Usage: node run.mjs [path/to/acs-chat]   (default: $ACS_CHAT_BIN, else target/debug/acs-chat
// relative to the repository root)

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
const STARTUP_TIMEOUT_MS = 60_000;

function binaryPath() {
  const configured = process.argv[2] || process.env.ACS_CHAT_BIN;
  const path = configured ? resolve(configured) : join(repoRoot, "target", "debug", "acs-chat");
  if (!existsSync(path)) {
    throw new Error(`acs-chat binary not found at ${path}; build it with \`cargo build\` or pass its path`);
  }
  return path;
}

/** Resolves with the two announced values, or rejects if the emulator exits or stalls. */
function readAnnouncement(emulator) {
  return new Promise((resolvePromise, reject) => {
    const found = {};
    const timer = setTimeout(
      () => reject(new Error(`emulator did not announce itself within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    const lines = createInterface({ input: emulator.stdout });
    lines.on("line", (line) => {
      const at = line.indexOf("=");
      if (at < 0) return;
      const key = line.slice(0, at);
      if (key === "ACS_CONNECTION_STRING" || key === "ACS_CA_CERT") {
        found[key] = line.slice(at + 1).trim();
      }
      if (found.ACS_CONNECTION_STRING && found.ACS_CA_CERT) {
        clearTimeout(timer);
        resolvePromise(found);
      }
    });
    emulator.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited before announcing itself (code ${code}, signal ${signal})`));
    });
  });
}

async function stop(emulator) {
  if (emulator.exitCode !== null || emulator.signalCode !== null) return;
  const exited = once(emulator, "exit");
  emulator.kill("SIGTERM");
  const timeout = new Promise((r) => setTimeout(r, 15_000, "timeout"));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    emulator.kill("SIGKILL");
    await exited;
  }
}

async function main() {
  const binary = binaryPath();
  const workDir = mkdtempSync(join(tmpdir(), "acs-chat-sdk-js-"));
  const logPath = join(workDir, "emulator.log");
  const dataDir = join(workDir, "data");
  mkdirSync(dataDir);
  const log = createWriteStream(logPath);
  const emulator = spawn(binary, ["serve", "--port", "0", "--data-dir", dataDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  emulator.stderr.pipe(log);
  let status = 1;
  try {
    const announced = await readAnnouncement(emulator);
    // Keep draining stdout so the emulator never blocks on a full pipe.
    emulator.stdout.resume();
    const tests = spawn(process.execPath, ["--test", "--test-reporter=spec", join(here, "test")], {
      stdio: "inherit",
      cwd: here,
      env: {
        ...process.env,
        ACS_CONNECTION_STRING: announced.ACS_CONNECTION_STRING,
        ACS_CA_CERT: announced.ACS_CA_CERT,
        NODE_EXTRA_CA_CERTS: announced.ACS_CA_CERT,
      },
    });
    const [code, signal] = await once(tests, "exit");
    status = code ?? (signal ? 1 : 0);
  } catch (error) {
    console.error(`sdk-tests/js: ${error.message}`);
    status = 1;
  } finally {
    await stop(emulator);
    log.end();
    await once(log, "close").catch(() => {});
    if (status !== 0) {
      const tail = readFileSync(logPath, "utf8").slice(-4000);
      if (tail) console.error(`---- emulator stderr ----\n${tail}`);
    }
    rmSync(workDir, { recursive: true, force: true });
  }
  process.exit(status);
}

main();
