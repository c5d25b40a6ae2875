import { describe, expect, it } from 'vitest';
import { dhcpAnswer, dnsQuery, only, run as runAll } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';

// this file's methods only: the other methods have their own tests
const run: typeof runAll = (flows, opts = {}) => runAll(flows, { methods: ['DHCPANOM', 'DNSANOMALY'], ...opts });

const GW = '192.168.1.1';
const ROGUE = '192.168.1.100';

function lan(): Flow[] {
  return [
    dhcpAnswer(0, GW, '192.168.1.10', 'f0:1f:af:10:00:0a'),
    dhcpAnswer(5, GW, '192.168.1.11', 'f0:1f:af:10:00:0b'),
    dhcpAnswer(9, GW, '192.168.1.20', '18:66:da:20:00:14'),
  ];
}

describe('DHCPANOM', () => {
  it('with --dhcp-servers: any other server answering is rogue', () => {
    const flows = [...lan(), dhcpAnswer(100, ROGUE, '192.168.1.225', '3c:52:82:1a:7e:e1', { router: ROGUE, dns: [ROGUE] })];
    const ev = run(flows, { config: { dhcp_servers: [GW] } });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ method: 'DHCPANOM', submethod: 'FAKESERVER', src: ROGUE, targets: ['192.168.1.225'], priority: 'high', ports: [67], proto: 'udp' });
    expect(ev[0]!.evidence).toMatchObject({ allowed_servers: [GW], dns_servers: [ROGUE], routers: [ROGUE], leased: ['192.168.1.225'], clients: ['3c:52:82:1a:7e:e1'] });
    expect(ev[0]!.detail).toMatch(/handing out addresses 192\.168\.1\.225, router 192\.168\.1\.100, DNS server 192\.168\.1\.100; it is not one of the allowed DHCP servers/);
  });

  it('an allowed server is never an event', () => {
    expect(run(lan(), { config: { dhcp_servers: [GW] } })).toEqual([]);
  });

  it('without a list: a second server on a segment where one serves most clients, decided from the traffic', () => {
    // the rogue answers first (that is why it wins), the legitimate server a few seconds later
    const flows = [...lan(), dhcpAnswer(100, ROGUE, '192.168.1.225', '3c:52:82:1a:7e:e1', { router: GW, dns: [ROGUE] }), dhcpAnswer(103, GW, '192.168.1.57', '3c:52:82:1a:7e:e1')];
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.src).toBe(ROGUE);
    expect(ev[0]!.evidence).toMatchObject({ decided_from: 'traffic', main_server: GW, main_server_clients: 4, server_clients: 1 });
    expect(ev[0]!.detail).toMatch(/decided from the traffic \(no --dhcp-servers\): 192\.168\.1\.1 serves 4 clients/);
  });

  it('without a list: one server alone, or servers of different segments, are not events', () => {
    expect(run(lan())).toEqual([]);
    const other = [...lan(), dhcpAnswer(50, '10.9.0.1', '10.9.0.50', '02:00:00:00:00:09')];
    expect(run(other)).toEqual([]);
    // with --local-nets saying both are one segment, the lone server is judged against the main one
    expect(run(other, { config: { local_nets: ['192.168.1.0/24', '10.0.0.0/8'] } })).toEqual([]);
    expect(only(run(other, { config: { local_nets: ['0.0.0.0/0'] } }), 'DHCPANOM')).toHaveLength(1);
  });

  it('without a list and with as many clients each: the server that is not the router clients are given is rogue', () => {
    // a capture of the victim's exchange only: both servers answered the same client
    const flows = [dhcpAnswer(100, ROGUE, '192.168.1.225', '3c:52:82:1a:7e:e1', { router: GW, dns: [ROGUE] }), dhcpAnswer(103, GW, '192.168.1.57', '3c:52:82:1a:7e:e1', { router: GW })];
    const ev = run(flows);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.src).toBe(ROGUE);
    expect(ev[0]!.evidence).toMatchObject({ decided_from: 'traffic', router_server: GW });
    expect(ev[0]!.detail).toMatch(/192\.168\.1\.1, the router that clients on 192\.168\.1\.0\/24 are given, is itself a DHCP server and this one is not/);
    // a DHCP server that is not the router (the usual Windows server) and is alone is no event
    expect(run([dhcpAnswer(0, '192.168.1.5', '192.168.1.60', '02:00:00:00:00:60', { router: GW }), dhcpAnswer(5, '192.168.1.5', '192.168.1.61', '02:00:00:00:00:61', { router: GW })])).toEqual([]);
  });

  it('tells DNSANOMALY which DNS server the rogue handed out', () => {
    const flows = [...lan(), dhcpAnswer(100, ROGUE, '192.168.1.225', '3c:52:82:1a:7e:e1', { dns: ['192.168.1.66'] })];
    for (let i = 0; i < 5; i++) flows.push(dnsQuery(120 + i, '192.168.1.225', '192.168.1.66'));
    // the server is used by one client, as is the gateway: only the rogue offer makes it unusual
    flows.push(dnsQuery(130, '192.168.1.10', GW));
    const ev = only(run(flows), 'DNSANOMALY');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'UNUSUALSERVER', src: '192.168.1.225', targets: ['192.168.1.66'], priority: 'high' });
    expect(ev[0]!.evidence.handed_out_by).toBe(ROGUE);
  });
});
