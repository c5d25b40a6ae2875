import { describe, expect, it } from 'vitest';
import { CidrSet } from '../net.js';
import { BLOCKLIST_KEY, parseBlocklist, type Blocklist } from './methods/blacklist.js';
import { unpackConfig } from './split.js';

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
