/**
 * Browser end-to-end tests against the real product: `klinikfunk serve` (API, embedded worker,
 * built SPA) on a fresh SQLite data dir with demo data, driven in Debian's Chromium.
 *
 * Nothing here downloads a browser: Chromium comes from Debian (`/usr/bin/chromium`, or $CHROMIUM).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";
import { DEMO_PASSWORD, PORT } from "./support/env";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = resolve(here, "../..");

// E2E_BASE_URL runs the same specs against a stack that is already up (e.g. the compose stack
// at http://localhost:8080, seeded with `klinikfunk seed-demo` and KLINIKFUNK_DEMO_PASSWORD set to
// the password in support/env.ts). Without it the real app is started here.
const external = process.env.E2E_BASE_URL;
const BASE_URL = external ?? `http://127.0.0.1:${PORT}`;

// One fresh data dir per run. The config is also loaded by the worker processes: they inherit
// the variable from the runner's environment and so reuse the same directory.
const dataDir = external ? "" : (process.env.KLINIKFUNK_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "klinikfunk-e2e-")));

const spaDir = join(repoRoot, "frontend/dist");
if (!external && !existsSync(join(spaDir, "index.html"))) {
  throw new Error(`The web app is not built (${spaDir}): run \`make install\` or \`npm run build\` in frontend/.`);
}

export default defineConfig({
  testDir: "./specs",
  outputDir: "./artifacts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  globalTeardown: "./support/global-teardown.ts",
  use: {
    ...devices["Desktop Chrome"],
    baseURL: BASE_URL,
    headless: true,
    locale: "de-DE",
    timezoneId: "Europe/Berlin",
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: external ? undefined : {
    command: `${join(repoRoot, "backend/.venv/bin/klinikfunk")} serve`,
    cwd: here,
    url: `${BASE_URL}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      KLINIKFUNK_ENV: "development",
      KLINIKFUNK_HOST: "127.0.0.1",
      KLINIKFUNK_PORT: String(PORT),
      KLINIKFUNK_DATA_DIR: dataDir,
      // SQLite in the data dir, whatever the calling shell has configured.
      KLINIKFUNK_DATABASE_URL: "",
      KLINIKFUNK_DEMO: "1",
      KLINIKFUNK_DEMO_PASSWORD: DEMO_PASSWORD,
      KLINIKFUNK_SPA_DIR: spaDir,
      // Chromium treats http://127.0.0.1 as potentially trustworthy, so the Secure
      // `__Host-` refresh cookie works here: the production default stays on.
      KLINIKFUNK_COOKIE_SECURE: "true",
      KLINIKFUNK_LOG_LEVEL: "WARNING",
    },
  },
});
