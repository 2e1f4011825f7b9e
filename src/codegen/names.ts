// Name resolution for filter expressions, the way libpcap resolves names: hosts (hosts(5) then
// DNS, getaddrinfo order), networks(5), ethers(5), services(5) and protocols(5), with a built-in
// table of well-known services and protocols for machines without /etc/services or /etc/protocols.
import { readFileSync } from 'node:fs';
import { leftAligned, parseDottedQuad, parseIPv6 } from '../grammar/literals.js';

export type HostAddr = { family: 4; addr: number } | { family: 6; addr: number[] };

/** Ports a service name has per transport protocol (undefined where it has none). */
export interface ServicePorts {
  tcp?: number;
  udp?: number;
  sctp?: number;
}

export interface NameResolver {
  /** every address of a host name in resolver order; empty when the name does not resolve */
  host(name: string): HostAddr[];
  /** IPv4 network number of a networks(5) name (right-aligned, as getnetbyname gives it) */
  network(name: string): number | undefined;
  /** MAC-48 of an ethers(5) name */
  ether(name: string): number[] | undefined;
  service(name: string): ServicePorts;
  protocol(name: string): number | undefined;
}

/** Well-known services (IANA), used when services(5) lacks the name. */
const BUILTIN_SERVICES: Record<string, ServicePorts> = {
  echo: { tcp: 7, udp: 7 }, discard: { tcp: 9, udp: 9 }, daytime: { tcp: 13, udp: 13 },
  'ftp-data': { tcp: 20 }, ftp: { tcp: 21 }, ssh: { tcp: 22 }, telnet: { tcp: 23 }, smtp: { tcp: 25 },
  time: { tcp: 37, udp: 37 }, whois: { tcp: 43 }, tacacs: { tcp: 49, udp: 49 }, domain: { tcp: 53, udp: 53 },
  bootps: { udp: 67 }, bootpc: { udp: 68 }, tftp: { udp: 69 }, gopher: { tcp: 70 }, finger: { tcp: 79 },
  http: { tcp: 80 }, www: { tcp: 80 }, kerberos: { tcp: 88, udp: 88 }, pop3: { tcp: 110 },
  sunrpc: { tcp: 111, udp: 111 }, auth: { tcp: 113 }, nntp: { tcp: 119 }, ntp: { udp: 123 },
  'netbios-ns': { udp: 137 }, 'netbios-dgm': { udp: 138 }, 'netbios-ssn': { tcp: 139 }, imap2: { tcp: 143 },
  imap: { tcp: 143 }, snmp: { tcp: 161, udp: 161 }, 'snmp-trap': { tcp: 162, udp: 162 }, bgp: { tcp: 179 },
  irc: { tcp: 194 }, ldap: { tcp: 389, udp: 389 }, https: { tcp: 443, udp: 443 }, 'microsoft-ds': { tcp: 445 },
  isakmp: { udp: 500 }, syslog: { udp: 514 }, printer: { tcp: 515 }, rip: { udp: 520 }, route: { udp: 520 },
  submission: { tcp: 587 }, ldaps: { tcp: 636 }, imaps: { tcp: 993 }, pop3s: { tcp: 995 },
  openvpn: { tcp: 1194, udp: 1194 }, 'ms-sql-s': { tcp: 1433 }, radius: { udp: 1812 }, nfs: { tcp: 2049, udp: 2049 },
  mysql: { tcp: 3306 }, 'ipsec-nat-t': { udp: 4500 }, sip: { tcp: 5060, udp: 5060 }, postgresql: { tcp: 5432 },
  'x11': { tcp: 6000 }, 'http-alt': { tcp: 8080 },
};

/** Well-known IP protocol numbers, used when protocols(5) lacks the name. */
const BUILTIN_PROTOCOLS: Record<string, number> = {
  ip: 0, hopopt: 0, icmp: 1, igmp: 2, ggp: 3, ipencap: 4, st: 5, tcp: 6, egp: 8, igp: 9, pup: 12, udp: 17,
  hmp: 20, 'xns-idp': 22, rdp: 27, 'iso-tp4': 29, dccp: 33, xtp: 36, ddp: 37, 'idpr-cmtp': 38, ipv6: 41,
  'ipv6-route': 43, 'ipv6-frag': 44, idrp: 45, rsvp: 46, gre: 47, esp: 50, ah: 51, skip: 57,
  'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, rspf: 73, vmtp: 81, eigrp: 88, ospf: 89,
  'ax.25': 93, ipip: 94, etherip: 97, encap: 98, pim: 103, ipcomp: 108, vrrp: 112, l2tp: 115, isis: 124,
  sctp: 132, fc: 133, 'mobility-header': 135, udplite: 136, 'mpls-in-ip': 137, manet: 138, hip: 139,
  shim6: 140, wesp: 141, rohc: 142, ethernet: 143,
};

/** A service from the built-in table (empty when unknown). */
export function builtinService(name: string): ServicePorts {
  return BUILTIN_SERVICES[name] ?? {};
}

/** A protocol number from the built-in table. */
export function builtinProtocol(name: string): number | undefined {
  return BUILTIN_PROTOCOLS[name];
}

