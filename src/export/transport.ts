// Delivery of syslog messages over the network: UDP (RFC 5426, one message per datagram) and
// TCP (RFC 6587 octet counting: `LEN SP MSG`), for `fir export --format syslog --to URL`.
//
// TCP keeps every message until it is known to have reached the server: a bounded in-memory
// queue (by default 100,000 messages or 64 MiB) feeds the socket; a message written to the
// socket stays in an in-flight list until the connection has stayed up for `confirmMs` after
// it (or the server has closed the connection cleanly after our end of stream). When the
// connection fails, the in-flight messages go back to the head of the queue and the client
// reconnects with exponential backoff (0.1 s doubling to 5 s), so a server that is down for a
// while loses nothing; a message may then arrive twice (at-least-once). When the queue is
// full, send() returns a promise and the writer waits, which stops reading the input: the
// pipeline is slowed down (backpressure), never silently cut.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { Socket } from 'node:net';
import { UsageError } from '../errors.js';

export interface Target {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
}

/** Parse `udp://HOST:PORT` or `tcp://HOST:PORT` (IPv6 in brackets); a usage error otherwise. */
export function parseTarget(url: string): Target {
  const m = /^(udp|tcp):\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+):(\d{1,5})\/?$/.exec(url.trim());
  if (!m) throw new UsageError(`--to: expected udp://HOST:PORT or tcp://HOST:PORT, got ${url}`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new UsageError(`--to: port out of range: ${m[3]}`);
  let host = m[2]!;
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { proto: m[1] as 'udp' | 'tcp', host, port };
}

export interface TransportReport {
  sent: number;
  /** messages that could not be delivered before the end (shutdown, timeout) */
  undelivered: number;
  /** connection failures seen */
  failures: number;
}

export interface Transport {
  /** queue a message; returns a promise only when the queue is full and the caller must wait */
  send(msg: string): void | Promise<void>;
  /** deliver what is queued (up to drainMs, or until signal), then close */
  close(drainMs: number, signal?: AbortSignal): Promise<TransportReport>;
}

export interface TransportOptions {
  /** warnings about the connection, for the diagnostics */
  warn: (message: string) => void;
  maxQueue?: number;
  maxQueueBytes?: number;
  /** ms a written message must stay on a live connection before it counts as delivered */
  confirmMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export function openTransport(t: Target, opts: TransportOptions): Transport {
  return t.proto === 'udp' ? new UdpTransport(t, opts) : new TcpTransport(t, opts);
}

interface Item {
  buf: Buffer;
  /** when it was written to the current connection (ms), for the confirmation window */
  at: number;
}

export class TcpTransport implements Transport {
  private queue: Item[] = [];
  private qHead = 0;
  private inflight: Item[] = [];
  private bytes = 0;
  private socket: Socket | undefined;
  private state: 'down' | 'connecting' | 'up' | 'closing' = 'down';
  private backoff: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private confirmTimer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private closeWaiter: ((clean: boolean) => void) | undefined;
  private idle: (() => void)[] = [];
  private failures = 0;
  private sent = 0;
  private outage = false;
  private finished = false;
  private readonly maxQueue: number;
  private readonly maxBytes: number;
  private readonly confirmMs: number;
  private readonly backoffMin: number;
  private readonly backoffMax: number;

  constructor(private readonly target: Target, private readonly opts: TransportOptions) {
    this.maxQueue = opts.maxQueue ?? 100_000;
    this.maxBytes = opts.maxQueueBytes ?? 64 << 20;
    this.confirmMs = opts.confirmMs ?? 2000;
    this.backoffMin = opts.backoffMinMs ?? 100;
    this.backoffMax = opts.backoffMaxMs ?? 5000;
    this.backoff = this.backoffMin;
    this.connect();
  }

  private get pending(): number {
    return this.queue.length - this.qHead + this.inflight.length;
  }

