import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport, parseTarget } from './transport.js';

/** Split an RFC 6587 octet-counted stream into messages. */
class Framer {
  private buf = Buffer.alloc(0);
  messages: string[] = [];
  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const sp = this.buf.indexOf(0x20);
      if (sp < 0) return;
      const len = Number(this.buf.subarray(0, sp).toString('latin1'));
      if (!Number.isInteger(len) || len <= 0) throw new Error(`bad frame length: ${this.buf.subarray(0, sp).toString()}`);
      if (this.buf.length < sp + 1 + len) return;
      this.messages.push(this.buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      this.buf = this.buf.subarray(sp + 1 + len);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});

function listen(port: number, onSocket: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer(onSocket);
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
    servers.push(srv);
  });
}

async function closeServer(srv: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((r) => srv.close(() => r()));
}

describe('parseTarget', () => {
  it('parses udp/tcp URLs with IPv4, names and bracketed IPv6', () => {
    expect(parseTarget('udp://127.0.0.1:514')).toEqual({ proto: 'udp', host: '127.0.0.1', port: 514 });
    expect(parseTarget('tcp://[::1]:6514')).toEqual({ proto: 'tcp', host: '::1', port: 6514 });
    expect(parseTarget('tcp://siem.example:601')).toEqual({ proto: 'tcp', host: 'siem.example', port: 601 });
    expect(() => parseTarget('tcp://127.0.0.1')).toThrow(/expected/);
    expect(() => parseTarget('tcp://127.0.0.1:70000')).toThrow(/out of range/);
    expect(() => parseTarget('http://x:1')).toThrow(/expected/);
  });
});

describe('TcpTransport', () => {
  it('frames messages with octet counting (multi-byte UTF-8 counted in bytes)', async () => {
    const f = new Framer();
    const srv = await listen(0, (s) => s.on('data', (d) => f.push(d)));
    const port = (srv.address() as { port: number }).port;
    const warnings: string[] = [];
    const t = new TcpTransport({ proto: 'tcp', host: '127.0.0.1', port }, { warn: (m) => warnings.push(m) });
    const msgs = ['<134>1 - h fir 1 X - plain', '<134>1 - h fir 1 X - é 日本 ✓', '<134>1 - h fir 1 X - line\nbreak'];
    for (const m of msgs) await t.send(m);
    const rep = await t.close(5000);
    expect(rep).toMatchObject({ sent: 3, undelivered: 0 });
    expect(f.messages).toEqual(msgs);
    expect(warnings).toEqual([]);
  });

  it('keeps messages while the server is down and delivers them after it returns', async () => {
    const got = new Set<string>();
    const sockets = new Set<Socket>();
    const onSocket = (s: Socket) => {
      sockets.add(s);
      const f = new Framer();
      s.on('data', (d) => {
        f.push(d);
        for (const m of f.messages.splice(0)) got.add(m);
      });
      s.on('close', () => sockets.delete(s));
    };
    let srv = await listen(0, onSocket);
    const port = (srv.address() as { port: number }).port;
    const warnings: string[] = [];
    const t = new TcpTransport({ proto: 'tcp', host: '127.0.0.1', port }, { warn: (m) => warnings.push(m), backoffMinMs: 20, backoffMaxMs: 100, confirmMs: 300 });
    for (let i = 0; i < 50; i++) await t.send(`m${i}`);
    await sleep(100);
    await closeServer(srv, sockets);
    for (let i = 50; i < 100; i++) await t.send(`m${i}`);
    await sleep(300);
    srv = await listen(port, onSocket);
    for (let i = 100; i < 150; i++) await t.send(`m${i}`);
    const rep = await t.close(10_000);
    expect(rep.undelivered).toBe(0);
    expect(rep.failures).toBeGreaterThan(0);
    const missing = Array.from({ length: 150 }, (_, i) => `m${i}`).filter((m) => !got.has(m));
    expect(missing).toEqual([]);
    expect(warnings.some((w) => /failed/.test(w))).toBe(true);
    expect(warnings.some((w) => /is back/.test(w))).toBe(true);
  });

  it('makes the sender wait when the queue is full, instead of dropping', async () => {
    const srvProbe = await listen(0, () => {});
    const port = (srvProbe.address() as { port: number }).port;
    await new Promise<void>((r) => srvProbe.close(() => r()));
    servers = [];
    const t = new TcpTransport({ proto: 'tcp', host: '127.0.0.1', port }, { warn: () => {}, maxQueue: 10, backoffMinMs: 20, backoffMaxMs: 50, confirmMs: 100 });
    for (let i = 0; i < 9; i++) expect(t.send(`q${i}`)).toBeUndefined();
    const blocked = t.send('q9');
    expect(blocked).toBeInstanceOf(Promise);
    let released = false;
    void (blocked as Promise<void>).then(() => (released = true));
    await sleep(200);
    expect(released).toBe(false); // the server is still down: the sender waits
    const got: string[] = [];
    await listen(port, (s) => {
      const f = new Framer();
      s.on('data', (d) => {
        f.push(d);
        got.push(...f.messages.splice(0));
      });
    });
    await blocked;
    expect(released).toBe(true);
    const rep = await t.close(5000);
    expect(rep.undelivered).toBe(0);
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`));
  });

  it('gives up after the drain time and counts what was not delivered', async () => {
    const srvProbe = await listen(0, () => {});
    const port = (srvProbe.address() as { port: number }).port;
    await new Promise<void>((r) => srvProbe.close(() => r()));
    servers = [];
    const t = new TcpTransport({ proto: 'tcp', host: '127.0.0.1', port }, { warn: () => {}, backoffMinMs: 20 });
    t.send('a');
    t.send('b');
    const rep = await t.close(300);
    expect(rep.undelivered).toBe(2);
  });
});
