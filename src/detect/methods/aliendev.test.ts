import { describe, expect, it } from 'vitest';
import { arpRequest, flow, only, run, session } from '../../../test/detect-kit.js';
import type { Flow } from '../../record.js';
import { DeviceKeys, parseInventory } from './aliendev.js';

const MACS: Record<string, string> = {
  '192.168.1.1': '00:1e:58:a1:00:01',
  '192.168.1.10': 'f0:1f:af:10:00:0a',
  '192.168.1.11': 'f0:1f:af:10:00:0b',
};
const ALIEN = '192.168.1.66';
const ALIEN_MAC = 'de:ad:be:ef:00:66';

function talk(at: number, src: string, dst: string, smac = MACS[src], dport = 443): Flow {
  return session(at, src, dst, dport, 10, 800, 0.5, smac ? { smac, dmac: MACS[dst] ?? '00:1e:58:a1:00:01' } : {});
}

/** the known hosts talk all along; the alien appears at t = 900 s */
function lan(alienAt = 900): Flow[] {
  const out: Flow[] = [];
  for (let t = 0; t < 1200; t += 30) {
    out.push(talk(t, '192.168.1.10', '93.184.216.34'), talk(t + 5, '192.168.1.11', '192.168.1.10', undefined, 80));
  }
  out.push(talk(alienAt, ALIEN, '192.168.1.10', ALIEN_MAC, 445), talk(alienAt + 2, ALIEN, '192.168.1.11', ALIEN_MAC, 445), talk(alienAt + 4, ALIEN, '198.51.100.1', ALIEN_MAC, 443));
  return out;
}

describe('ALIENDEV', () => {
  it('reads an inventory CSV or list: MACs in any form, addresses, comments; reports lines without either', () => {
    const { inventory, problems } = parseInventory('name,mac,ip\ngw,00-1E-58-A1-00-01,192.168.1.1\n"b1";"f01f.af10.000a"\n192.168.1.11 # b2\n# retired\n\nprinter,,\n');
    expect([...inventory.macs].sort()).toEqual(['00:1e:58:a1:00:01', 'f0:1f:af:10:00:0a']);
    expect([...inventory.ips].sort()).toEqual(['192.168.1.1', '192.168.1.11']);
    expect(problems).toEqual([{ line: 7, message: 'no MAC or IP address: printer,,' }]);
  });

  it('with an inventory of MACs: the device not in it is NEWDEVICE, with its MAC and peers', () => {
    const inventory = parseInventory(Object.values(MACS).join('\n')).inventory;
    const ev = only(run(lan(100), { config: { inventory } }), 'ALIENDEV');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ submethod: 'NEWDEVICE', src: ALIEN, targets: ['192.168.1.10', '192.168.1.11', '198.51.100.1'], ports: [443, 445], priority: 'medium', attack: { technique: 'T1200' } });
    expect(ev[0]!.evidence).toMatchObject({ mac: ALIEN_MAC, decided_from: 'inventory', flows_sent: 3, peers: 3 });
    expect(ev[0]!.detail).toMatch(/a device with MAC de:ad:be:ef:00:66 at 192\.168\.1\.66, not in the inventory/);
  });

  it('with an inventory of addresses and flows without MACs (NetFlow): judged by address', () => {
    const inventory = parseInventory('192.168.1.1\n192.168.1.10\n192.168.1.11\n').inventory;
    const flows = lan(100).map((f) => {
      const { smac: _s, dmac: _d, ...rest } = f;
      return rest as Flow;
    });
    const ev = only(run(flows, { config: { inventory } }), 'ALIENDEV');
    expect(ev.map((e) => e.src)).toEqual([ALIEN]);
    expect(ev[0]!.evidence).not.toHaveProperty('mac');
  });

  it('near miss: remote peers are not devices, and a listed device is quiet', () => {
    const inventory = parseInventory([...Object.values(MACS), ALIEN_MAC].join('\n')).inventory;
    expect(only(run(lan(100), { config: { inventory } }), 'ALIENDEV')).toEqual([]);
  });

  it('without an inventory: a device first seen after the learning period is new, decided from the traffic', () => {
    const ev = only(run(lan(900)), 'ALIENDEV');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.src).toBe(ALIEN);
    expect(ev[0]!.evidence).toMatchObject({ decided_from: 'learning period', learning_s: 600 });
    expect(ev[0]!.detail).toMatch(/first seen 900 s after the input began, after the 600 s learning period/);
  });

  it('near miss: without an inventory, devices of the learning period (talking or answering) are known', () => {
    expect(only(run(lan(300)), 'ALIENDEV')).toEqual([]);
    // a server that only answered during learning and talks later is not new either
    const flows = lan(300);
    flows.push(talk(100, '192.168.1.10', '192.168.1.30', undefined, 22), talk(1000, '192.168.1.30', '192.168.1.10', 'aa:bb:cc:00:00:30', 22));
    flows[flows.length - 2]!.dmac = 'aa:bb:cc:00:00:30';
    expect(only(run(flows), 'ALIENDEV')).toEqual([]);
    // learning_s from the config
    expect(only(run(lan(300), { config: { methods: { ALIENDEV: { learning_s: 120 } } } }), 'ALIENDEV')).toHaveLength(1);
  });

  it('ARP alone is not talking', () => {
    const inventory = parseInventory(Object.values(MACS).join('\n')).inventory;
    const flows: Flow[] = [arpRequest(50, ALIEN, '192.168.1.1', true)];
    flows[0]!.smac = ALIEN_MAC;
    flows.push(talk(60, '192.168.1.10', '93.184.216.34'));
    expect(only(run(flows, { config: { inventory } }), 'ALIENDEV')).toEqual([]);
  });
});

describe('DeviceKeys', () => {
  it('answers as a Set of the same strings would, MACs and others, past its growth', () => {
    const keys = new DeviceKeys();
    const ref = new Set<string>();
    let x = 12345;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const hex = () => Math.floor(rnd() * 256).toString(16).padStart(2, '0');
    const mac = () => Array.from({ length: 6 }, hex).join(':');
    const some: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const m = mac();
      some.push(m, m.toUpperCase(), m.replace(/:/g, '-'), `10.0.${i % 256}.${i >> 8}`);
    }
    some.push('ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', 'zz:00:00:00:00:00', '02:00:88:84:5c:2', '02:00:88:84:5c:2f0', '');
    for (let i = 0; i < some.length; i++) {
      if (i % 3 === 0) {
        keys.add(some[i]!);
        ref.add(some[i]!);
      }
    }
    for (const k of some) expect(keys.has(k), k).toBe(ref.has(k));
    for (let i = 0; i < 2000; i++) {
      const m = mac();
      expect(keys.has(m)).toBe(ref.has(m));
    }
    expect(keys.size).toBe(ref.size);
    keys.add(some[0]!);
    expect(keys.size).toBe(ref.size);
  });
});
