import { describe, expect, it } from 'vitest';
import { flagLetters, flagsByte, stableId } from './netflow/normalize.js';
import { eveFlow, PrefixedIds } from './suricata.js';

const event = (proto: string, flags: string) => ({
  event_type: 'flow',
  flow_id: 1,
  src_ip: '10.0.0.1',
  dest_ip: '10.0.0.2',
  proto,
  src_port: 1,
  dest_port: 2,
  flow: { pkts_toserver: 1, pkts_toclient: 1, bytes_toserver: 60, bytes_toclient: 60, start: '2023-11-14T22:13:20.000+0000', end: '2023-11-14T22:13:21.000+0000' },
  tcp: { tcp_flags_ts: flags, tcp_flags_tc: flags, state: 'closed' },
});

describe('eve.json flow events', () => {
  it('read TCP flags as one or two hex digits, else as letters', () => {
    for (const v of ['1b', '1B', 'A', 'a', 'fff', 'SA', '0', 'g', 'Z', 'ff', 'F', '.AP.SF', '1 ', '0x1', 'S', '02']) {
      const want = /^[0-9a-fA-F]{1,2}$/.test(v) ? parseInt(v, 16) : flagsByte(v);
      const f = eveFlow(event('TCP', v), 'eve.json', 1);
      expect(typeof f, v).toBe('object');
      if (typeof f === 'string') continue;
      expect(f.flags, v).toBe(want > 0 ? flagLetters(want) : undefined);
    }
  });

  it('read the protocol in any case and as a number', () => {
    for (const [p, want] of [['TCP', 'tcp'], ['tcp', 'tcp'], ['Tcp', 'tcp'], ['UDP', 'udp'], ['udp', 'udp'], ['6', 'tcp'], ['17', 'udp'], ['IPv6-ICMP', 'icmp6']] as const) {
      const f = eveFlow(event(p, '1b'), 'eve.json', 1);
      expect(typeof f === 'string' ? f : f.proto, p).toBe(want);
    }
    expect(eveFlow(event('bogus', '1b'), 'eve.json', 1)).toBe('unknown proto bogus');
  });
});

describe('PrefixedIds', () => {
  it('gives stableId of the prefix and the suffix', () => {
    for (const prefix of ['', 'eve.json/suricata/', '/tmp/x y/ä.json/suricata/']) {
      const ids = new PrefixedIds(prefix);
      for (const suffix of ['', '0', '1', '1234567890123456800', '17/10.0.0.1', 'ü€', String(2 ** 53)]) {
        expect(ids.id(suffix), `${prefix}|${suffix}`).toBe(stableId(prefix + suffix));
        expect(ids.id(suffix)).toBe(stableId(prefix + suffix));
      }
    }
  });
});
