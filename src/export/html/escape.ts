// Escaping for the HTML report: every string that may come from the network (DNS names, DHCP
// host names, details that quote them) goes through here before it reaches the page.
import { escapeControl } from '../../term.js';

const HTML_SPECIAL = /[&<>"'`=]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

/**
 * Text safe in element content and in quoted attribute values: control characters (C0, DEL,
 * C1, bidi overrides, line separators) made visible as escapes, then the HTML specials as
 * entities. Non-strings are shown as JSON.
 */
export function esc(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v) ?? '';
  const t = escapeControl(s);
  HTML_SPECIAL.lastIndex = 0;
  return HTML_SPECIAL.test(t) ? t.replace(HTML_SPECIAL, (c) => ENTITY[c]) : t;
}

/**
 * A link target from the data, only when it is an absolute http(s) URL without control
 * characters or credentials; anything else (javascript:, data:, relative) gives undefined and
 * is shown as text.
 */
export function safeUrl(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > 4096 || /[\u0000-\u0020\u007f-\u009f]/.test(v)) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.username || u.password) return undefined;
  return u.href;
}

/** An anchor to an http(s) URL from the data (escaped), or the escaped text when it is not one. */
export function link(url: unknown, text?: string): string {
  const href = safeUrl(url);
  const label = esc(text ?? url);
  return href ? `<a href="${esc(href)}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>` : label;
}
