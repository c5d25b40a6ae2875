// npm run bench [NAME…]: runs bench/*.bench.mjs (or the named ones) in order and prints
// their tables. Each benchmark times fir against a peer in the same run and reports ratios.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
console.log(`# fir benchmarks (${new Date().toISOString()}, node ${process.version})`);
for (const f of files) {
  await import(pathToFileURL(path.join(dir, f)).href);
}
