import { describe, expect, it } from 'vitest';
import { CidrSet } from '../net.js';
import { BLOCKLIST_KEY, parseBlocklist, type Blocklist } from './methods/blacklist.js';
import { METHODS } from './registry.js';
import { splitMethods, unpackConfig } from './split.js';

describe('splitMethods', () => {
  it('puts every method in exactly one thread, both threads busy, DHCPANOM with DNSANOMALY', () => {
    for (let n = 2; n <= METHODS.length; n++) {
      for (let from = 0; from + n <= METHODS.length; from++) {
        const ms = METHODS.slice(from, from + n);
        const s = splitMethods(ms);
        if (n === 2 && ms[0]!.name === 'DHCPANOM') {
          expect(s).toBeUndefined();
          continue;
        }
        expect(s).toBeDefined();
        expect([...s!.main, ...s!.worker].sort((a, b) => a - b)).toEqual(ms.map((_, i) => i));
        expect(s!.main.length).toBeGreaterThan(0);
        expect(s!.worker.length).toBeGreaterThan(0);
        for (const part of [s!.main, s!.worker]) expect([...part].sort((a, b) => a - b)).toEqual(part);
        const dhcp = ms.findIndex((m) => m.name === 'DHCPANOM');
        const dns = ms.findIndex((m) => m.name === 'DNSANOMALY');
        if (dhcp >= 0 && dns >= 0) expect(s!.main.includes(dhcp)).toBe(s!.main.includes(dns));
      }
    }
  });

  it('has nothing to split with one method', () => {
    expect(splitMethods(METHODS.slice(2, 3))).toBeUndefined();
  });
});

describe('unpackConfig', () => {
  it('makes the blocklist networks a CidrSet again after a structured clone', () => {
    const { list } = parseBlocklist('10.1.0.0/16\n2001:db8::/32\nbad.example\n');
    const cloned = structuredClone({ local_nets: ['10.0.0.0/8'], [BLOCKLIST_KEY]: list });
    const back = unpackConfig(cloned)[BLOCKLIST_KEY] as Blocklist;
    expect(back.nets).toBeInstanceOf(CidrSet);
    expect(back.nets.has('10.1.2.3')).toBe(true);
    expect(back.nets.has('2001:db8::1')).toBe(true);
    expect(back.nets.has('10.2.0.1')).toBe(false);
    expect(back.domains.has('bad.example')).toBe(true);
    expect(back.size).toBe(list.size);
  });
});
