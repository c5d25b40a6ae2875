import { describe, expect, it } from 'vitest';
import { esc, link, safeUrl } from './escape.js';

describe('esc', () => {
  it('escapes the HTML specials in text and attributes', () => {
    expect(esc('<img src=x onerror=alert(1)>')).toBe('&lt;img src&#61;x onerror&#61;alert(1)&gt;');
    expect(esc(`"'\`&`)).toBe('&quot;&#39;&#96;&amp;');
  });
  it('makes control characters, bidi overrides and line separators visible', () => {
    expect(esc('a\u001b[31mb\u0007\u0000')).toBe('a\\x1b[31mb\\x07\\x00');
    expect(esc('evil\u202eexe.txt')).toBe('evil\\u{202e}exe.txt');
    expect(esc('x\r\ny\u2028')).toBe('x\\r\\ny\\u{2028}');
  });
  it('shows numbers, booleans and objects as text', () => {
    expect(esc(3)).toBe('3');
    expect(esc(true)).toBe('true');
    expect(esc(undefined)).toBe('');
    expect(esc({ a: '<b>' })).toBe('{&quot;a&quot;:&quot;&lt;b&gt;&quot;}');
  });
});

describe('safeUrl and link', () => {
  it('keeps absolute http(s) URLs only', () => {
    expect(safeUrl('https://cmdb.example/asset?ip=10.0.0.1&mac=aa')).toBe('https://cmdb.example/asset?ip=10.0.0.1&mac=aa');
    expect(safeUrl('http://x.example/')).toBe('http://x.example/');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,<script>', '/relative', 'file:///etc/passwd', 'https://user:pw@x.example/', 'https://x.example/\u0000', ' https://x.example/', 42]) {
      expect(safeUrl(bad), String(bad)).toBeUndefined();
    }
  });
  it('links a good URL with the attribute escaped, and shows a bad one as text', () => {
    expect(link('https://x.example/?a=1&b="2"')).toBe('<a href="https://x.example/?a&#61;1&amp;b&#61;%222%22" rel="noopener noreferrer nofollow" target="_blank">https://x.example/?a&#61;1&amp;b&#61;&quot;2&quot;</a>');
    expect(link('javascript:alert(1)')).toBe('javascript:alert(1)');
  });
});
