// Micro-benchmark of the application decoders the flow meter calls per flow (src/packet/app):
// calls per second in-process on hand-built messages. No peer here: the flow meter's own
// benchmark (ingest against nfpcapd) shows their share of the whole.
import { performance } from 'node:perf_hooks';
import { ROOT, report, fmtRate } from './lib.mjs';

const app = await import(`${ROOT}/dist/packet/app/index.js`);
const { dnsQuery, dnsResponse, dhcpAck, clientHello, arp, MAC } = fixtures();

function fixtures() {
  // the same shapes as testdata/app/packets.ts, built here so the benchmark needs no TypeScript
  const be16 = (n) => [(n >> 8) & 255, n & 255];
  const name = (s) => [...s.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
  const hdr = (id, flags, qd, an) => [...be16(id), ...be16(flags), ...be16(qd), ...be16(an), 0, 0, 0, 0];
  const q = [...name('www.example.com'), 0, 1, 0, 1];
  const rr = (nm, type, data) => [...nm, ...be16(type), 0, 1, 0, 0, 1, 44, ...be16(data.length), ...data];
  const dhcp = new Uint8Array(240);
  dhcp.set([2, 1, 6], 0);
  dhcp.set([10, 0, 0, 50], 16);
  dhcp.set([0, 12, 41, 79, 142, 53], 28);
  dhcp.set([99, 130, 83, 99], 236);
  const opts = [53, 1, 5, 54, 4, 10, 0, 0, 1, 51, 4, 0, 1, 81, 128, 3, 4, 10, 0, 0, 1, 6, 8, 10, 0, 0, 1, 8, 8, 8, 8, 12, 6, ...Buffer.from('laptop'), 255];
  const sni = Buffer.from('www.example.org');
  const ext = [0, 0, ...be16(sni.length + 5), ...be16(sni.length + 3), 0, ...be16(sni.length), ...sni];
  const body = [3, 3, ...new Array(32).fill(17), 0, 0, 4, 19, 1, 192, 47, 1, 0, ...be16(ext.length), ...ext];
  const hs = [1, 0, ...be16(body.length), ...body];
  const mac = [0, 12, 41, 79, 142, 53];
  return {
    dnsQuery: Uint8Array.from([...hdr(1, 0x100, 1, 0), ...q]),
    dnsResponse: Uint8Array.from([...hdr(1, 0x8180, 1, 2), ...q, ...rr([0xc0, 12], 5, [3, ...Buffer.from('web'), 0xc0, 16]), ...rr([0xc0, 45], 1, [93, 184, 216, 34])]),
    dhcpAck: Uint8Array.from([...dhcp, ...opts]),
    clientHello: Uint8Array.from([22, 3, 1, ...be16(hs.length), ...hs]),
    arp: (op) => Uint8Array.from([0, 1, 8, 0, 6, 4, 0, op, ...mac, 10, 0, 0, 5, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]),
    MAC: mac,
  };
}

function rate(what, fn, n = 300_000) {
  for (let i = 0; i < 20_000; i++) fn(); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const secs = (performance.now() - t0) / 1000;
  return { what, secs, rate: fmtRate(n / secs, 'calls') };
}

const ctx = (payload, proto, sport, dport) => ({ proto, sport, dport, fromOriginator: true, payload, off: 0, len: payload.length, flowPkts: 1 });
const cq = ctx(dnsQuery, 'udp', 40000, 53);
const cr = ctx(dnsResponse, 'udp', 53, 40000);
const cd = ctx(dhcpAck, 'udp', 67, 68);
const ct = ctx(clientHello, 'tcp', 50000, 443);
const cs = ctx(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), 'tcp', 22, 50000);
const arpReq = arp(1, MAC, [10, 0, 0, 5], [0, 0, 0, 0, 0, 0], [10, 0, 0, 1]);
const a4 = Uint8Array.of(10, 0, 0, 1);
const b4 = Uint8Array.of(10, 0, 0, 2);
const a6 = new Uint8Array(16).fill(0x20);
const b6 = new Uint8Array(16).fill(0x21);

report('application decoders (in-process, per call)', [
  rate('inspectPayload DNS query', () => app.inspectPayload(cq)),
  rate('inspectPayload DNS response (CNAME + A)', () => app.inspectPayload(cr)),
  rate('inspectPayload + mergeApp query/response', () => app.mergeApp(app.inspectPayload(cq), app.inspectPayload(cr))),
  rate('inspectPayload DHCP ACK', () => app.inspectPayload(cd)),
  rate('inspectPayload TLS ClientHello with SNI', () => app.inspectPayload(ct)),
  rate('inspectPayload SSH banner', () => app.inspectPayload(cs)),
  rate('decodeArp', () => app.decodeArp(arpReq, 0, arpReq.length)),
  rate('communityId IPv4 TCP', () => app.communityId(6, a4, b4, 40000, 443)),
  rate('communityId IPv6 UDP', () => app.communityId(17, a6, b6, 40000, 53)),
  rate('appFromPort', () => app.appFromPort('tcp', 51234, 443), 3_000_000),
]);
