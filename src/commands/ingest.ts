// fir ingest: captures and flow exports in, normalised flow records out.
import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { ingest } from '../core/ingest.js';
import { formats } from '../formats/index.js';
import type { IngestOptions } from '../formats/types.js';
import { UsageError } from '../errors.js';
import { durationMs, idleCores } from '../options.js';
import { escapeControl } from '../term.js';
import type { Command } from './types.js';

interface Args {
  files?: string[];
  format?: string;
  'idle-timeout'?: string;
  'active-timeout'?: string;
  tunnels?: boolean;
  progress?: boolean;
  threads?: number;
  'max-flows'?: number;
  biflow?: boolean;
  map?: string;
  'time-format'?: string;
  listen?: string;
  'stats-interval'?: string;
  [k: string]: unknown;
}

const command: Command<Args> = {
  command: 'ingest [files..]',
  describe: 'turn captures (pcap, pcapng, gzip) and flow exports into flow records',
  builder: (y: Argv) =>
    y
      .positional('files', { describe: 'captures or flow exports (- or none: stdin); .gz is recognised by its content', type: 'string', array: true })
      .option('format', { describe: 'the input format, instead of sniffing it from the content', type: 'string' })
      .option('idle-timeout', { describe: "a flow with no packet for this long ends (default: Zeek's, 5m for TCP, 1m for UDP, ICMP and others)", type: 'string' })
      .option('active-timeout', { describe: 'a flow that lasts longer is written and continued in a new record', type: 'string', default: '30m' })
      .option('tunnels', { describe: 'also meter the inner packets of GRE, IP-in-IP, VXLAN, Geneve, Teredo and GTP-U tunnels (--no-tunnels: outer flows only)', type: 'boolean', default: true })
      .option('threads', { describe: 'threads (default: a text file is read by 2 workers when a core is free, a capture is metered in this thread while another writes its flow lines when three are; the same output as --threads 1): for a capture file of 64 MiB or more, this thread parses it and meters a share of its address pairs, each of the N-1 workers another (the order of the output depends on N); for a text file of more than 32 MiB, each reads a share of its chunks (the same output)', type: 'number' })
      .option('max-flows', { describe: 'open flows kept at most (a flood of new flows): beyond, the flow nearest to its timeout is written early', type: 'number', default: 1_000_000 })
      .option('progress', { describe: 'a progress line on stderr (default: when stderr is a terminal)', type: 'boolean' })
      .option('biflow', { describe: 'flow exports: pair the two directions of unidirectional flows into one record', type: 'boolean', default: false })
      .option('listen', { describe: 'collect NetFlow v5/v9 and IPFIX on udp://HOST:PORT (udp://[::]:PORT for IPv6) until SIGINT/SIGTERM', type: 'string' })
      .option('stats-interval', { describe: 'with --listen: per-exporter packets, flows and errors on stderr this often (0: only at the end)', type: 'string', default: '60s' })
      .option('map', { describe: "generic CSV: column map 'src=SrcAddr,dst=DstAddr,…'", type: 'string' })
      .option('time-format', { describe: 'generic CSV: the time format when it is not sniffed', type: 'string' })
      .example('fir ingest capture.pcap > flows.ndjson', 'the flows of a capture, one JSON object per line')
      .example('fir ingest day1.pcapng.gz day2.pcap | fir flows --by dst --top 10', 'several captures (gzip too) into one stream')
      .example("fir ingest --idle-timeout 2m --active-timeout 1h capture.pcap", 'other timeouts than the Zeek-like defaults')
      .example('tcpdump -w - -i eth0 | fir ingest -', 'a live capture from stdin: flows are written as they end')
      .example('fir ingest --listen udp://0.0.0.0:2055 --biflow | fir detect', 'collect NetFlow/IPFIX from routers and detect as flows arrive')
      .example('fir ingest --format netflow exports.pcap', 'a capture of NetFlow/IPFIX export datagrams')
      .example('fir ingest conn.log eve.json nfdump.csv', "other tools' files: Zeek, Suricata, nfdump, Argus (sniffed)")
      .example("fir ingest --map 'start=ts,src=sip,dst=dip,dport=port,proto=proto,pkts=packets,bytes=octets' other.csv", 'any CSV with a header and a column map'),
  async run(args, ctx) {
    if (args.listen !== undefined) {
      if (args.files?.length) throw new UsageError('--listen collects from the network: name no files with it');
      const every = durationMs(args['stats-interval'] ?? '60s', 'stats-interval');
      const { runCollector } = await import('../formats/netflow/collector.js');
      return runCollector({ listen: args.listen, biflow: args.biflow === true, statsIntervalMs: every }, ctx);
    }
    const known = formats.map((f) => f.name);
    if (args.format !== undefined && !known.includes(args.format)) {
      throw new UsageError(`--format: unknown format ${args.format} (one of ${known.join(', ')})`);
    }
    const map: Record<string, string> | undefined = args.map ? parseMap(args.map) : undefined;
    const options: IngestOptions = {
      ...args,
      idleTimeoutMs: args['idle-timeout'] !== undefined ? durationMs(args['idle-timeout'], 'idle-timeout') : 0,
      activeTimeoutMs: durationMs(args['active-timeout'] ?? '30m', 'active-timeout'),
      biflow: args.biflow !== false,
      map,
      timeFormat: args['time-format'],
      progress: args.progress ?? Boolean(ctx.stderr.isTTY),
      tunnels: args.tunnels !== false,
      maxFlows: args['max-flows'],
    };
    if (!(Number.isInteger(options.maxFlows) && (options.maxFlows as number) > 0)) throw new UsageError('--max-flows: a whole number above 0');
    if (options.idleTimeoutMs < 0 || options.activeTimeoutMs <= 0) throw new UsageError('timeouts must be positive');
    let shown = false;
    let lastShow = 0;
    const progress = options.progress
      ? (source: string, bytes: number, total: number | undefined, packets: number) => {
          const now = Date.now();
          if (now - lastShow < 250 && (total === undefined || bytes < total)) return;
          lastShow = now;
          const pct = total ? ` ${Math.min(100, Math.floor((bytes / total) * 100))}%` : '';
          ctx.stderr.write(`\r\x1b[Kfir ingest: ${escapeControl(source)}:${pct} ${(bytes / 1048576).toFixed(0)} MiB, ${packets} packets`);
          shown = true;
        }
      : undefined;
    try {
      const threads = args.threads !== undefined ? Number(args.threads) : 1;
      // without --threads: a text file of more than 32 MiB is read by two workers when a core is
      // free, and a capture of 64 MiB or more is metered here with a thread that writes the flow
      // lines when three are (the same output either way: on two cores the writer gains nothing,
      // the read and V8's own threads already take the second; sharing the metering out costs
      // more than it gains there)
      const idle = idleCores();
      const cpus = availableParallelism();
      const textThreads = args.threads !== undefined ? threads : cpus >= 2 && idle >= 1 ? 2 : 1;
      // tests and the benchmark choose the writer thread (1) or none (0) whatever the load
      const writerEnv = process.env.FIR_INGEST_WRITER_THREAD;
      const writerThread = args.threads === undefined && (writerEnv === '1' || (writerEnv !== '0' && cpus >= 3 && idle >= 3));
      // tests make small captures take the threaded path
      const minEnv = Number(process.env.FIR_INGEST_PARALLEL_MIN_BYTES);
      const parallelMinBytes = Number.isFinite(minEnv) && minEnv >= 0 ? minEnv : undefined;
      // and text files be cut into small chunks, every one read by the worker threads
      const chunkEnv = Number(process.env.FIR_INGEST_TEXT_CHUNK_BYTES);
      const textChunkBytes = Number.isInteger(chunkEnv) && chunkEnv > 0 ? chunkEnv : undefined;
      const textWaitWorkers = textChunkBytes !== undefined;
      if (!Number.isInteger(threads) || threads < 1 || threads > 16) throw new UsageError('--threads: a whole number from 1 to 16');
      for await (const batch of ingest({ sources: args.files ?? [], format: args.format, options, diag: ctx.diag, stdin: ctx.stdin, progress, threads, textThreads, writerThread, parallelMinBytes, textChunkBytes, textWaitWorkers, signal: ctx.signal })) {
        if (typeof batch === 'string') {
          const p = ctx.out.text(batch);
          if (p) await p;
          continue;
        }
        if (batch instanceof Uint8Array) {
          const p = ctx.out.bytes(batch);
          if (p) await p;
          continue;
        }
        for (const r of batch) {
          const p = ctx.out.record(r);
          if (p) await p;
        }
      }
    } finally {
      if (shown) ctx.stderr.write('\r\x1b[K');
    }
    return 0;
  },
};

function parseMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--map: expected field=column, got ${part}`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export default command;
