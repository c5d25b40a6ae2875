import { describe, expect, it } from 'vitest';
import { dnsQuery, flow, run as runAll, synProbe } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';

// this file's methods only: the other methods have their own tests
const run: typeof runAll = (flows, opts = {}) => runAll(flows, { methods: ['DNSANOMALY', 'DHCPANOM'], ...opts });

const GW = '192.168.1.1';

function usual(): Flow[] {
  const out: Flow[] = [];
  for (let i = 0; i < 30; i++) for (const c of ['192.168.1.10', '192.168.1.11', '192.168.1.20']) out.push(dnsQuery(i * 10, c, GW, 'files.corp.lan'));
  return out;
}

describe('DNSANOMALY server checks', () => {
  it('with --dns-servers: a client resolving through another server is FORBIDDENSERVER', () => {
    const flows = [...usual(), dnsQuery(50, '192.168.1.20', '8.8.8.8', 'www.example.com'), dnsQuery(51, '192.168.1.20', '8.8.8.8', 'mail.example.com')];
    const ev = run(flows, { config: { dns_servers: [GW] } });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'DNSANOMALY', submethod: 'FORBIDDENSERVER', src: '192.168.1.20', targets: ['8.8.8.8'], priority: 'high', ports: [53] });
    expect(ev[0]!.evidence).toMatchObject({ queries: 2, answered: 2, names: ['www.example.com', 'mail.example.com'] });
  });

  it('an allowed resolver forwarding upstream is not a client of a forbidden server', () => {
    const flows = [...usual()];
    for (let i = 0; i < 10; i++) flows.push(dnsQuery(i * 10 + 1, GW, '9.9.9.9'));
    expect(run(flows, { config: { dns_servers: [GW] } })).toEqual([]);
    // and without the list, a resolver (it answers others) is passed over too
    expect(run(flows)).toEqual([]);
  });

  it('without a list: a server almost no other client uses is UNUSUALSERVER, decided from the traffic', () => {
    const flows = [...usual(), dnsQuery(50, '192.168.1.225', '192.168.1.100')];
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'UNUSUALSERVER', src: '192.168.1.225', targets: ['192.168.1.100'], priority: 'medium' });
    expect(ev[0]!.evidence).toMatchObject({ decided_from: 'traffic', usual_server: GW, usual_server_clients: 3, server_clients: 1 });
  });

  it('a client that keeps using the server for longer than the window gets one event counting every query', () => {
    const flows = [...usual()];
    // one query every 15 s for 12 minutes (more than two 300 s windows), in time order
    for (let i = 0; i < 48; i++) flows.push(dnsQuery(50 + i * 15, '192.168.1.225', '192.168.1.100', `name${i}.corp.lan`));
    flows.sort((a, b) => a.start.localeCompare(b.start));
    const ev = run(flows, { config: { dns_servers: [GW] } });
    expect(ev).toHaveLength(1);
    expect(ev[0]!.evidence).toMatchObject({ queries: 48, answered: 48 });
    expect(ev[0]!.detail).toContain('48 DNS queries');
    expect(Date.parse(ev[0]!.end) - Date.parse(ev[0]!.start)).toBeGreaterThanOrEqual(47 * 15_000);
  });

  it('a port scan of port 53 is not DNS use', () => {
    const flows = [...usual(), synProbe(50, '192.168.1.100', '192.168.1.225', 53, 'rst'), flow({ at: 51, proto: 'tcp', src: '192.168.1.100', dst: '192.168.1.225', dport: 53, flags: 'AS', pkts: 2, rpkts: 1, rflags: 'AS' })];
    expect(run(flows)).toEqual([]);
  });

  it('without a baseline (one client) nothing is unusual', () => {
    expect(run([dnsQuery(0, '10.0.0.5', '10.0.0.1'), dnsQuery(1, '10.0.0.5', '1.1.1.1')])).toEqual([]);
  });
});

describe('DNSANOMALY on one-direction flow records', () => {
  it('learns resolvers from their answers, but not from a closed port 53 answering a scan', () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 10; i++) for (const c of ['192.168.1.10', '192.168.1.11', '192.168.1.20']) {
      flows.push(flow({ at: i * 10, proto: 'udp', src: c, dst: GW, sport: 40000 + i, dport: 53, pkts: 1, bytes: 70 }));
      flows.push(flow({ at: i * 10, proto: 'udp', src: GW, dst: c, sport: 53, dport: 40000 + i, pkts: 1, bytes: 120 }));
    }
    // the gateway forwards upstream: it answers others, so it is not an unusual server's client
    flows.push(flow({ at: 5, proto: 'udp', src: GW, dst: '9.9.9.9', sport: 5353, dport: 53, pkts: 1, bytes: 70 }));
    // the victim's closed port 53 answers a scan with a RST, then it resolves through the attacker
    flows.push(flow({ at: 6, proto: 'tcp', src: '192.168.1.225', dst: '192.168.1.100', sport: 53, dport: 61000, flags: 'AR', pkts: 1, bytes: 40 }));
    flows.push(flow({ at: 20, proto: 'udp', src: '192.168.1.225', dst: '192.168.1.100', sport: 50000, dport: 53, pkts: 1, bytes: 70 }));
    const ev = run(flows);
    expect(ev.map((e) => `${e.submethod} ${e.src} ${e.targets[0]}`)).toEqual(['UNUSUALSERVER 192.168.1.225 192.168.1.100']);
  });
});

describe('DNSANOMALY on an ordinary LAN', () => {
  it('a secondary resolver that the DHCP server hands out is usual, however few clients use it', () => {
    const flows: Flow[] = [...usual()];
    for (const [i, c] of ['192.168.1.10', '192.168.1.11', '192.168.1.20'].entries()) {
      flows.push(flow({ at: i, proto: 'udp', src: GW, dst: c, sport: 67, dport: 68, pkts: 2, bytes: 656, dhcp: { msg: 'ACK', msgs: ['OFFER', 'ACK'], client_mac: `02:00:00:00:00:0${i}`, yiaddr: c, server_id: GW, router: GW, dns_servers: [GW, '192.168.1.2'] } }));
    }
    flows.push(dnsQuery(50, '192.168.1.20', '192.168.1.2'));
    expect(run(flows)).toEqual([]);
    // without the DHCP exchange in the capture, a server one client uses while three use the gateway is unusual
    expect(run(flows.filter((f) => f.dhcp === undefined)).map((e) => e.submethod)).toEqual(['UNUSUALSERVER']);
  });

  it('a second resolver used by a good share of the clients is not unusual', () => {
    const flows: Flow[] = [];
    for (let c = 10; c < 40; c++) flows.push(dnsQuery(c, `192.168.1.${c}`, GW));
    for (let c = 40; c < 48; c++) flows.push(dnsQuery(c, `192.168.1.${c}`, '192.168.1.2'));
    expect(run(flows)).toEqual([]);
  });
});
