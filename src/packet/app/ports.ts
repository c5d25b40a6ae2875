// The well-known-port fallback for `app`, used when the payload did not say (no payload, a
// capture cut by the snap length, or a protocol fir does not recognise).

// ports of both TCP and UDP (and SCTP, which reuses the TCP table)
const COMMON: Array<[number, string]> = [
  [53, 'dns'], [88, 'kerberos'], [111, 'rpcbind'], [135, 'dce-rpc'], [389, 'ldap'], [464, 'kerberos'],
  [1812, 'radius'], [1813, 'radius'], [2049, 'nfs'], [3268, 'ldap'], [3478, 'stun'], [5060, 'sip'],
  [5353, 'dns'], [5355, 'dns'], [1194, 'openvpn'], [1701, 'l2tp'],
];
const TCP: Array<[number, string]> = [
  [20, 'ftp-data'], [21, 'ftp'], [22, 'ssh'], [23, 'telnet'], [25, 'smtp'], [43, 'whois'], [79, 'finger'],
  [80, 'http'], [102, 's7comm'], [110, 'pop3'], [113, 'ident'], [119, 'nntp'], [139, 'smb'], [143, 'imap'],
  [179, 'bgp'], [443, 'tls'], [445, 'smb'], [465, 'tls'], [502, 'modbus'], [512, 'rexec'], [513, 'rlogin'],
  [514, 'rsh'], [515, 'lpd'], [554, 'rtsp'], [563, 'tls'], [587, 'smtp'], [593, 'dce-rpc'], [631, 'ipp'],
  [636, 'tls'], [853, 'tls'], [873, 'rsync'], [989, 'tls'], [990, 'tls'], [992, 'tls'], [993, 'tls'],
  [995, 'tls'], [1080, 'socks'], [1433, 'mssql'], [1521, 'oracle'], [1723, 'pptp'], [1883, 'mqtt'],
  [2375, 'docker'], [2376, 'tls'], [2525, 'smtp'], [3128, 'http'], [3269, 'tls'], [3306, 'mysql'],
  [3389, 'rdp'], [5222, 'xmpp'], [5269, 'xmpp'], [5432, 'postgres'], [5671, 'tls'], [5672, 'amqp'],
  [5900, 'vnc'], [5901, 'vnc'], [5902, 'vnc'], [5903, 'vnc'], [5985, 'winrm'], [5986, 'tls'], [6379, 'redis'],
  [6443, 'tls'], [6667, 'irc'], [6697, 'tls'], [8000, 'http'], [8008, 'http'], [8080, 'http'], [8443, 'tls'],
  [8883, 'tls'], [9092, 'kafka'], [9100, 'jetdirect'], [9200, 'http'], [11211, 'memcached'], [20000, 'dnp3'],
  [27017, 'mongodb'], [44818, 'enip'],
];
const UDP: Array<[number, string]> = [
  [67, 'dhcp'], [68, 'dhcp'], [69, 'tftp'], [123, 'ntp'], [137, 'netbios-ns'], [138, 'netbios-dgm'],
  [161, 'snmp'], [162, 'snmp'], [443, 'quic'], [500, 'ike'], [514, 'syslog'], [520, 'rip'], [546, 'dhcp'],
  [547, 'dhcp'], [623, 'ipmi'], [1434, 'mssql'], [1900, 'ssdp'], [4500, 'ike'], [4789, 'vxlan'],
  [5683, 'coap'], [11211, 'memcached'], [47808, 'bacnet'], [51820, 'wireguard'], [2152, 'gtpv1'], [2123, 'gtp'],
  [3544, 'teredo'], [6081, 'geneve'], [3389, 'rdpeudp'],
];
const SCTP: Array<[number, string]> = [[2905, 'm3ua'], [3868, 'diameter'], [36412, 's1ap'], [38412, 'ngap']];

function table(...lists: Array<Array<[number, string]>>): Array<string | undefined> {
  const t = new Array<string | undefined>(65536).fill(undefined);
  for (const list of lists) for (const [port, app] of list) t[port] = app;
  return t;
}
const BY_TCP = table(COMMON, TCP);
const BY_UDP = table(COMMON, UDP);
const BY_SCTP = table(COMMON, TCP, SCTP);
/** the table of a protocol, by name or number */
const BY_PROTO = new Map<string, Array<string | undefined>>([
  ['tcp', BY_TCP], ['6', BY_TCP], ['udp', BY_UDP], ['17', BY_UDP], ['sctp', BY_SCTP], ['132', BY_SCTP],
]);

/**
 * The application a port pair suggests. The responder's port (dport) decides when it is a
 * well-known one (below 1024) or sport says nothing; otherwise the lower known port wins, which
 * handles flows whose first packet came from the server.
 */
export function appFromPort(proto: string, sport: number, dport: number): string | undefined {
  const t = BY_PROTO.get(proto);
  if (t === undefined) return undefined;
  const d = dport >= 0 && dport < 65536 ? t[dport] : undefined;
  const s = sport >= 0 && sport < 65536 ? t[sport] : undefined;
  // every test made on every call: the flow meter's optimised code then has seen them all
  // (a test first made on the thousandth flow would throw that code away)
  const sNone = s === undefined;
  const dLow = dport < 1024;
  const dFirst = dport <= sport;
  const dKnown = d !== undefined;
  return dKnown && (sNone || dLow || dFirst) ? d : s;
}
