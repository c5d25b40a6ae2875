// The filter language's tokens: words (keywords, numbers, addresses, names, times), quoted
// strings, and the punctuation operators. Columns are 1-based, for the caret under an error.

export type TokenType = 'word' | 'string' | 'op' | '(' | ')' | '[' | ']' | ',' | 'end';

export interface Token {
  type: TokenType;
  /** the text as written (for a string: without its quotes) */
  text: string;
  /** 1-based column of the first character */
  col: number;
}

/** A filter expression that does not parse or names a bad value: exit 2 with a caret. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based column the caret points at */
    readonly col: number,
    readonly expr: string,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

// characters that end a word: blanks, and the punctuation of the language
function isBreak(c: number): boolean {
  return (
    c === 32 || c === 9 || c === 10 || c === 13 ||
    c === 40 /* ( */ || c === 41 /* ) */ || c === 91 /* [ */ || c === 93 /* ] */ || c === 44 /* , */ ||
    c === 33 /* ! */ || c === 61 /* = */ || c === 60 /* < */ || c === 62 /* > */ ||
    c === 38 /* & */ || c === 124 /* | */ || c === 34 /* " */ || c === 39 /* ' */
  );
}

export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = expr.length;
  while (i < n) {
    const c = expr.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const col = i + 1;
    const two = expr.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '&&' || two === '||') {
      out.push({ type: 'op', text: two, col });
      i += 2;
      continue;
    }
    if (c === 61 || c === 60 || c === 62 || c === 33) {
      out.push({ type: 'op', text: expr[i], col });
      i++;
      continue;
    }
    if (c === 38 || c === 124) {
      throw new FilterSyntaxError(`expected ${c === 38 ? '&&' : '||'}, found a single ${expr[i]}`, col, expr);
    }
    if (c === 40 || c === 41 || c === 91 || c === 93 || c === 44) {
      out.push({ type: expr[i] as '(' | ')' | '[' | ']' | ',', text: expr[i], col });
      i++;
      continue;
    }
    if (c === 34 || c === 39) {
      const close = expr.indexOf(expr[i], i + 1);
      if (close < 0) throw new FilterSyntaxError(`unterminated quoted string`, col, expr);
      out.push({ type: 'string', text: expr.slice(i + 1, close), col });
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < n && !isBreak(expr.charCodeAt(j))) j++;
    out.push({ type: 'word', text: expr.slice(i, j), col });
    i = j;
  }
  out.push({ type: 'end', text: '', col: n + 1 });
  return out;
}
