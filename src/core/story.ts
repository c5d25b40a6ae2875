// The attack story: for each actor, the chain of what it did in order, mapped to ATT&CK
// tactics, with its victims and the span of time, told in plain sentences.
import { compareIp, sortIps } from '../net.js';
import { isoTime, timeMs } from '../record.js';
import { humanBytes, humanDuration } from '../render/human.js';

export interface StoryStep {
  time: string;
  end: string;
  method: string;
  submethod: string;
  tactic: string;
  technique: string;
  targets: string[];
  /** how many targets there were when the event's list was cut */
  target_count?: number;
  priority?: string;
  title?: string;
  detail: string;
  /** the event's id */
  event?: string;
  /** what the step was, as a clause of a sentence ("port-scanned 192.168.1.1") */
  sentence: string;
}

export interface Story {
  kind: 'story';
  actor: string;
  start: string;
  end: string;
  steps: StoryStep[];
  victims: string[];
  tactics: string[];
  text: string;
}

interface Mapping {
  tactic: string;
  technique: string;
  /** a verb phrase given the target description */
  phrase: (targets: string, ev: StoryEvent) => string;
}

const scan = (kind: string) => (t: string) => `port-scanned ${t} (${kind})`;
const guess = (svc: string) => (t: string) => `guessed ${svc} passwords on ${t}`;

/**
 * ATT&CK tactic and technique by method and submethod, used when an event carries no `attack`
 * of its own. T1557.003 (DHCP spoofing) is listed by ATT&CK under credential access.
 */
const MAP: Record<string, Record<string, Mapping> & { '*'?: Mapping }> = {
  DHCPANOM: {
    FAKESERVER: { tactic: 'credential-access', technique: 'T1557.003', phrase: (t) => `ran a rogue DHCP server that handed leases to ${t}, to put itself in the middle of their traffic` },
  },
  DNSANOMALY: {
    FORBIDDENSERVER: { tactic: 'collection', technique: 'T1557', phrase: (t, ev) => (ev.serverSide ? `answered the DNS queries of ${t} as a forbidden DNS server` : `resolved names through the forbidden DNS server ${t}`) },
    UNUSUALSERVER: { tactic: 'collection', technique: 'T1557', phrase: (t, ev) => (ev.serverSide ? `answered the DNS queries of ${t} as an unusual DNS server` : `resolved names through the unusual DNS server ${t}`) },
    TUNNEL: { tactic: 'command-and-control', technique: 'T1071.004', phrase: (t, ev) => (ev.serverSide ? `kept a DNS tunnel open with ${t}` : `tunnelled traffic through DNS to ${t}`) },
  },
  SCANS: {
    ARP: { tactic: 'reconnaissance', technique: 'T1595.001', phrase: (t) => `ARP-scanned ${t}` },
    TCPSYN: { tactic: 'reconnaissance', technique: 'T1046', phrase: scan('TCP SYN') },
    TCPFIN: { tactic: 'reconnaissance', technique: 'T1046', phrase: scan('TCP FIN') },
    TCPNULL: { tactic: 'reconnaissance', technique: 'T1046', phrase: scan('TCP NULL') },
    TCPXMAS: { tactic: 'reconnaissance', technique: 'T1046', phrase: scan('TCP Xmas') },
    UDP: { tactic: 'reconnaissance', technique: 'T1046', phrase: scan('UDP') },
    '*': { tactic: 'reconnaissance', technique: 'T1046', phrase: (t) => `scanned ${t}` },
  },
  ICMPANOM: {
    ICMPSCAN: { tactic: 'reconnaissance', technique: 'T1018', phrase: (t) => `ping-swept ${t}` },
    PINGFLOOD: { tactic: 'impact', technique: 'T1498.001', phrase: (t) => `flooded ${t} with pings` },
  },
  SSHDICT: {
    ATTEMPT: { tactic: 'credential-access', technique: 'T1110.001', phrase: guess('SSH') },
    SUCCESS: { tactic: 'credential-access', technique: 'T1110.001', phrase: (t) => `guessed SSH passwords on ${t} and then logged in` },
  },
  DICTATTACK: {
    '*': { tactic: 'credential-access', technique: 'T1110.001', phrase: (t, ev) => `guessed ${ev.submethod || 'service'} passwords on ${t}` },
  },
  DOS: {
    SYNFLOOD: { tactic: 'impact', technique: 'T1499.002', phrase: (t) => `SYN-flooded ${t}` },
    VOLUMETRIC: { tactic: 'impact', technique: 'T1498.001', phrase: (t) => `flooded ${t} with traffic` },
    '*': { tactic: 'impact', technique: 'T1498', phrase: (t) => `attacked the availability of ${t}` },
  },
  HIGHTRANSF: {
    UPLOAD: { tactic: 'exfiltration', technique: 'T1048', phrase: (t, ev) => `sent ${ev.bytesText}to ${t}` },
    DOWNLOAD: { tactic: 'collection', technique: 'T1005', phrase: (t, ev) => `pulled ${ev.bytesText}from ${t}` },
  },
  BEACON: {
    '*': { tactic: 'command-and-control', technique: 'T1071', phrase: (t) => `beaconed periodically to ${t}` },
  },
  BLACKLIST: {
    HOST: { tactic: 'command-and-control', technique: 'T1071', phrase: (t) => `talked with listed address ${t}` },
    DOMAIN: { tactic: 'command-and-control', technique: 'T1071.004', phrase: (t) => `looked up a listed domain via ${t}` },
  },
  ALIENDEV: {
    '*': { tactic: 'initial-access', technique: 'T1200', phrase: (t) => `appeared on the network as a device not seen before${t === 'nobody' ? '' : `, talking to ${t}`}` },
  },
};

