// fir export --format syslog --to udp:// and tcp:// against a real rsyslogd on 127.0.0.1:
// the test writes its own configuration (imudp + imtcp on free ports, an omfile action to a
// temp file, no other inputs), runs `rsyslogd -n` as a child, and checks that every message
// arrives parsed as RFC 5424; then stops the server in the middle of a TCP export and starts
// it again to show that no message is lost.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIR, fir } from './helpers.js';

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? (spawnSync('bash', ['-c', 'command -v rsyslogd']).stdout?.toString().trim() || undefined);
if (!RSYSLOGD) console.warn('export-syslog: rsyslogd is not installed (apt-get install rsyslog): the rsyslog tests are skipped');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

class Rsyslog {
  proc: ChildProcess | undefined;
  readonly conf: string;
  readonly out: string;
  readonly pidFile: string;
  constructor(readonly dir: string, readonly udpPort: number, readonly tcpPort: number) {
    this.conf = path.join(dir, 'rsyslog.conf');
    this.out = path.join(dir, 'messages.log');
    this.pidFile = path.join(dir, 'rsyslogd.pid');
    // one line per message: fields rsyslog parsed out of the RFC 5424 message, tab-separated
    writeFileSync(
      this.conf,
      `global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="fields" type="string" string="%protocol-version%\\t%hostname%\\t%app-name%\\t%procid%\\t%msgid%\\t%syslogfacility%\\t%syslogseverity%\\t%timereported:::date-rfc3339%\\t%structured-data%\\t%msg%\\n")
ruleset(name="fir") {
  action(type="omfile" file="${this.out}" template="fields" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="fir")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="fir")
`,
    );
  }

  async start(): Promise<void> {
    rmSync(this.pidFile, { force: true });
    const p = spawn(RSYSLOGD!, ['-n', '-f', this.conf, '-i', this.pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += String(d)));
    this.proc = p;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (p.exitCode !== null) throw new Error(`rsyslogd exited: ${err}`);
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: this.tcpPort }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`rsyslogd did not listen: ${err}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await done;
    this.proc = undefined;
  }

  lines(): string[][] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8').split('\n').filter((l) => l).map((l) => l.split('\t'));
  }

  /** Wait until the file holds a line whose structured data carries each id. */
  async waitFor(ids: string[], ms = 15_000): Promise<string[][]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const lines = this.lines();
      const seen = new Set(lines.map((f) => /id="([^"]*)"/.exec(f[8] ?? '')?.[1]));
      if (ids.every((id) => seen.has(id)) || Date.now() > deadline) return lines;
      await sleep(50);
    }
  }
}

function event(i: number, tag: string): Record<string, unknown> {
  return {
    kind: 'event',
    id: `${tag}-${i}`,
    start: `2026-11-27T10:${String(i % 60).padStart(2, '0')}:07.412Z`,
    end: '2026-11-27T11:04:12.781Z',
    method: 'SSHDICT',
    submethod: 'ATTEMPT',
    title: 'SSH "dictionary" attack [x] \\ y',
    priority: ['critical', 'high', 'medium', 'low', 'info'][i % 5],
    src: '192.168.1.100',
    targets: ['192.168.1.225', '192.168.1.226'],
    ports: [22],
    proto: 'tcp',
    detail: `${i} SSH sessions from 192.168.1.100; host name "evil]\\"x" é`,
    evidence: { sessions: i },
  };
}

const ndjson = (recs: Record<string, unknown>[]) => recs.map((r) => JSON.stringify(r) + '\n').join('');

