// Every number fir detect decides with, in one place, and the JSON config file that changes
// them. The defaults are meant for an ordinary LAN without tuning; fir-detect(1) lists them.
import { UsageError } from '../errors.js';
import { parseCidr, parseIp } from '../net.js';
import { isPriority } from '../record.js';
import type { DetectConfig } from './types.js';

/** Engine settings (the `engine` section of the config file). */
export const ENGINE_DEFAULTS = {
  /** flow time the engine waits behind the latest flow end before closing windows (disorder slack) */
  reorder_slack_s: 120,
  /** targets listed in an event before the list is cut (target_count then says how many) */
  max_targets: 100,
  /** flow ids kept in evidence.flows */
  max_evidence_flows: 20,
};

/** Per-method thresholds (the `methods` section): each method's defaults. */
export const METHOD_DEFAULTS = {
  SCANS: {
    /** a source's probes are counted until it has sent none for this long, seconds ... */
    window_s: 600,
    /** ... or for at most this long (a slow endless scan is reported in parts, merged into one event) */
    max_span_s: 900,
    /** horizontal: distinct targets probed on one port */
    min_targets: 20,
    /** vertical: distinct ports probed on one target */
    min_ports: 20,
    /** mixed: distinct (target, port) pairs probed, over at least 2 targets and 2 ports */
    min_pairs: 40,
    /** UDP probes need more distinct pairs (UDP has no handshake to fail) */
    udp_min_pairs: 40,
    /** a completed TCP handshake with at most this many originator packets and no payload counts as a probe (connect scan) */
    connect_probe_max_pkts: 3,
    /** ARP: distinct addresses asked for by one source */
    arp_min_targets: 24,
    /** ARP: share of those addresses that never answered (a live segment answers) ... */
    arp_min_unanswered_ratio: 0.5,
    /** ... unless the source asks for at least this many addresses */
    arp_always_targets: 128,
    /** distinct (target, port) pairs remembered per source and window (memory bound) */
    max_pairs_per_source: 20000,
    /** a UDP flow of at most this many packets without an answer is a probe */
    udp_probe_max_pkts: 3,
    /** probes of a pair already probed count (and stretch the scan) up to this many times ... */
    max_probes_per_pair: 3,
    /** ... and only within this many seconds of the scan's last probe (a later flood of one pair does not) */
    retry_within_s: 60,
    /** UDP destination ports from..to that traceroute uses: not probes */
    traceroute_ports: [33434, 33534],
  },
  ICMPANOM: {
    /** a source's echo requests are counted until it has sent none for this long, seconds */
    window_s: 600,
    /** ping sweep: distinct addresses sent echo requests */
    sweep_min_targets: 20,
    /** on a LAN: echo requests to at least this many live addresses ... */
    lan_sweep_min_echo_targets: 2,
    /** ... together with ARP requests for at least this many addresses around them */
    lan_sweep_min_arp_targets: 20,
    /** seconds before the first and after the last echo request in which ARP requests count */
    lan_sweep_arp_margin_s: 30,
    /** ping flood: echo request packets to one target ... */
    flood_min_pkts: 2000,
    /** ... at this rate or more, packets per second */
    flood_min_pps: 200,
    /** addresses remembered per source (echo targets, ARP requests; memory bound) */
    max_targets_per_source: 20000,
  },
  SSHDICT: {
    /** a (source, server, service) pair is judged after this much flow time without a session */
    idle_s: 300,
    /** similar authentication sessions needed */
    min_sessions: 4,
    /** sessions are similar when packets per flow are within this share of the median ... */
    similar_pkts_ratio: 0.25,
    /** ... or within this many packets */
    similar_pkts_abs: 4,
    /** share of the sessions that must be similar */
    min_similar_ratio: 0.6,
    /** and that share of the similar sessions must carry bytes (both ways) within this share of their median ... */
    similar_bytes_ratio: 0.3,
    /** ... or within this many bytes */
    similar_bytes_abs: 600,
    /** median gap between session starts, seconds (guessing tools reconnect at once; hydra waits up to 32 s for an answer per task) */
    max_median_gap_s: 45,
    /** an authentication attempt is small: bytes both ways at most */
    max_attempt_bytes: 40000,
    /** a session with fewer originator packets is a port probe, not a login attempt */
    min_session_pkts: 4,
    /** success: a session with this many times the median packets ... */
    success_pkts_factor: 3,
    /** ... or this many times the median bytes ... */
    success_bytes_factor: 4,
    /** ... or this many times the median duration (and at least min_success_duration_s) */
    success_duration_factor: 4,
    min_success_duration_s: 5,
    /** sessions kept per pair (memory bound); a pair reaching it is judged at once */
    max_sessions: 1000,
    /** a pair busy for longer than this is judged in parts (memory bound; the parts merge into one event), seconds */
    max_span_s: 900,
    /** after guessing, a clearly unlike session of the same pair this much later still counts as success, seconds */
    success_memory_s: 3600,
  },
  DICTATTACK: {
    /** the settings mean what they mean for SSHDICT; the values differ */
    idle_s: 300,
    /** similar sessions needed (per service: service_min_sessions) */
    min_sessions: 10,
    similar_pkts_ratio: 0.25,
    similar_pkts_abs: 3,
    min_similar_ratio: 0.7,
    similar_bytes_ratio: 0.3,
    similar_bytes_abs: 600,
    /** median gap between session starts, seconds (per service: service_max_median_gap_s) */
    max_median_gap_s: 20,
    max_attempt_bytes: 40000,
    min_session_pkts: 3,
    success_pkts_factor: 3,
    success_bytes_factor: 4,
    success_duration_factor: 4,
    min_success_duration_s: 5,
    max_sessions: 1000,
    max_span_s: 900,
    success_memory_s: 3600,
    /** services (port → submethod); a flow's `app` name is used too */
    services: {
      RDP: [3389],
      TELNET: [23],
      FTP: [21],
      SMB: [445, 139],
      VNC: [5900, 5901],
      MYSQL: [3306],
      MSSQL: [1433],
      POSTGRES: [5432],
      SMTP: [25, 587, 465],
      IMAP: [143, 993],
      POP3: [110, 995],
      HTTP: [80, 8080],
    } as Record<string, number[]>,
    /** per-service overrides of min_sessions / max_median_gap_s (web and mail clients are chatty) */
    service_min_sessions: { HTTP: 40, SMTP: 20, SMB: 20, IMAP: 20, POP3: 20 } as Record<string, number>,
    service_max_median_gap_s: { HTTP: 2, SMTP: 5, SMB: 3, IMAP: 5, POP3: 5 } as Record<string, number>,
  },
  DHCPANOM: {
    /** DHCP answers are judged this long after they are seen, so a slower legitimate server is known */
    window_s: 120,
    /** a rogue server answering again within this long widens its event */
    event_window_s: 600,
    /** without --dhcp-servers: a server is rogue when another one on its segment serves at least this many clients ... */
    min_main_clients: 2,
    /** ... and this many times the clients it serves */
    main_clients_factor: 2,
    /** the segment of a server when no --local-nets contains it: IPv4 and IPv6 prefix lengths */
    segment_prefix_v4: 24,
    segment_prefix_v6: 64,
    /** answers remembered per window (memory bound) */
    max_answers: 10000,
    /** servers, routers and clients remembered for the decision from traffic (memory bound) */
    max_servers: 1000,
    max_clients_per_server: 1024,
  },
  DNSANOMALY: {
    /** a client's queries to one server are counted over this long, seconds */
    window_s: 300,
    /** a client using the server again within this long widens its event */
    event_window_s: 600,
    /** without --dns-servers: a server is usual when at least this many clients use it ... */
    usual_min_clients: 2,
    /** ... and unusual when it has at most this share of the clients of the most used server */
    unusual_max_client_ratio: 0.1,
    /** servers and clients remembered for the baseline (memory bound) */
    max_servers: 10000,
    /** clients counted per server: more make no difference to the decision */
    max_clients_per_server: 256,
    /** DNS server ports */
    ports: [53],
    /** TUNNEL (src/detect/methods/tunnel.ts): a client's DNS per domain is judged over this long, seconds */
    tunnel_window_s: 300,
    /** TUNNEL: queries to one domain needed before it is judged */
    tunnel_min_queries: 50,
    /** TUNNEL: carrier signs needed (big queries, many subdomains, long or random names, odd query types, DNS over TCP, volume) */
    tunnel_min_signs: 2,
    /** TUNNEL sign: mean IP bytes per query at least (an ordinary query is 60 to 110) */
    tunnel_query_bytes: 150,
    /** TUNNEL sign: distinct subdomains of the domain at least ... */
    tunnel_subdomains: 50,
    /** ... that are this share of the names asked at least */
    tunnel_unique_ratio: 0.5,
    /** TUNNEL sign: share of names with a label this long or longer ... */
    tunnel_long_label: 40,
    /** ... or a label of at least 16 characters with this many bits of entropy per character ... */
    tunnel_entropy_bits: 3.5,
    /** ... at least */
    tunnel_long_ratio: 0.5,
    /** TUNNEL sign: share of TXT, NULL, CNAME, MX, ANY, SRV or PRIVATE queries at least */
    tunnel_odd_qtype_ratio: 0.5,
    /** TUNNEL sign: DNS over TCP bytes (both ways) to the domain's servers at least */
    tunnel_tcp_bytes: 500000,
    /** TUNNEL sign: the client's DNS bytes this many times the median of the other clients (with at least 2 of them) */
    tunnel_volume_factor: 10,
    /** TUNNEL: clients and domains per client remembered (memory bound) */
    tunnel_max_clients: 20000,
    tunnel_max_domains_per_client: 64,
    /** TUNNEL: distinct subdomains counted per domain (more make no difference) */
    tunnel_max_names: 2000,
  },
  DOS: {
    /** a target's incoming connection attempts and packets are counted in windows of this long, seconds */
    window_s: 10,
    /** a flood continuing within this long widens its event, seconds */
    event_window_s: 300,
    /** SYNFLOOD: half-open attempts (SYN without the originator's handshake ACK) to one target in a window ... */
    syn_min_attempts: 300,
    /** ... at this rate at least, per second ... */
    syn_min_rate: 30,
    /** ... making at least this share of the SYNs it received (a busy server completes most) */
    syn_min_halfopen_ratio: 0.8,
    /** ... aimed at this many destination ports at most (more is a port scan: SCANS) */
    syn_max_ports: 20,
    /** VOLUMETRIC: packets to one target in a window ... */
    vol_min_pkts: 50000,
    /** ... at this rate at least, per second ... */
    vol_min_pps: 5000,
    /** ... with at least this many packets in for each packet the target sent back */
    vol_min_in_out_ratio: 10,
    /** both: and this many times the target's usual window (once it has min_history earlier windows) */
    usual_factor: 10,
    min_history: 3,
    /** a flood from more sources than this names the top ones and counts the rest */
    max_named_sources: 5,
    /** a source is named when it sent at least this share of the flood */
    named_source_ratio: 0.1,
    /** targets and sources per target remembered (memory bound) */
    max_targets: 100000,
    max_sources_per_target: 10000,
  },
  HIGHTRANSF: {
    /** a transfer (one connection) is judged this long after it ended, seconds, so the transfers around it count; a later big one of the host widens the event */
    idle_s: 300,
    /** a transfer below this many bytes in one direction is never an event ... */
    min_bytes: 500000,
    /** ... one of this many or more always is */
    always_bytes: 10000000000,
    /** in between: this many times the percentile of the capture's other transfers in that direction ... */
    percentile: 95,
    percentile_factor: 5,
    /** ... counting transfers of at least this many bytes (handshakes and probes are not transfers) ... */
    percentile_min_bytes: 1000,
    /** ... once this many have been seen (before that, min_bytes and the host's usual decide) */
    percentile_min_transfers: 20,
    /** ... and this many times the largest other transfer of the host in that direction, and of the pair (counting the transfers of at least min_bytes / host_factor: smaller ones cannot quiet one of min_bytes), once the host has host_min_history of them */
    host_factor: 5,
    host_min_history: 2,
    /** hosts, pairs and transfers waiting for judgement remembered (memory bound) */
    max_hosts: 100000,
    max_pairs: 100000,
    max_pending: 10000,
  },
  BLACKLIST: {
    /** a host's traffic with listed addresses within this long widens its event, seconds */
    event_window_s: 3600,
    /** addresses remembered as listed or not (a cache; cleared when full) */
    max_cache: 100000,
    /** also match DNS answers (addresses a listed name resolved to are listed while the capture runs) */
    answers: true,
  },
  BEACON: {
    /** connections of a pair are judged at the end of input or after this long without one, seconds */
    idle_s: 3600,
    /** a beacon seen again within this long widens its event, seconds */
    event_window_s: 86400,
    /** answered connections needed (failed attempts are never counted: retries are periodic too) */
    min_connections: 20,
    /** score (0 to 1, the mean of the timing and the size score) needed */
    min_score: 0.8,
    /** timing: the MADM of inter-arrival times scores 0 at this many seconds (RITA: 30) or at the median interval when shorter */
    ts_madm_scale_s: 30,
    /** size: the MADM of bytes per connection scores 0 at this many bytes (RITA: 32) */
    ds_madm_scale_bytes: 32,
    /** size: the most common size scores 0 at this many bytes (RITA: 65535) */
    ds_smallness_bytes: 65535,
    /** intervals shorter than this are one connection burst, not a beat, seconds */
    min_interval_s: 1,
    /** well-known periodic infrastructure is not a beacon: destination ports (NTP, DNS, DHCP, NetBIOS, SSDP, mDNS, LLMNR, syslog, SNMP traps) */
    ignore_ports: [123, 53, 67, 68, 137, 138, 1900, 5353, 5355, 514, 162],
    /** ... and destination networks (e.g. the update or monitoring servers) */
    ignore_nets: [],
    /** peers in the local networks are judged too (RITA scores internal hosts calling external ones; a LAN's own periodic jobs, backups and monitoring, are not beacons) */
    local_peers: false,
    /** pairs and connection times per pair remembered (memory bound) */
    max_pairs: 200000,
    max_connections_per_pair: 4000,
  },
  ALIENDEV: {
    /** without --inventory: devices first seen in this many seconds of flow time from the first flow are known */
    learning_s: 600,
    /** a new device's traffic within this long widens its event, seconds */
    event_window_s: 3600,
    /** a new device is reported after this long of its traffic (more peers and flows in one event), seconds */
    report_after_s: 60,
    /** devices remembered (memory bound) */
    max_devices: 100000,
  },
};