/** What the story needs of an event (the rest of it is not kept). */
export interface StoryEvent {
  id?: string;
  start: number;
  end: number;
  /** the times as the event wrote them (the contract's form), not formatted again */
  startText: string;
  endText: string;
  method: string;
  submethod: string;
  src: string;
  targets: string[];
  target_count?: number;
  priority?: string;
  title?: string;
  detail: string;
  attack?: { tactic?: string; technique?: string };
  /** the address of the server, for methods whose event may name the client as src */
  server?: string;
  /** set when the story tells the event from the server's side */
  serverSide?: boolean;
  bytesText: string;
  seq: number;
}

const SERVER_SIDE = new Set(['DNSANOMALY/FORBIDDENSERVER', 'DNSANOMALY/UNUSUALSERVER', 'DNSANOMALY/TUNNEL']);

/** Pick what the story needs out of an event record; undefined when it is not an event. */
export function storyEvent(rec: Record<string, any>, seq: number): StoryEvent | undefined {
  if (rec.kind !== 'event' || typeof rec.src !== 'string' || typeof rec.method !== 'string') return undefined;
  const start = timeMs(rec.start);
  if (Number.isNaN(start)) return undefined;
  let end = timeMs(rec.end);
  if (Number.isNaN(end)) end = start;
  const ev = rec.evidence && typeof rec.evidence === 'object' ? rec.evidence : {};
  let server: string | undefined;
  for (const k of ['server', 'dns_server', 'dhcp_server']) if (typeof ev[k] === 'string') server = ev[k];
  if (!server && Array.isArray(ev.servers) && ev.servers.length === 1 && typeof ev.servers[0] === 'string') server = ev.servers[0];
  const bytes = typeof ev.bytes === 'number' ? ev.bytes : undefined;
  return {
    id: typeof rec.id === 'string' ? rec.id : undefined,
    start,
    end,
    startText: isoText(rec.start, start),
    endText: isoText(rec.end, end),
    method: rec.method,
    submethod: typeof rec.submethod === 'string' ? rec.submethod : '',
    src: rec.src,
    targets: Array.isArray(rec.targets) ? rec.targets.filter((t: unknown): t is string => typeof t === 'string') : [],
    target_count: typeof rec.target_count === 'number' ? rec.target_count : undefined,
    priority: typeof rec.priority === 'string' ? rec.priority : undefined,
    title: typeof rec.title === 'string' ? rec.title : undefined,
    detail: typeof rec.detail === 'string' ? rec.detail : '',
    attack: rec.attack && typeof rec.attack === 'object' ? { tactic: str(rec.attack.tactic), technique: str(rec.attack.technique) } : undefined,
    server,
    bytesText: bytes !== undefined ? `${humanBytes(bytes)} ` : '',
    seq,
  };
}

