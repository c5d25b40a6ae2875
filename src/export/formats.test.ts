import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../io.js';
import { cefHeader, cefValue } from './cef.js';
import { csvCell, defaultColumns } from './csv.js';
import { ecsMac } from './ecs.js';
import { Columns, cellText, fieldPaths } from './flatten.js';
import { TerminalSink } from './sink.js';
import { parseFacility, printable, sdValue, syslogMessage } from './syslog.js';

describe('csv cells', () => {
  it('quotes per RFC 4180 and neutralises formula starters in text only', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('-x,y')).toBe('"\'-x,y"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(['a', 'b'])).toBe('a;b');
    expect(csvCell(['a;b', 'c'])).toBe('"[""a;b"",""c""]"');
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText(true)).toBe('true');
  });

  it('flattens dotted columns and keeps the rest in extra', () => {
    const cols = new Columns(['a', 'b.c', 'extra']);
    expect(cols.values({ a: 1, b: { c: 2, d: 3 }, e: [1] })).toEqual([1, 2, '{"b":{"d":3},"e":[1]}']);
    expect(cols.values({ a: 1, b: { c: 2 } })).toEqual([1, 2, undefined]);
    expect(cols.values({ b: 'not an object' })).toEqual([undefined, undefined, '{"b":"not an object"}']);
    expect(cols.line({ a: 'x,y', b: { c: '=z' } }, ',', csvCell)).toBe('"x,y",\'=z,');
    const paths = new Set<string>();
    fieldPaths({ a: 1, b: { c: 2, d: { e: 3 } }, f: {}, g: [1] }, paths);
    expect([...paths]).toEqual(['a', 'b.c', 'b.d.e', 'f', 'g']);
    expect(defaultColumns('nope')).toEqual(['kind', 'extra']);
  });
});

describe('cef escaping', () => {
  it('escapes header and extension values as the CEF spec says', () => {
    expect(cefHeader('a|b\\c')).toBe('a\\|b\\\\c');
    expect(cefHeader('two\nlines')).toBe('two lines');
    expect(cefValue('a=b\\c\nd\re|f')).toBe('a\\=b\\\\c\\nd\\re|f');
    expect(cefValue('plain')).toBe('plain');
  });
});

describe('syslog', () => {
  it('escapes parameter values and keeps header fields printable', () => {
    expect(sdValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    // controls become visible escapes first, whose backslashes are then escaped like any other
    expect(sdValue('x\ny\u001b')).toBe('x\\\\ny\\\\x1b');
    expect(printable('my host\u0000name', 255)).toBe('myhostname');
    expect(printable('', 10)).toBe('-');
    expect(printable('abcdef', 3)).toBe('abc');
    expect(parseFacility(undefined)).toBe(16);
    expect(parseFacility('AUTHPRIV')).toBe(10);
    expect(parseFacility('23')).toBe(23);
    expect(() => parseFacility('24')).toThrow(/facility/);
  });

  it('writes other kinds with their fields as parameters, and a nil timestamp when there is none', () => {
    const m = syslogMessage({ kind: 'summary', by: 'src', key: '10.0.0.1', flows: 3, 'bad key': 1 }, { facility: 16, hostname: 'h', procid: '1' });
    expect(m).toBe('<134>1 - h fir 1 summary [fir@32473 kind="summary" by="src" key="10.0.0.1" flows="3"]');
    const e = syslogMessage({ kind: 'event', method: 'SCANS', priority: 'critical', start: 'yesterday', detail: 'd' }, { facility: 4, hostname: 'h', procid: '1' });
    expect(e).toBe('<34>1 - h fir 1 SCANS [fir@32473 method="SCANS" priority="critical" start="yesterday"] d');
  });
});

describe('ecs', () => {
  it('writes MACs the ECS way', () => {
    expect(ecsMac('00:0c:29:4f:8e:35')).toBe('00-0C-29-4F-8E-35');
    expect(ecsMac('nope')).toBeUndefined();
  });
});

describe('TerminalSink', () => {
  it('escapes control characters but keeps line breaks', async () => {
    let got = '';
    const w = new Writable({
      write(chunk, _enc, cb) {
        got += String(chunk);
        cb();
      },
    });
    const sink = new TerminalSink(new Output(w));
    await sink.line('a\u001b[2Jb\u009b\u202e');
    await sink.text('c\rd\ne\n');
    await sink.flush();
    expect(got).toBe('a\\x1b[2Jb\\x9b\\u{202e}\nc\\rd\ne\n');
  });
});