describe.skipIf(!RSYSLOGD)('syslog export to a real rsyslogd', () => {
  let dir: string;
  let server: Rsyslog;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fir-rsyslog-'));
    server = new Rsyslog(dir, await freeUdpPort(), await freeTcpPort());
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function checkParsed(f: string[], e: Record<string, unknown>): void {
    // rsyslog parsed the header as RFC 5424 (version 1) with our fields, not as a legacy line
    expect(f[0]).toBe('1');
    expect(f[1]).toBe('fir-test');
    expect(f[2]).toBe('fir');
    expect(f[3]).toMatch(/^\d+$/);
    expect(f[4]).toBe('SSHDICT');
    expect(f[5]).toBe('16'); // local0
    expect(f[6]).toBe(String({ critical: 2, high: 3, medium: 4, low: 5, info: 6 }[e.priority as string]));
    expect(f[7]!.slice(0, 19)).toBe((e.start as string).slice(0, 19));
    expect(f[8]).toMatch(/^\[fir@32473 id="[^"]+"/);
    expect(f[8]).toContain('title="SSH \\"dictionary\\" attack [x\\] \\\\ y"');
    expect(f[8]).toContain('targets="192.168.1.225,192.168.1.226"');
    expect(f[9]).toBe(e.detail);
  }

  it('delivers over UDP, every message parsed as RFC 5424', async () => {
    const evs = Array.from({ length: 20 }, (_, i) => event(i, 'udp'));
    const r = await fir(['export', '--format', 'syslog', '--hostname', 'fir-test', '--to', `udp://127.0.0.1:${server.udpPort}`], { input: ndjson(evs) });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = await server.waitFor(evs.map((e) => e.id as string));
    for (const e of evs) {
      const f = lines.find((l) => l[8]?.includes(`id="${e.id}"`));
      expect(f, `message ${e.id as string} arrived`).toBeDefined();
      checkParsed(f!, e);
    }
  });

  it('delivers over TCP with octet counting', async () => {
    const evs = Array.from({ length: 50 }, (_, i) => event(i, 'tcp'));
    const r = await fir(['export', '--format', 'syslog', '--hostname', 'fir-test', '--to', `tcp://127.0.0.1:${server.tcpPort}`], { input: ndjson(evs) });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = await server.waitFor(evs.map((e) => e.id as string));
    for (const e of evs) {
      const f = lines.find((l) => l[8]?.includes(`id="${e.id}"`));
      expect(f, `message ${e.id as string} arrived`).toBeDefined();
      checkParsed(f!, e);
    }
  });

  it('loses nothing over TCP while the server is stopped and started again', async () => {
    const child = spawn(FIR, ['export', '--format', 'syslog', '--hostname', 'fir-test', '--to', `tcp://127.0.0.1:${server.tcpPort}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const batch = (from: number) => Array.from({ length: 40 }, (_, i) => event(from + i, 'outage'));
    const all: Record<string, unknown>[] = [];

    const first = batch(0);
    all.push(...first);
    child.stdin!.write(ndjson(first));
    await server.waitFor(first.map((e) => e.id as string));

    await server.stop();
    const second = batch(100); // written while the server is down
    all.push(...second);
    child.stdin!.write(ndjson(second));
    await sleep(1500);
    await server.start();

    const third = batch(200);
    all.push(...third);
    child.stdin!.write(ndjson(third));
    child.stdin!.end();
    const code = await exited;
    expect(stderr).toMatch(/fir export: connection to tcp:\/\/127\.0\.0\.1:\d+ failed/);
    expect(stderr).toMatch(/is back; sending \d+ queued messages/);
    expect(code).toBe(0);
    const lines = await server.waitFor(all.map((e) => e.id as string));
    const seen = new Set(lines.map((f) => /id="([^"]*)"/.exec(f[8] ?? '')?.[1]));
    const missing = all.map((e) => e.id as string).filter((id) => !seen.has(id));
    expect(missing).toEqual([]);
    for (const f of lines.filter((l) => l[8]?.includes('id="outage-'))) expect(f[0]).toBe('1');
  });

  it('reports undelivered messages (exit 1) when the server never comes back', async () => {
    const port = await freeTcpPort();
    const r = await fir(['export', '--format', 'syslog', '--drain', '1s', '--to', `tcp://127.0.0.1:${port}`], { input: ndjson([event(1, 'lost')]) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/1 messages could not be delivered/);
  });
});
