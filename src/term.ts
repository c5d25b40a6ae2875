// Terminal-facing helpers: strings from the network never reach a terminal raw.

// C0 controls, DEL, C1 controls, and the Unicode bidi/line separators that reorder or break lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replace control characters with visible escapes (\n, \t, \xNN, \u{NNNN}). */
export function escapeControl(s: string): string {
  if (!CONTROL.test(s)) return s;
  CONTROL.lastIndex = 0;
  return s.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export function terminalWidth(stream: { columns?: number } = process.stdout): number {
  const w = stream.columns ?? Number(process.env.COLUMNS);
  return Number.isFinite(w) && w > 20 ? w : 120;
}

const SGR: Record<string, string> = { red: '31', yellow: '33', green: '32', blue: '34', magenta: '35', cyan: '36', grey: '90', bold: '1' };

export type Paint = (color: keyof typeof SGR | string, s: string) => string;

/** A painter that colours when enabled and is the identity otherwise. */
export function painter(enabled: boolean): Paint {
  return enabled ? (color, s) => `\u001b[${SGR[color] ?? '0'}m${s}\u001b[0m` : (_c, s) => s;
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A sparkline of values (non-negative), one block per value. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return values.map(() => ' ').join('');
  return values.map((v) => (v <= 0 ? ' ' : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}
