// The detection methods, in the order they see each flow. Adding a method is one file in
// methods/ and one line here. DHCPANOM comes before DNSANOMALY: it tells it which DNS servers
// rogue DHCP servers handed out.
import type { DetectionMethod } from './types.js';
import { dhcp } from './methods/dhcp.js';
import { dnsServer } from './methods/dns-server.js';
import { scans } from './methods/scans.js';
import { icmp } from './methods/icmp.js';
import { sshdict, dictattack } from './methods/sshdict.js';
import { withTunnel } from './methods/tunnel.js';
import { dos } from './methods/dos.js';
import { hightransf } from './methods/hightransf.js';
import { blacklist } from './methods/blacklist.js';
import { beacon } from './methods/beacon.js';
import { aliendev } from './methods/aliendev.js';

export const METHODS: DetectionMethod[] = [
  dhcp,
  withTunnel(dnsServer), // DNSANOMALY: the server checks plus TUNNEL (methods/tunnel.ts)
  scans,
  icmp,
  sshdict,
  dictattack,
  dos,
  hightransf,
  blacklist,
  beacon,
  aliendev,
];

/** Each method's defaults by name (what a config file may set). */
export function methodDefaults(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(METHODS.map((m) => [m.name, m.defaults]));
}