  send(msg: string): void | Promise<void> {
    const body = Buffer.from(msg, 'utf8');
    const buf = Buffer.concat([Buffer.from(`${body.length} `, 'latin1'), body]);
    this.queue.push({ buf, at: 0 });
    this.bytes += buf.length;
    this.pump();
    if (this.pending >= this.maxQueue || this.bytes >= this.maxBytes) {
      return new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private connect(): void {
    if (this.finished) return;
    this.state = 'connecting';
    const s = new Socket();
    this.socket = s;
    s.setNoDelay(true);
    s.setKeepAlive(true, 10_000);
    const fail = (why: string) => {
      if (this.socket !== s) return;
      this.onFailure(s, why);
    };
    s.setTimeout(5000, () => {
      if (this.state === 'connecting') fail('connection timed out');
    });
    s.on('connect', () => {
      s.setTimeout(0);
      this.state = 'up';
      this.backoff = this.backoffMin;
      if (this.outage) this.opts.warn(`connection to ${this.where()} is back; sending ${this.pending} queued messages`);
      this.outage = false;
      this.startConfirm();
      this.pump();
    });
    s.on('drain', () => this.pump());
    s.on('data', () => {
      // syslog servers do not answer; anything read is ignored
    });
    s.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    // the server closed its side: after our end of stream that is the confirmation that it
    // read everything; before it, whatever we write now would be lost
    s.on('end', () => {
      if (this.state === 'closing' && this.socket === s) this.closedClean(s);
      else fail('closed by the server');
    });
    s.on('close', (hadError: boolean) => {
      if (!hadError && this.state === 'closing' && this.socket === s) this.closedClean(s);
      else fail('closed');
    });
    s.connect({ host: this.target.host, port: this.target.port });
  }

  private closedClean(s: Socket): void {
    for (const it of this.inflight) this.bytes -= it.buf.length;
    this.inflight = [];
    this.finished = true;
    this.state = 'down';
    this.socket = undefined;
    s.destroy();
    this.closeWaiter?.(true);
  }

  private where(): string {
    return `tcp://${isIP(this.target.host) === 6 ? `[${this.target.host}]` : this.target.host}:${this.target.port}`;
  }

  private onFailure(s: Socket, why: string): void {
    s.destroy();
    this.socket = undefined;
    this.stopConfirm();
    const closing = this.state === 'closing';
    this.state = 'down';
    // what was written on this connection may not have been read: send it again
    if (this.inflight.length) {
      const back = this.inflight;
      this.inflight = [];
      this.queue = back.concat(this.queue.slice(this.qHead));
      this.qHead = 0;
    }
    this.failures++;
    if (closing) this.closeWaiter?.(false);
    if (!this.outage) {
      this.outage = true;
      this.opts.warn(`connection to ${this.where()} failed (${why}); keeping ${this.pending} messages and retrying`);
    }
    if (this.finished) {
      this.resolveIdle();
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, this.backoff);
    this.backoff = Math.min(this.backoffMax, this.backoff * 2);
  }

  private pump(): void {
    const s = this.socket;
    if (this.state !== 'up' || !s) return;
    const now = Date.now();
    while (this.qHead < this.queue.length) {
      const item = this.queue[this.qHead++]!;
      item.at = now;
      this.inflight.push(item);
      this.sent++;
      if (!s.write(item.buf)) break;
    }
    if (this.qHead > 4096 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    this.confirm();
  }

  private startConfirm(): void {
    this.stopConfirm();
    this.confirmTimer = setInterval(() => this.confirm(), Math.max(50, Math.floor(this.confirmMs / 4)));
  }

  private stopConfirm(): void {
    if (this.confirmTimer) clearInterval(this.confirmTimer);
    this.confirmTimer = undefined;
  }

  /** Messages written long enough ago on a connection that is still up count as delivered. */
  private confirm(): void {
    if (this.state !== 'up') return;
    const limit = Date.now() - this.confirmMs;
    let n = 0;
    while (n < this.inflight.length && this.inflight[n]!.at <= limit) {
      this.bytes -= this.inflight[n]!.buf.length;
      n++;
    }
    if (n) this.inflight.splice(0, n);
    this.release();
  }

  private release(): void {
    while (this.waiters.length && this.pending < this.maxQueue && this.bytes < this.maxBytes) this.waiters.shift()!();
  }

  private resolveIdle(): void {
    for (const f of this.idle.splice(0)) f();
  }

  /**
   * Send everything, then end the stream and wait for the server to close its side: a clean
   * close after our end means the server read all of it, so nothing is left unconfirmed.
   */
  async close(drainMs: number, signal?: AbortSignal): Promise<TransportReport> {
    const deadline = Date.now() + drainMs;
    let aborted = signal?.aborted ?? false;
    const onAbort = () => {
      aborted = true;
      this.resolveIdle();
      this.closeWaiter?.(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!aborted && Date.now() < deadline) {
        const s = this.socket;
        if (this.state === 'up' && s && this.qHead >= this.queue.length && s.writableLength === 0) {
          // everything is written: end our side and wait for the server to close cleanly
          this.state = 'closing';
          this.stopConfirm();
          const clean = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => done(false), Math.max(0, Math.min(10_000, deadline - Date.now())));
            const done = (v: boolean) => {
              clearTimeout(timer);
              this.closeWaiter = undefined;
              resolve(v);
            };
            this.closeWaiter = done;
            s.end();
          });
          if (clean) return this.report(0);
          // the server did not close in time: what was written last is not confirmed
          if (this.state === 'closing') break;
          continue; // the connection failed while closing: the in-flight messages are queued again
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.idle = this.idle.filter((f) => f !== wake);
            resolve();
          }, 20);
          const wake = () => {
            clearTimeout(t);
            resolve();
          };
          this.idle.push(wake);
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this.finished = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopConfirm();
    const undelivered = this.pending;
    this.socket?.destroy();
    this.socket = undefined;
    for (const w of this.waiters.splice(0)) w();
    return this.report(undelivered);
  }

  private report(undelivered: number): TransportReport {
    return { sent: this.sent, undelivered, failures: this.failures };
  }
}

/** UDP: one datagram per message; delivery cannot be confirmed (that is UDP). */
export class UdpTransport implements Transport {
  private socket: UdpSocket;
  private outstanding = 0;
  private waiters: (() => void)[] = [];
  private sent = 0;
  private errors = 0;

  constructor(private readonly target: Target, private readonly opts: TransportOptions) {
    this.socket = createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
    this.socket.on('error', (err) => {
      this.errors++;
      opts.warn(`udp://${target.host}:${target.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
  }

  send(msg: string): void | Promise<void> {
    this.outstanding++;
    this.socket.send(Buffer.from(msg, 'utf8'), this.target.port, this.target.host, (err) => {
      this.outstanding--;
      if (err) {
        this.errors++;
        this.opts.warn(`udp://${this.target.host}:${this.target.port}: message not sent: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      } else this.sent++;
      while (this.waiters.length && this.outstanding < 256) this.waiters.shift()!();
    });
    if (this.outstanding >= 1024) return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async close(drainMs: number): Promise<TransportReport> {
    const deadline = Date.now() + drainMs;
    while (this.outstanding > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const undelivered = this.outstanding + this.errors;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    return { sent: this.sent, undelivered, failures: this.errors };
  }
}
