// Initial JavaScript of the built SPA, gzipped: the entry script of dist/index.html and every
// chunk it imports statically (transitively). Lazy routes (dynamic import()) are not counted.
// Fails when the total exceeds the 200 KB budget of design.md.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET = 200 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const entries = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
const seen = new Set();
const queue = entries.map((file) => join(dist, file));
while (queue.length > 0) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  for (const match of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    queue.push(resolve(dirname(file), match[1]));
  }
}
let total = 0;
for (const file of seen) {
  const size = gzipSync(readFileSync(file), { level: 9 }).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file.slice(dist.length + 1)}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  initial JS gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("Initial JavaScript is over budget.");
  process.exit(1);
}
