// The live collector: `fir ingest --listen udp://HOST:PORT`. Decodes NetFlow v5/v9 and IPFIX
// datagrams as they arrive and writes their flows at once, until SIGINT/SIGTERM (ctx.signal),
// then flushes and returns 0. Malformed datagrams are counted per exporter and reported (the
// first few verbatim, then only in the periodic stats lines), never stopping the collector.
import dgram from 'node:dgram';
import type { Diagnostics } from '../../diag.js';
import { UsageError } from '../../errors.js';
import type { Output } from '../../io.js';
import type { Flow } from '../../record.js';
import { BiflowPairer } from './biflow.js';
import { NetflowDecoder, exportedToFlow } from './decoder.js';
import { jsonString, stableId, writeFlowLine } from './normalize.js';
import { LIMITS } from './templates.js';
import { TextSink } from './text.js';

/** On SIGINT/SIGTERM the socket is read until it has been quiet this long … */
const DRAIN_QUIET_MS = 200;
/** … but no longer than this, so a stop never waits on an exporter that keeps sending. */
const DRAIN_MAX_MS = 3000;

export interface CollectorOptions {
  /** udp://HOST:PORT, udp://[V6]:PORT */
  listen: string;
  biflow: boolean;
  /** how often the per-exporter stats line is written, ms (0: only at the end) */
  statsIntervalMs?: number;
  /** --biflow: how long a direction waits for its reverse, ms of wall time */
  pairHoldMs?: number;
  /** errors reported verbatim per exporter before only counting them */
  errorLines?: number;
}

export interface CollectorContext {
  out: Output;
  diag: Diagnostics;
  signal: AbortSignal;
}

export interface ListenAddress {
  host: string;
  port: number;
  type: 'udp4' | 'udp6';
}

/** Parse `udp://HOST:PORT` (IPv6 in brackets); throws UsageError. */
export function parseListen(s: string): ListenAddress {
  const m = /^udp:\/\/(?:\[([0-9a-fA-F:.]+)\]|([^:/\[\]]+)):(\d{1,5})\/?$/.exec(s.trim());
  if (!m) throw new UsageError(`--listen ${s}: expected udp://HOST:PORT (IPv6 in brackets: udp://[::1]:2055)`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen ${s}: port ${port} is out of range`);
  const host = m[1] ?? m[2];
  const type = m[1] !== undefined || host.includes(':') ? 'udp6' : 'udp4';
  return { host, port, type };
}

/** Run the collector until ctx.signal aborts (or stdout closes); returns the exit status. */
export async function runCollector(opts: CollectorOptions, ctx: CollectorContext): Promise<number> {
  const addr = parseListen(opts.listen);
  const errorLines = opts.errorLines ?? 20;
  const reportedErrors = new Map<string, number>();
  const decoder = new NetflowDecoder((exporter, n, reason) => {
    // as bounded as the exporter table: spoofed sources must not grow it
    if (reportedErrors.size > 4 * LIMITS.exporters && !reportedErrors.has(exporter)) reportedErrors.clear();
    const k = (reportedErrors.get(exporter) ?? 0) + 1;
    reportedErrors.set(exporter, k);
    if (k <= errorLines) ctx.diag.warn(`packet ${n}: ${reason}`, exporter);
    if (k === errorLines) ctx.diag.warn(`further errors are only counted in the stats lines`, exporter);
  });
  const pairer = opts.biflow ? new BiflowPairer({ maxHeld: 100_000 }) : undefined;
  const holdMs = opts.pairHoldMs ?? 10_000;
  let outputError: unknown;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));

  const write = (f: Flow) => {
    try {
      const p = ctx.out.record(f);
      if (p) p.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
  const fail = (err: unknown) => {
    if (outputError === undefined) outputError = err;
    stop();
  };
  let flushQueued = false;
  const flushSoon = () => {
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(() => {
      flushQueued = false;
      ctx.out.flush().catch(fail);
    });
  };

  // without --biflow a datagram's flows are written as NDJSON text directly (the same bytes
  // as the records): no object a flow, no serialiser
  const sink = pairer ? undefined : new TextSink();
  const sock = dgram.createSocket({ type: addr.type, reuseAddr: false });
  let lastDatagram = 0;
  sock.on('message', (msg, rinfo) => {
    lastDatagram = Date.now();
    const flows = decoder.decode(msg, rinfo.address);
    if (!flows.length) return;
    if (sink) {
      const origin = jsonString(rinfo.address);
      for (const e of flows) writeFlowLine(sink, e, origin, stableId(e.key));
      try {
        const p = ctx.out.text(sink.take());
        if (p) p.catch(fail);
      } catch (err) {
        fail(err);
      }
    } else {
      for (const e of flows) for (const g of pairer!.add(exportedToFlow(e, rinfo.address), Date.now())) write(g);
    }
    flushSoon();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(addr.port, addr.host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    sock.close();
    throw new UsageError(`--listen ${opts.listen}: cannot listen: ${(err as Error).message}`);
  }
  sock.on('error', (err) => ctx.diag.warn(`socket error: ${err.message}`));
  try {
    sock.setRecvBufferSize(8 << 20); // bursts of export packets; the kernel may cap it
  } catch {
    /* the default buffer still works */
  }
  const bound = sock.address();
  ctx.diag.info(`listening on udp://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`);

  const stats = (final: boolean) => {
    for (const e of decoder.stats()) {
      if (!final && e.packets === e.reported.packets && e.errors === e.reported.errors) continue;
      ctx.diag.info(`exporter ${e.name}: ${e.packets} packets, ${e.flows} flows, ${e.errors} errors${final ? '' : ` (+${e.packets - e.reported.packets} packets, +${e.flows - e.reported.flows} flows, +${e.errors - e.reported.errors} errors)`}`);
      e.reported = { packets: e.packets, flows: e.flows, errors: e.errors };
    }
  };
  const timers: NodeJS.Timeout[] = [];
  if (opts.statsIntervalMs) timers.push(setInterval(() => stats(false), opts.statsIntervalMs));
  if (pairer) {
    timers.push(
      setInterval(() => {
        const old = pairer.flushOlder(Date.now() - holdMs);
        for (const f of old) write(f);
        if (old.length) flushSoon();
      }, Math.min(1000, holdMs)),
    );
  }
  const onAbort = () => stop();
  if (ctx.signal.aborted) stop();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  await stopped;
  ctx.signal.removeEventListener('abort', onAbort);
  for (const t of timers) clearInterval(t);
  // datagrams already in the socket's buffer arrived before the stop: read them before closing
  // (until the socket has been quiet for DRAIN_QUIET_MS, DRAIN_MAX_MS at the most)
  const drainEnd = Date.now() + DRAIN_MAX_MS;
  while (Date.now() < drainEnd && Date.now() - lastDatagram < DRAIN_QUIET_MS) await new Promise((r) => setTimeout(r, 20));
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  if (pairer && outputError === undefined) for (const f of pairer.flush()) write(f);
  stats(true);
  if (outputError !== undefined) throw outputError;
  await ctx.out.flush();
  return 0;
}
