import { describe, expect, it } from 'vitest';
import { escapeControl, painter, sparkline, useColor } from './term.js';

describe('terminal safety', () => {
  it('escapes control characters, ANSI escapes and bidi overrides', () => {
    expect(escapeControl('evil\u001b[31mred\u0007\n')).toBe('evil\\x1b[31mred\\x07\\n');
    expect(escapeControl('a\u202eb')).toBe('a\\u{202e}b');
    expect(escapeControl('\u0085')).toBe('\\x85');
    expect(escapeControl('plain.example.com')).toBe('plain.example.com');
    // the regex is global: consecutive calls must not skip matches
    expect(escapeControl('\t')).toBe('\\t');
    expect(escapeControl('\t')).toBe('\\t');
  });

  it('colours only on a terminal and never with NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(painter(false)('red', 'x')).toBe('x');
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[0m');
  });

  it('draws sparklines', () => {
    expect(sparkline([0, 1, 2, 4])).toBe(' ▂▄█');
    expect(sparkline([0, 0])).toBe('  ');
  });
});