function readLines(path: string): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').map((l) => l.replace(/#.*/, '').trim().split(/\s+/)).filter((w) => w[0] !== '');
}

/** A dotted-quad IPv4 address (inet_pton's form) as a u32. */
function parseIpv4(s: string): number | undefined {
  const quad = parseDottedQuad(s);
  return quad ? leftAligned(quad) : undefined;
}

function parseMac(s: string): number[] | undefined {
  const parts = s.split(/[:.-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
}

/** Resolver over the system databases, DNS through `getent ahosts` (getaddrinfo, synchronous). */
export class SystemResolver implements NameResolver {
  private cache = new Map<string, unknown>();

  private once<T>(key: string, load: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, load());
    return this.cache.get(key) as T;
  }

  host(name: string): HostAddr[] {
    return this.once(`host:${name.toLowerCase()}`, () => {
      let out: string;
      try {
        // loaded here, not at start-up: child_process pulls in streams and sockets, milliseconds that
        // every run would pay for a DNS lookup few expressions need
        const { execFileSync } = process.getBuiltinModule('node:child_process');
        out = execFileSync('getent', ['ahosts', name], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return [];
      }
      const seen = new Set<string>();
      const addrs: HostAddr[] = [];
      for (const line of out.split('\n')) {
        const a = line.split(/\s+/)[0];
        if (!a || seen.has(a)) continue;
        seen.add(a);
        const v4 = parseIpv4(a);
        if (v4 !== undefined) addrs.push({ family: 4, addr: v4 });
        else {
          const v6 = parseIPv6(a);
          if (v6) addrs.push({ family: 6, addr: v6 });
        }
      }
      return addrs;
    });
  }

  network(name: string): number | undefined {
    const table = this.once('networks', () => {
      const m = new Map<string, number>();
      for (const w of readLines('/etc/networks')) {
        const parts = w[1]?.split('.').map(Number) ?? [];
        if (!parts.length || parts.some((p) => !(p >= 0 && p <= 255))) continue;
        const v = parts.reduce((acc, p) => ((acc << 8) | p) >>> 0, 0);
        for (const n of [w[0], ...w.slice(2)]) if (!m.has(n.toLowerCase())) m.set(n.toLowerCase(), v);
      }
      return m;
    });
    return table.get(name.toLowerCase());
  }

  ether(name: string): number[] | undefined {
    const table = this.once('ethers', () => {
      const m = new Map<string, number[]>();
      for (const w of readLines('/etc/ethers')) {
        const mac = parseMac(w[0]);
        if (mac && w[1] && !m.has(w[1].toLowerCase())) m.set(w[1].toLowerCase(), mac);
      }
      return m;
    });
    return table.get(name.toLowerCase());
  }

  service(name: string): ServicePorts {
    const table = this.once('services', () => {
      const m = new Map<string, ServicePorts>();
      for (const w of readLines('/etc/services')) {
        const pm = /^(\d+)\/(tcp|udp|sctp)$/.exec(w[1] ?? '');
        if (!pm) continue;
        for (const n of [w[0], ...w.slice(2)]) {
          const e = m.get(n) ?? {};
          if (e[pm[2] as keyof ServicePorts] === undefined) e[pm[2] as keyof ServicePorts] = Number(pm[1]);
          m.set(n, e);
        }
      }
      return m;
    });
    return table.get(name) ?? builtinService(name);
  }

  protocol(name: string): number | undefined {
    const table = this.once('protocols', () => {
      const m = new Map<string, number>();
      for (const w of readLines('/etc/protocols')) {
        const v = Number(w[1]);
        if (!Number.isInteger(v)) continue;
        for (const n of [w[0], ...w.slice(2)]) if (!m.has(n)) m.set(n, v);
      }
      return m;
    });
    return table.get(name) ?? builtinProtocol(name);
  }
}

/** A resolver answering from fixed tables (tests); services and protocols fall back to `base`. */
export class TableResolver implements NameResolver {
  constructor(
    private readonly tables: {
      hosts?: Array<[string, string]>;
      networks?: Array<[string, string]>;
      ethers?: Array<[string, string]>;
    },
    private readonly base: NameResolver = new SystemResolver(),
  ) {}

  host(name: string): HostAddr[] {
    const out: HostAddr[] = [];
    for (const [addr, n] of this.tables.hosts ?? []) {
      if (n.toLowerCase() !== name.toLowerCase()) continue;
      const v4 = parseIpv4(addr);
      if (v4 !== undefined) out.push({ family: 4, addr: v4 });
      else out.push({ family: 6, addr: parseIPv6(addr)! });
    }
    return out;
  }
  network(name: string): number | undefined {
    const e = (this.tables.networks ?? []).find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (!e) return undefined;
    return e[1].split('.').map(Number).reduce((acc, p) => ((acc << 8) | p) >>> 0, 0);
  }
  ether(name: string): number[] | undefined {
    const e = (this.tables.ethers ?? []).find(([, n]) => n.toLowerCase() === name.toLowerCase());
    return e ? parseMac(e[0]) : undefined;
  }
  service(name: string): ServicePorts {
    return this.base.service(name);
  }
  protocol(name: string): number | undefined {
    return this.base.protocol(name);
  }
}
