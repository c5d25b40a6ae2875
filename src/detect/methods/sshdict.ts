// SSHDICT and DICTATTACK: password guessing, found by the shape of the sessions (after
// SSHCure, Hofstede et al.): a guessing tool opens many authentication sessions from one
// source to one service that all look alike (a narrow band of packets per flow, little data,
// started in quick succession), because each carries the same exchange with another password.
// Tools pack several guesses into one connection (hydra against OpenSSH), so a handful of
// long-ish similar sessions counts too. A session after or among the guesses that is clearly
// unlike them (far more packets, data or time: an interactive or copying session) means a
// guess worked: SSHDICT/SUCCESS, or `success` in a DICTATTACK event, and the event is critical.
// A single login, however large, is never an event: there is no band of failures around it.
import { METHOD_DEFAULTS } from '../config.js';
import type { Candidate, DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { fmtBytes, fmtDuration, median, plural } from '../util.js';

export interface Session {
  start: number;
  end: number;
  /** packets both ways */
  pkts: number;
  /** bytes both ways */
  bytes: number;
  id?: string;
}

export interface ShapeSettings {
  min_sessions: number;
  similar_pkts_ratio: number;
  similar_pkts_abs: number;
  min_similar_ratio: number;
  similar_bytes_ratio: number;
  similar_bytes_abs: number;
  max_median_gap_s: number;
  max_attempt_bytes: number;
  success_pkts_factor: number;
  success_bytes_factor: number;
  success_duration_factor: number;
  min_success_duration_s: number;
}

export interface Verdict {
  attempts: Session[];
  successes: Session[];
  medianPkts: number;
  medianBytes: number;
  medianDurMs: number;
  medianGapMs: number;
}

/** The band of similar sessions: the largest set within the similarity tolerance of its lowest member. */
function densestBand(sessions: Session[], s: ShapeSettings): Session[] {
  const sorted = [...sessions].sort((a, b) => a.pkts - b.pkts);
  let bestFrom = 0;
  let bestTo = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    const lo = sorted[i]!.pkts;
    const hi = lo + Math.max(s.similar_pkts_abs, lo * s.similar_pkts_ratio * 2);
    if (j < i) j = i;
    while (j + 1 < sorted.length && sorted[j + 1]!.pkts <= hi) j++;
    if (j - i > bestTo - bestFrom) {
      bestFrom = i;
      bestTo = j;
    }
  }
  return sorted.slice(bestFrom, bestTo + 1);
}

/** Whether a session is clearly unlike the guesses (a login that worked). */
export function unlike(x: Session, v: { medianPkts: number; medianBytes: number; medianDurMs: number }, s: ShapeSettings): boolean {
  const dur = x.end - x.start;
  return (
    x.pkts >= v.medianPkts * s.success_pkts_factor ||
    x.bytes >= v.medianBytes * s.success_bytes_factor ||
    (dur >= v.medianDurMs * s.success_duration_factor && dur >= s.min_success_duration_s * 1000)
  );
}

/** Judge the sessions of one (source, server, service): guessing (and success), or undefined. */
export function judgeSessions(sessions: Session[], s: ShapeSettings, minSessions = s.min_sessions, maxGapS = s.max_median_gap_s): Verdict | undefined {
  if (sessions.length < minSessions) return undefined;
  const band = densestBand(sessions, s).filter((x) => x.bytes <= s.max_attempt_bytes);
  if (band.length < minSessions) return undefined;
  const attempts = band.sort((a, b) => a.start - b.start);
  const starts = attempts.map((x) => x.start);
  const gaps: number[] = [];
  for (let i = 1; i < starts.length; i++) gaps.push(starts[i]! - starts[i - 1]!);
  const medianGapMs = median(gaps);
  if (medianGapMs > maxGapS * 1000) return undefined;
  const medianPkts = median(attempts.map((x) => x.pkts));
  const medianBytes = median(attempts.map((x) => x.bytes));
  const medianDurMs = median(attempts.map((x) => x.end - x.start));
  // failed logins also carry the same bytes (the same refusal every time); a browser fetching
  // pages of a server opens sessions of a similar packet count but of very different sizes
  const bytesTol = Math.max(s.similar_bytes_abs, medianBytes * s.similar_bytes_ratio);
  const sameBytes = attempts.filter((x) => Math.abs(x.bytes - medianBytes) <= bytesTol).length;
  if (sameBytes < Math.max(minSessions, attempts.length * s.min_similar_ratio)) return undefined;
  const inBand = new Set(attempts);
  const firstAttempt = attempts[0]!.start;
  const others = sessions.filter((x) => !inBand.has(x));
  const successes = others.filter((x) => x.end >= firstAttempt && unlike(x, { medianPkts, medianBytes, medianDurMs }, s));
  // the sessions that are neither guesses nor successes must not dominate (a busy, varied client)
  if (attempts.length + successes.length < sessions.length * s.min_similar_ratio) return undefined;
  return { attempts, successes: successes.sort((a, b) => a.start - b.start), medianPkts, medianBytes, medianDurMs, medianGapMs };
}