/** The contract's time text as it came when it is in that form, else formatted from ms. */
function isoText(v: unknown, ms: number): string {
  return typeof v === 'string' && ISO.test(v) ? v : isoTime(ms);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * Who the story tells an event under. Normally its `src`; for the DNS server methods, the
 * server (named in `evidence`, or the single target when that address is the source of
 * other events), since the client there is the victim, not the actor.
 */
function actorOf(ev: StoryEvent, sources: Set<string>): string {
  if (!SERVER_SIDE.has(`${ev.method}/${ev.submethod}`)) return ev.src;
  if (ev.server && ev.server !== ev.src) return ev.server;
  if (!ev.server && ev.targets.length === 1 && ev.targets[0] !== ev.src && sources.has(ev.targets[0])) return ev.targets[0];
  return ev.src;
}

/** Describe up to three targets, then how many more: "a, b and 3 more". */
export function describeTargets(targets: string[], count?: number, withTotal = true): string {
  const total = Math.max(count ?? 0, targets.length);
  if (total === 0) return 'nobody';
  const shown = targets.slice(0, 3);
  const more = total - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more${withTotal ? ` (${total} hosts)` : ''}`;
  if (shown.length === 1) return shown[0];
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function hms(ms: number): string {
  return isoTime(ms).slice(11, 19);
}

/** Build the stories, one per actor, actors in the order of their first step. */
export function buildStories(events: StoryEvent[]): Story[] {
  const sources = new Set(events.map((e) => e.src));
  const byActor = new Map<string, { ev: StoryEvent; victims: string[] }[]>();
  for (const ev of events) {
    const actor = actorOf(ev, sources);
    const serverSide = actor !== ev.src;
    const e: StoryEvent = serverSide ? { ...ev, serverSide: true } : ev;
    // told from the server's side, the client (the event's src) is the victim
    const victims = serverSide ? [ev.src] : ev.targets.filter((t) => t !== actor);
    let list = byActor.get(actor);
    if (!list) byActor.set(actor, (list = []));
    list.push({ ev: e, victims });
  }
  const stories: Story[] = [];
  for (const [actor, list] of byActor) {
    list.sort((a, b) => a.ev.start - b.ev.start || a.ev.end - b.ev.end || a.ev.seq - b.ev.seq);
    const victims = new Set<string>();
    const tactics: string[] = [];
    let start = Infinity;
    let end = -Infinity;
    const steps: StoryStep[] = list.map(({ ev, victims: v }) => {
      for (const x of v) victims.add(x);
      start = Math.min(start, ev.start);
      end = Math.max(end, ev.end);
      const m = MAP[ev.method]?.[ev.submethod] ?? MAP[ev.method]?.['*'];
      const tactic = ev.attack?.tactic ?? m?.tactic ?? 'unknown';
      const technique = ev.attack?.technique ?? m?.technique ?? '';
      if (!tactics.includes(tactic)) tactics.push(tactic);
      const tdesc = describeTargets(v, ev.serverSide ? undefined : ev.target_count);
      const clause = m ? m.phrase(tdesc, ev) : `${ev.title ? `was seen in "${ev.title}"` : `raised ${ev.method}/${ev.submethod}`} against ${tdesc}`;
      const step: StoryStep = {
        time: ev.startText,
        end: ev.endText,
        method: ev.method,
        submethod: ev.submethod,
        tactic,
        technique,
        targets: v.slice().sort(compareIp),
        detail: ev.detail,
        sentence: clause,
      };
      if (ev.target_count !== undefined && !ev.serverSide) step.target_count = ev.target_count;
      if (ev.priority) step.priority = ev.priority;
      if (ev.title) step.title = ev.title;
      if (ev.id) step.event = ev.id;
      return step;
    });
    const vlist = sortIps(victims);
    stories.push({ kind: 'story', actor, start: isoTime(start), end: isoTime(end), steps, victims: vlist, tactics, text: storyText(actor, start, end, steps, vlist) });
  }
  stories.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return stories;
}

/** The plain sentences: one opening sentence, then one per step in order. */
export function storyText(actor: string, start: number, end: number, steps: StoryStep[], victims: string[]): string {
  const span = end > start ? `from ${hms(start)} to ${hms(end)} UTC on ${isoTime(start).slice(0, 10)} (${humanDuration(end - start)})` : `at ${hms(start)} UTC on ${isoTime(start).slice(0, 10)}`;
  const who = victims.length === 0 ? '' : victims.length === 1 ? `, against ${victims[0]}` : `, against ${victims.length} hosts (${describeTargets(victims, undefined, false)})`;
  const out = [`${actor} took ${steps.length} step${steps.length === 1 ? '' : 's'} ${span}${who}.`];
  steps.forEach((s, i) => {
    const lead = i === 0 ? 'First' : i === steps.length - 1 ? 'Finally' : 'Then';
    const at = hms(timeMs(s.time));
    const tt = s.technique ? `${s.tactic}, ${s.technique}` : s.tactic;
    out.push(`${lead}, at ${at}, it ${s.sentence} (${tt}).`);
  });
  return out.join(' ');
}