export type MethodName = keyof typeof METHOD_DEFAULTS;

const TOP_KEYS = ['local_nets', 'dhcp_servers', 'dns_servers', 'methods', 'perspectives', 'perspective', 'engine'];

/**
 * Read and check a config file's text. Every error is a usage error (exit 2) that says
 * where: `FILE: methods.SCANS.min_targets: expected a number`.
 * `knownDefaults` maps method name → its defaults (from the registry), so methods added later
 * are checked the same way.
 */
export function parseConfig(text: string, source: string, knownDefaults: Record<string, Record<string, unknown>>): DetectConfig {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config: ${source}: not valid JSON (${(err as Error).message.slice(0, 100)})`);
  }
  const bad = (path: string, msg: string) => new UsageError(`--config: ${source}: ${path}: ${msg}`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('(top)', 'expected a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!TOP_KEYS.includes(k)) throw bad(k, `unknown key (keys: ${TOP_KEYS.join(', ')})`);
  for (const k of ['local_nets', 'dhcp_servers', 'dns_servers'] as const) {
    if (o[k] === undefined) continue;
    const list = o[k];
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw bad(k, 'expected an array of strings');
    for (const s of list as string[]) {
      if (k === 'local_nets' ? !parseCidr(s) : !parseIp(s)) throw bad(k, `not ${k === 'local_nets' ? 'a network' : 'an IP address'}: ${s}`);
    }
  }
  if (o.engine !== undefined) checkSection(o.engine, ENGINE_DEFAULTS, 'engine', bad);
  if (o.methods !== undefined) {
    if (typeof o.methods !== 'object' || o.methods === null || Array.isArray(o.methods)) throw bad('methods', 'expected an object of method sections');
    for (const [name, sec] of Object.entries(o.methods as Record<string, unknown>)) {
      const defs = knownDefaults[name];
      if (!defs) throw bad(`methods.${name}`, `unknown method (methods: ${Object.keys(knownDefaults).join(', ')})`);
      checkSection(sec, defs, `methods.${name}`, bad);
    }
  }
  if (o.perspective !== undefined && typeof o.perspective !== 'string') throw bad('perspective', 'expected a perspective name');
  if (o.perspectives !== undefined) checkPerspectives(o.perspectives, bad);
  return o as DetectConfig;
}

function checkSection(sec: unknown, defs: Record<string, unknown>, path: string, bad: (p: string, m: string) => Error): void {
  if (typeof sec !== 'object' || sec === null || Array.isArray(sec)) throw bad(path, 'expected an object');
  for (const [k, val] of Object.entries(sec as Record<string, unknown>)) {
    if (!(k in defs)) throw bad(`${path}.${k}`, `unknown setting (settings: ${Object.keys(defs).join(', ')})`);
    const d = defs[k];
    if (typeof d === 'number') {
      if (typeof val !== 'number' || !Number.isFinite(val) || val < 0) throw bad(`${path}.${k}`, 'expected a number of at least 0');
    } else if (typeof d === 'boolean') {
      if (typeof val !== 'boolean') throw bad(`${path}.${k}`, 'expected true or false');
    } else if (Array.isArray(d)) {
      if (!Array.isArray(val)) throw bad(`${path}.${k}`, 'expected an array');
      if (d.length && typeof d[0] === 'number' && !val.every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) throw bad(`${path}.${k}`, 'expected an array of port numbers');
    } else if (typeof d === 'object' && d !== null) {
      if (typeof val !== 'object' || val === null || Array.isArray(val)) throw bad(`${path}.${k}`, 'expected an object');
    }
  }
}

function checkPerspectives(p: unknown, bad: (p: string, m: string) => Error): void {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw bad('perspectives', 'expected an object of named perspectives');
  for (const [name, def] of Object.entries(p as Record<string, unknown>)) {
    const path = `perspectives.${name}`;
    if (typeof def !== 'object' || def === null || Array.isArray(def)) throw bad(path, 'expected an object');
    const d = def as Record<string, unknown>;
    for (const k of Object.keys(d)) if (!['description', 'extends', 'priorities', 'rules'].includes(k)) throw bad(`${path}.${k}`, 'unknown key (keys: description, extends, priorities, rules)');
    if (d.extends !== undefined && typeof d.extends !== 'string') throw bad(`${path}.extends`, 'expected a perspective name');
    if (d.priorities !== undefined) {
      if (typeof d.priorities !== 'object' || d.priorities === null || Array.isArray(d.priorities)) throw bad(`${path}.priorities`, 'expected an object');
      for (const [m, v] of Object.entries(d.priorities as Record<string, unknown>)) {
        if (typeof v === 'string') {
          if (!isPriority(v)) throw bad(`${path}.priorities.${m}`, 'expected critical, high, medium, low or info');
        } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          for (const [s, pv] of Object.entries(v as Record<string, unknown>)) if (!isPriority(pv)) throw bad(`${path}.priorities.${m}.${s}`, 'expected critical, high, medium, low or info');
        } else throw bad(`${path}.priorities.${m}`, 'expected a priority or an object of submethod priorities');
      }
    }
    if (d.rules !== undefined) {
      if (!Array.isArray(d.rules)) throw bad(`${path}.rules`, 'expected an array');
      d.rules.forEach((r, i) => {
        const rp = `${path}.rules[${i}]`;
        if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad(rp, 'expected an object');
        const rr = r as Record<string, unknown>;
        for (const k of Object.keys(rr)) if (!['method', 'submethod', 'src', 'target', 'priority'].includes(k)) throw bad(`${rp}.${k}`, 'unknown key (keys: method, submethod, src, target, priority)');
        if (!isPriority(rr.priority)) throw bad(`${rp}.priority`, 'expected critical, high, medium, low or info');
        for (const k of ['src', 'target'] as const) {
          if (rr[k] === undefined) continue;
          const list = Array.isArray(rr[k]) ? (rr[k] as unknown[]) : [rr[k]];
          if (!list.every((s) => typeof s === 'string' && parseCidr(s))) throw bad(`${rp}.${k}`, 'expected a network or an array of networks');
        }
      });
    }
  }
}

/** A method's settings: its defaults overlaid with the config file's section. */
export function methodSettings(defaults: Record<string, unknown>, config: DetectConfig, name: string): Record<string, any> {
  const sec = config.methods?.[name] ?? {};
  const out: Record<string, any> = { ...defaults };
  for (const [k, v] of Object.entries(sec)) {
    const d = defaults[k];
    // objects of per-service values merge, so one override does not drop the others
    out[k] = typeof d === 'object' && d !== null && !Array.isArray(d) ? { ...(d as object), ...(v as object) } : v;
  }
  return out;
}

/** Engine settings with the config's `engine` section applied. */
export function engineSettings(config: DetectConfig): typeof ENGINE_DEFAULTS {
  return { ...ENGINE_DEFAULTS, ...((config.engine as object | undefined) ?? {}) };
}