interface PairState {
  src: string;
  dst: string;
  port: number;
  sub: string;
  sessions: Session[];
  first: number;
  last: number;
}

interface Remembered {
  until: number;
  attempts: number;
  first: number;
  medianPkts: number;
  medianBytes: number;
  medianDurMs: number;
}

interface Service {
  method: 'SSHDICT' | 'DICTATTACK';
  /** the service's name: SSH, RDP, … (DICTATTACK's submethod) */
  name: string;
}

function makeMethod(kind: 'SSHDICT' | 'DICTATTACK'): DetectionMethod {
  const defaults = kind === 'SSHDICT' ? METHOD_DEFAULTS.SSHDICT : METHOD_DEFAULTS.DICTATTACK;
  const services = Object.keys(METHOD_DEFAULTS.DICTATTACK.services);
  const serviceTitles: Record<string, string> = {
    RDP: 'RDP', TELNET: 'Telnet', FTP: 'FTP', SMB: 'SMB', VNC: 'VNC', MYSQL: 'MySQL', MSSQL: 'MS SQL', POSTGRES: 'PostgreSQL',
    SMTP: 'SMTP', IMAP: 'IMAP', POP3: 'POP3', HTTP: 'HTTP login',
  };
  return {
    name: kind,
    submethods: kind === 'SSHDICT' ? ['ATTEMPT', 'SUCCESS'] : services,
    title:
      kind === 'SSHDICT'
        ? { ATTEMPT: 'SSH dictionary attack', SUCCESS: 'SSH dictionary attack' }
        : Object.fromEntries(services.map((s) => [s, `${serviceTitles[s] ?? s} dictionary attack`])),
    attack:
      kind === 'SSHDICT'
        ? { ATTEMPT: { tactic: 'credential-access', technique: 'T1110.001' }, SUCCESS: { tactic: 'credential-access', technique: 'T1110.001' } }
        : Object.fromEntries(services.map((s) => [s, { tactic: 'credential-access', technique: 'T1110.001' }])),
    priority: kind === 'SSHDICT' ? { ATTEMPT: 'high', SUCCESS: 'critical' } : Object.fromEntries(services.map((s) => [s, 'high' as const])),
    windowMs: defaults.idle_s * 1000,
    defaults,
    create(ctx: MethodContext): MethodInstance {
      const s = ctx.settings;
      const idleMs = s.idle_s * 1000;
      const spanMs = s.max_span_s * 1000;
      const memoryMs = s.success_memory_s * 1000;
      const byPort = new Map<number, Service>();
      const byApp = new Map<string, Service>();
      if (kind === 'SSHDICT') {
        byPort.set(22, { method: kind, name: 'SSH' });
        byApp.set('ssh', { method: kind, name: 'SSH' });
      } else {
        for (const [name, ports] of Object.entries(s.services as Record<string, number[]>)) {
          for (const p of ports) if (p !== 22) byPort.set(p, { method: kind, name });
          byApp.set(name.toLowerCase(), { method: kind, name });
        }
        byApp.delete('ssh');
      }
      const pairs = new Map<string, PairState>();
      const remembered = new Map<string, Remembered>();
      let nextSweep = -Infinity;

      const shape = (sub: string): [number, number] => {
        if (kind === 'SSHDICT') return [s.min_sessions, s.max_median_gap_s];
        return [s.service_min_sessions?.[sub] ?? s.min_sessions, s.service_max_median_gap_s?.[sub] ?? s.max_median_gap_s];
      };

      // byPort as a table for the integer ports flows carry (a Map lookup per flow costs more)
      const portTable: (Service | undefined)[] = new Array(65536).fill(undefined);
      for (const [p, svc] of byPort) if (Number.isInteger(p) && p >= 0 && p < 65536) portTable[p] = svc;

      function serviceOf(f: Flow): Service | undefined {
        const dp = f.dport;
        const byP = dp === undefined ? undefined : dp < 65536 && (dp | 0) === dp ? portTable[dp] : byPort.get(dp);
        if (byP) return byP;
        return f.app !== undefined ? byApp.get(f.app) : undefined;
      }

      function judge(key: string, p: PairState): void {
        const [minS, gapS] = shape(p.sub);
        const v = judgeSessions(p.sessions, s as ShapeSettings, minS, gapS);
        if (!v) return;
        remembered.set(key, {
          until: p.last + memoryMs,
          attempts: v.attempts.length,
          first: v.attempts[0]!.start,
          medianPkts: v.medianPkts,
          medianBytes: v.medianBytes,
          medianDurMs: v.medianDurMs,
        });
        emit(p, v.attempts, v.successes, v, v.medianGapMs);
      }

      function emit(p: PairState, attempts: Session[], successes: Session[], v: { medianPkts: number; medianBytes: number; medianDurMs: number }, gapMs: number | undefined, attemptCount = attempts.length, firstAttempt = attempts[0]?.start): void {
        const success = successes.length > 0;
        const svc = kind === 'SSHDICT' ? 'SSH' : p.sub;
        const all = [...attempts, ...successes];
        const start = Math.min(firstAttempt ?? Infinity, ...all.map((x) => x.start));
        const end = Math.max(...all.map((x) => x.end));
        const guessSpan = attempts.length ? attempts[attempts.length - 1]!.end - attempts[0]!.start : 0;
        let detail = `${plural(attemptCount, `${svc} session`)} of about ${Math.round(v.medianPkts)} packets from ${p.src} to ${p.dst}:${p.port}`;
        detail += attempts.length ? ` in ${fmtDuration(guessSpan)}` : ' earlier';
        if (success) {
          const big = successes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
          const dur = big.end - big.start;
          const factor = Math.max(big.pkts / Math.max(v.medianPkts, 1), big.bytes / Math.max(v.medianBytes, 1));
          detail += `, then ${successes.length === 1 ? 'a' : `${successes.length} sessions, the largest a`} ${fmtDuration(dur)} session of ${big.pkts} packets and ${fmtBytes(big.bytes)} (${factor >= 10 ? Math.round(factor) : factor.toFixed(1)}x the guesses): password guessing that likely succeeded`;
        } else {
          detail += `: password guessing`;
        }
        const flows: string[] = [];
        for (const x of successes) if (x.id && flows.length < 10) flows.push(x.id);
        for (const x of attempts) if (x.id && flows.length < 20) flows.push(x.id);
        const evidence: Record<string, unknown> = {
          service: svc,
          sessions: attemptCount,
          median_pkts: Math.round(v.medianPkts),
          median_bytes: Math.round(v.medianBytes),
          median_duration_s: Math.round(v.medianDurMs / 100) / 10,
        };
        if (gapMs !== undefined) evidence.median_gap_s = Math.round(gapMs / 100) / 10;
        evidence.success = success;
        if (success) {
          evidence.success_sessions = successes.length;
          evidence.success_pkts = successes.reduce((a, b) => a + b.pkts, 0);
          evidence.success_bytes = successes.reduce((a, b) => a + b.bytes, 0);
          evidence.success_duration_s = Math.round(successes.reduce((a, b) => a + (b.end - b.start), 0) / 100) / 10;
        }
        const c: Candidate = {
          method: kind,
          submethod: kind === 'SSHDICT' ? (success ? 'SUCCESS' : 'ATTEMPT') : p.sub,
          src: p.src,
          targets: [p.dst],
          start,
          end,
          ports: [p.port],
          proto: 'tcp',
          detail,
          evidence,
          flows,
        };
        if (success) c.minPriority = 'critical';
        ctx.emit(c);
      }

      function sweep(now: number): void {
        for (const [key, p] of pairs) {
          if (now > p.last + idleMs || now > p.first + spanMs) {
            pairs.delete(key);
            judge(key, p);
          }
        }
        for (const [key, r] of remembered) if (now > r.until) remembered.delete(key);
      }

      return {
        flow(f, t, tEnd) {
          if (f.proto !== 'tcp') return;
          const svc = serviceOf(f);
          if (!svc) return;
          const fl = f.flags;
          // a session that carried an exchange: the originator acknowledged, enough packets, an
          // answer (one-direction records, which leave rpkts out, cannot show it and are taken)
          if (fl === undefined || fl.indexOf('A') < 0 || f.pkts < s.min_session_pkts || f.rpkts === 0) return;
          const src = f.src;
          const dst = f.dst;
          const port = f.dport;
          if (src === undefined || dst === undefined || port === undefined) return;
          const key = src + ' ' + dst + ' ' + port;
          const sess: Session = { start: t, end: tEnd, pkts: f.pkts + (f.rpkts ?? 0), bytes: f.bytes + (f.rbytes ?? 0) };
          if (f.id !== undefined) sess.id = f.id;
          let p = pairs.get(key);
          if (p && (t > p.last + idleMs || t > p.first + spanMs)) {
            pairs.delete(key);
            judge(key, p);
            p = undefined;
          }
          if (!p) {
            // guessing was seen on this pair before: a clearly unlike session now is the login that worked
            const r = remembered.get(key);
            if (r && t <= r.until && unlike(sess, r, s as ShapeSettings)) {
              remembered.delete(key);
              emit({ src, dst, port, sub: svc.name, sessions: [], first: t, last: tEnd }, [], [sess], r, undefined, r.attempts, r.first);
              return;
            }
            pairs.set(key, (p = { src, dst, port, sub: svc.name, sessions: [], first: t, last: tEnd }));
          }
          p.sessions.push(sess);
          if (tEnd > p.last) p.last = tEnd;
          if (p.sessions.length >= s.max_sessions) {
            pairs.delete(key);
            judge(key, p);
          }
        },
        advance(now) {
          if (now < nextSweep) return;
          nextSweep = now + 5000;
          sweep(now);
        },
        finish() {
          for (const [key, p] of pairs) judge(key, p);
          pairs.clear();
          remembered.clear();
        },
      };
    },
  };
}

export const sshdict = makeMethod('SSHDICT');
export const dictattack = makeMethod('DICTATTACK');
