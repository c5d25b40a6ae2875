// fir ingest against nfdump's nfpcapd on the 2,000,000-packet capture of
// ../shared/bench/gen_pcap.py (made once, outside the repository), and fir's NDJSON line
// splitter against the `ndjson` package on 1,000,000 flow records (a read-only pass).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { best, flowsFile, fmtRate, FIR, have, measure, report, ROOT, SHARED, WORK } from './lib.mjs';

const PACKETS = 2_000_000;
const big = path.join(WORK, 'big.pcap');
if (!existsSync(big)) {
  console.log(`\n(making ${big} with gen_pcap.py: about 1.4 GB, once)`);
  const r = spawnSync('bash', ['-c', `python3 ${SHARED}/bench/gen_pcap.py -o ${big}.tmp && mv ${big}.tmp ${big}`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('gen_pcap.py failed');
}

const firOut = path.join(WORK, 'ingest-fir.ndjson');
const rows = [];
const fir = best(3, () => measure(`${FIR} ingest ${big}`, { stdout: firOut }));
if (fir.status !== 0) throw new Error(`fir ingest failed (${fir.status}): ${fir.stderr}`);
const flows = readFileSync(firOut, 'utf8').split('\n').length - 1;
rows.push({ what: `fir ingest big.pcap > file: ${flows} flows`, secs: fir.secs, rate: fmtRate(PACKETS / fir.secs, 'pkts'), rssMiB: fir.rssMiB });
const firNull = best(3, () => measure(`${FIR} ingest ${big}`));
rows.push({ what: 'fir ingest big.pcap > /dev/null', secs: firNull.secs, rate: fmtRate(PACKETS / firNull.secs, 'pkts'), rssMiB: firNull.rssMiB });
const firPar = best(3, () => measure(`${FIR} ingest --threads 2 ${big}`));
rows.push({ what: 'fir ingest --threads 2 big.pcap > /dev/null', secs: firPar.secs, rate: fmtRate(PACKETS / firPar.secs, 'pkts'), rssMiB: firPar.rssMiB });

let nf;
if (have('nfpcapd')) {
  const dir = path.join(WORK, 'ingest-nfpcapd');
  nf = best(3, () => measure(`rm -rf ${dir} && mkdir -p ${dir} && nfpcapd -r ${big} -w ${dir} 2>/dev/null`));
  rows.push({ what: 'nfpcapd -r big.pcap -w DIR', secs: nf.secs, rate: fmtRate(PACKETS / nf.secs, 'pkts'), rssMiB: nf.rssMiB });
  rmSync(dir, { recursive: true, force: true });
} else {
  console.log('\n(nfpcapd is not installed: no peer to compare with)');
}
report(`ingest: ${PACKETS.toLocaleString('en')} packets (${big})`, rows);
if (nf) {
  console.log(`\nfir / nfpcapd packet rate: ${(nf.secs / firNull.secs).toFixed(2)}x, with --threads 2: ${(nf.secs / firPar.secs).toFixed(2)}x (goal >= 1x, on the way to 1.5x)`);
  console.log(`fir / nfpcapd peak RSS: ${(firNull.rssMiB / nf.rssMiB).toFixed(2)}x (goal <= 2x)`);
}

// --- NDJSON line splitting: fir's readLineBatches against the ndjson package, parse only ---
const N = 1_000_000;
const flowsNd = flowsFile(N);
const splitFir = path.join(WORK, 'ingest-split-fir.mjs');
const splitNd = path.join(WORK, 'ingest-split-ndjson.mjs');
writeFileSync(
  splitFir,
  `import { readLineBatches } from ${JSON.stringify(path.join(ROOT, 'dist', 'io.js'))};
let n = 0;
for await (const batch of readLineBatches([process.argv[2]])) for (const l of batch) { JSON.parse(l.text); n++; }
console.log(n);
`,
);
writeFileSync(
  splitNd,
  `import { createRequire } from 'node:module';
import { createReadStream } from 'node:fs';
const require = createRequire(${JSON.stringify(path.join(ROOT, 'package.json'))});
const ndjson = require('ndjson');
let n = 0;
createReadStream(process.argv[2]).pipe(ndjson.parse()).on('data', () => n++).on('end', () => console.log(n));
`,
);
const lineRows = [];
const a = best(3, () => measure(`node ${splitFir} ${flowsNd}`, { stdout: path.join(WORK, 'ingest-split-fir.out') }));
const b = best(3, () => measure(`node ${splitNd} ${flowsNd}`, { stdout: path.join(WORK, 'ingest-split-ndjson.out') }));
const na = readFileSync(path.join(WORK, 'ingest-split-fir.out'), 'utf8').trim();
const nb = readFileSync(path.join(WORK, 'ingest-split-ndjson.out'), 'utf8').trim();
lineRows.push({ what: `fir readLineBatches + JSON.parse: ${na} records`, secs: a.secs, rate: fmtRate(N / a.secs, 'records'), rssMiB: a.rssMiB });
lineRows.push({ what: `ndjson.parse(): ${nb} records`, secs: b.secs, rate: fmtRate(N / b.secs, 'records'), rssMiB: b.rssMiB });
report(`NDJSON reading: ${N.toLocaleString('en')} flow records, parse only`, lineRows);
console.log(`\nfir's splitter / ndjson, parse only: ${(b.secs / a.secs).toFixed(2)}x faster, ${(b.rssMiB / a.rssMiB).toFixed(2)}x the memory (JSON.parse dominates here; shared/bench/README.md measured 3.5x with stringify and write in the loop)`);
