import { describe, expect, it } from 'vitest';
import { compileFilter, parseIpList, threadPlan, INLINE_BYTES } from './filter.js';

describe('threadPlan', () => {
  it('takes --threads as asked, from the first block', () => {
    expect(threadPlan(3, 2, 9)).toEqual({ threads: 3, inlineBytes: 0 });
    expect(threadPlan(1, 8, 0)).toEqual({ threads: 1, inlineBytes: 0 });
  });
  it('uses idle cores only, two or more, at most four, after INLINE_BYTES', () => {
    expect(threadPlan(undefined, 2, 0.2)).toEqual({ threads: 2, inlineBytes: INLINE_BYTES });
    expect(threadPlan(undefined, 2, 0.8)).toEqual({ threads: 1, inlineBytes: INLINE_BYTES });
    expect(threadPlan(undefined, 2, 10)).toEqual({ threads: 1, inlineBytes: INLINE_BYTES });
    expect(threadPlan(undefined, 16, 1)).toEqual({ threads: 4, inlineBytes: INLINE_BYTES });
    expect(threadPlan(undefined, 1, 0)).toEqual({ threads: 1, inlineBytes: INLINE_BYTES });
  });
});

describe('parseIpList', () => {
  it('reads addresses and networks, skips comments and blanks, names bad lines', () => {
    const { set, errors } = parseIpList('# list\n10.0.0.0/8  # rfc1918\n\r\n2001:db8::1\r\nnope\n10.0.0.0/33\n', 'l.txt');
    expect(set.size).toBe(2);
    expect(errors).toEqual(['l.txt:5: not an IP address or network: nope', 'l.txt:6: not an IP address or network: 10.0.0.0/33']);
    const test = compileFilter('any', { ipList: set });
    expect([{ src: '10.1.2.3' }, { dst: '2001:db8::1' }, { src: '2001:db8::2', targets: ['10.9.9.9'] }, { src: '192.168.0.1' }].map(test)).toEqual([true, true, true, false]);
    expect(compileFilter('proto tcp', { ipList: set, invert: true })({ src: '10.0.0.1', proto: 'udp' })).toBe(true);
  });
});
