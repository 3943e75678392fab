import { rmSync } from "node:fs";

/** Remove the run's data dir (the server is stopped right after this). */
export default function globalTeardown(): void {
  const dir = process.env.KLINIKFUNK_E2E_DATA_DIR;
  if (dir && dir.includes("klinikfunk-e2e-")) rmSync(dir, { recursive: true, force: true });
}
