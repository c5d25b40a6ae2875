import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { firstMatch, formatRule, parseRules, ruleMatches, validateRule, type FpRule } from './rules.js';

const ev = { method: 'SCANS', submethod: 'TCPSYN', src: '192.168.1.5', targets: ['192.168.1.1', '192.168.1.20'], ports: [22, 80] };

describe('fp rules', () => {
  it('parses rules, passing over comments and blank lines, in canonical form', () => {
    const text = '# scanners we run\n\n{"reason":"nessus","method":"scans","src":"192.168.1.5"}\n  {"method":"SSHDICT","ports":22,"reason":"x"}\n';
    const rules = parseRules(text, 'fp.ndjson');
    expect(rules).toEqual([
      { method: 'SCANS', src: '192.168.1.5/32', reason: 'nessus' },
      { method: 'SSHDICT', ports: [22], reason: 'x' },
    ]);
  });

  it('reports the source and line of a bad rule as a usage error', () => {
    expect(() => parseRules('{"reason":"a"}\n{"method":"SCANS"}\n', 'r.txt')).toThrow(UsageError);
    expect(() => parseRules('{"reason":"a"}\n{"method":"SCANS"}\n', 'r.txt')).toThrow(/^r\.txt:2: "reason" is required/);
    expect(() => parseRules('\n\nnot json\n', 'r.txt')).toThrow(/^r\.txt:3: not a JSON object/);
    expect(() => parseRules('{"reason":"a","src":"10.0.0.300"}', 'f')).toThrow(/f:1: "src" must be an address or network/);
    expect(() => parseRules('{"reason":"a","ports":[70000]}', 'f')).toThrow(/f:1: "ports"/);
    expect(() => parseRules('{"reason":"a","colour":"red"}', 'f')).toThrow(/unknown field "colour"/);
    expect(() => parseRules('{"reason":"a","when":"yesterday"}', 'f')).toThrow(/"when" must be an ISO time/);
  });

  it('matches on every field the rule has', () => {
    const r = (o: object) => validateRule({ reason: 'r', ...o }) as FpRule;
    expect(ruleMatches(r({}), ev)).toBe(true);
    expect(ruleMatches(r({ method: 'SCANS' }), ev)).toBe(true);
    expect(ruleMatches(r({ method: 'SCANS', submethod: 'UDP' }), ev)).toBe(false);
    expect(ruleMatches(r({ src: '192.168.1.0/24' }), ev)).toBe(true);
    expect(ruleMatches(r({ src: '10.0.0.0/8' }), ev)).toBe(false);
    // every target must be inside the target network
    expect(ruleMatches(r({ target: '192.168.1.0/24' }), ev)).toBe(true);
    expect(ruleMatches(r({ target: '192.168.1.1' }), ev)).toBe(false);
    // every port must be covered; a rule with ports never matches a portless event
    expect(ruleMatches(r({ ports: [22, 80, 443] }), ev)).toBe(true);
    expect(ruleMatches(r({ ports: [22] }), ev)).toBe(false);
    expect(ruleMatches(r({ ports: [22] }), { ...ev, ports: undefined })).toBe(false);
    expect(ruleMatches(r({ src: '2001:db8::/32' }), { ...ev, src: '2001:db8::5' })).toBe(true);
  });

  it('first match wins', () => {
    const rules = parseRules('{"method":"DHCPANOM","reason":"a"}\n{"src":"192.168.1.5","reason":"b"}\n{"reason":"c"}\n', 'f');
    expect(firstMatch(rules, ev)?.reason).toBe('b');
    expect(firstMatch(rules.slice(0, 1), ev)).toBeUndefined();
  });

  it('formats a rule as one line with keys in file order, and reads it back', () => {
    const rule = validateRule({ when: '2026-11-27T10:00:00.000Z', who: 'ana', reason: 'backup', ports: [873, 22], src: '10.1.2.3', method: 'SSHDICT' }) as FpRule;
    const line = formatRule(rule);
    expect(line).toBe('{"method":"SSHDICT","src":"10.1.2.3/32","ports":[22,873],"reason":"backup","who":"ana","when":"2026-11-27T10:00:00.000Z"}');
    expect(parseRules(line, 'f')).toEqual([rule]);
  });
});
