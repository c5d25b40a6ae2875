// Shared by the NetFlow CLI tests: run the collector, replay a capture with softflowd, find
// free ports. Everything stays on 127.0.0.1.
import { execa, type ResultPromise } from 'execa';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIR, ROOT } from './helpers.js';

export function have(...cmds: string[]): boolean {
  return cmds.every((c) => spawnSync('bash', ['-c', `command -v ${c}`]).status === 0);
}

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Collector {
  proc: ResultPromise;
  port: number;
  stdout: () => string;
  stderr: () => string;
}

/** Start `fir ingest --listen`; resolves once it says where it listens. */
export async function collector(listen: string, extra: string[] = []): Promise<Collector> {
  const proc = execa(FIR, ['ingest', '--listen', listen, ...extra], { cwd: ROOT, reject: false, env: { NO_COLOR: '1' }, maxBuffer: 1 << 28 });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`collector did not start: ${err}`)), 20_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on udp:\/\/\S+:(\d+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
  return { proc, port, stdout: () => out, stderr: () => err };
}

/**
 * softflowd 1.1.0 replays a capture (-r … -a: the capture's own times) to 127.0.0.1:PORT.
 * With -r it waits for a client on its control socket, so it is poked with softflowctl until it
 * has read the file and exited (bounded, as the lab's derive.sh does).
 */
export async function softflowdReplay(capture: string, port: number, version: 5 | 9 | 10, extra: string[] = []): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fir-sf-'));
  const ctl = path.join(dir, 'ctl');
  const sf = execa('softflowd', ['-r', capture, '-n', `127.0.0.1:${port}`, '-v', String(version), '-d', '-a', '-p', path.join(dir, 'pid'), '-c', ctl, '-t', 'maxlife=3600', ...extra], { reject: false, timeout: 120_000 });
  let done = false;
  void sf.then(() => (done = true));
  for (let i = 0; i < 600 && !done; i++) {
    await new Promise((r) => setTimeout(r, 200));
    if (!done) await execa('softflowctl', ['-c', ctl, 'statistics'], { reject: false, timeout: 5000 });
  }
  await sf;
}

export async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

export const sum = (rs: Record<string, any>[]) => rs.reduce((a, r) => ({ flows: a.flows + 1, pkts: a.pkts + r.pkts + (r.rpkts ?? 0), bytes: a.bytes + r.bytes + (r.rbytes ?? 0) }), { flows: 0, pkts: 0, bytes: 0 });
