// Link-layer protocol tests (libpcap's gen_linktype): "is the payload of this link header protocol
// P", where P is an EtherType or an LLC SAP, mapped onto each link type's own protocol field.
import { and, constant, not, or, orAll, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { DLT, dltName } from './linktypes.js';
import type { Gen } from './state.js';

export const ETHERMTU = 1500;
export const ETHERTYPE = {
  IP: 0x0800, ARP: 0x0806, REVARP: 0x8035, IPV6: 0x86dd, ATALK: 0x809b, AARP: 0x80f3, DN: 0x6003,
  LAT: 0x6004, SCA: 0x6007, MOPDL: 0x6001, MOPRC: 0x6002, IPX: 0x8137, NS: 0x0600, VINES: 0x0bad,
  PPPOED: 0x8863, PPPOES: 0x8864, MPLS: 0x8847, MPLS_MULTI: 0x8848, VLAN: 0x8100, QINQ_AD: 0x88a8,
  QINQ_OLD: 0x9100, LOOPBACK: 0x9000, TEB: 0x6558, LLDP: 0x88cc, SLOW: 0x8809,
} as const;
export const LLCSAP = { IP: 0x06, ISONS: 0xfe, NETBEUI: 0xf0, IPX: 0xe0, STP: 0x42, SNAP: 0xaa } as const;

const AF_INET = 2;
/** AF_INET6 values of the systems that write DLT_NULL/LOOP captures */
const AF_INET6_LINUX = 10;
const AF_INET6_BSD = [30, 24, 28];

function ethertypeToPpp(p: number): number {
  switch (p) {
    case ETHERTYPE.IP: return 0x0021;
    case ETHERTYPE.IPV6: return 0x0057;
    case ETHERTYPE.DN: return 0x0027;
    case ETHERTYPE.ATALK: return 0x0029;
    case ETHERTYPE.NS: return 0x0025;
    case LLCSAP.ISONS: return 0x0023;
    case LLCSAP.STP: return 0x0031;
    case LLCSAP.IPX: return 0x002b;
    default: return p;
  }
}

/** SNAP header with the given OUI and protocol at the start of the LLC. */
function snap(g: Gen, oui: number, ptype: number): Frag {
  return g.bcmp('llc', 0, [0xaa, 0xaa, 0x03, (oui >>> 16) & 255, (oui >>> 8) & 255, oui & 255, ptype >>> 8, ptype & 255]);
}

/** 802.3 length field (type field <= 1500): an LLC frame. */
function is8023(g: Gen): Frag {
  return not(g.cmpGt('linktype', 0, 2, ETHERMTU));
}

function etherLinktype(g: Gen, p: number): Frag {
  switch (p) {
    case LLCSAP.ISONS: case LLCSAP.IP: case LLCSAP.NETBEUI:
      return and(is8023(g), g.cmp('llc', 0, 2, (p << 8) | p));
    case LLCSAP.IPX: {
      let b1 = or(g.cmp('llc', 0, 1, LLCSAP.IPX), g.cmp('llc', 0, 2, 0xffff));
      b1 = or(snap(g, 0, ETHERTYPE.IPX), b1);
      b1 = and(is8023(g), b1);
      return or(g.cmp('linktype', 0, 2, ETHERTYPE.IPX), b1);
    }
    case ETHERTYPE.ATALK: case ETHERTYPE.AARP: {
      const b0 = is8023(g);
      const b1 = p === ETHERTYPE.ATALK ? snap(g, 0x080007, ETHERTYPE.ATALK) : snap(g, 0, ETHERTYPE.AARP);
      return or(g.cmp('linktype', 0, 2, p), and(b0, b1));
    }
    default:
      if (p <= ETHERMTU) return and(is8023(g), g.cmp('linktype', 2, 1, p));
      return g.cmp('linktype', 0, 2, p);
  }
}

/** LLC-encapsulated link types (802.11, FDDI, Token Ring, ATM LLC, IP over FC). */
function llcLinktype(g: Gen, p: number): Frag {
  switch (p) {
    case LLCSAP.IP: case LLCSAP.ISONS: case LLCSAP.NETBEUI:
      return g.cmp('llc', 0, 2, (p << 8) | p);
    case LLCSAP.IPX:
      return g.cmp('llc', 0, 1, LLCSAP.IPX);
    case ETHERTYPE.ATALK:
      return snap(g, 0x080007, ETHERTYPE.ATALK);
    default:
      if (p <= ETHERMTU) return g.cmp('llc', 0, 1, p);
      return g.cmp('llc', 6, 2, p);
  }
}

function sllLinktype(g: Gen, p: number): Frag {
  const P_802_3 = 0x0001;
  const P_802_2 = 0x0004;
  switch (p) {
    case LLCSAP.ISONS: case LLCSAP.IP: case LLCSAP.NETBEUI:
      return and(g.cmp('linktype', 0, 2, P_802_2), g.cmp('linkpl', 0, 2, (p << 8) | p));
    case LLCSAP.IPX: {
      let b1 = or(g.cmp('linkpl', 0, 1, LLCSAP.IPX), snap(g, 0, ETHERTYPE.IPX));
      b1 = and(g.cmp('linktype', 0, 2, P_802_2), b1);
      b1 = or(g.cmp('linktype', 0, 2, P_802_3), b1);
      return or(g.cmp('linktype', 0, 2, ETHERTYPE.IPX), b1);
    }
    case ETHERTYPE.ATALK: case ETHERTYPE.AARP: {
      const b0 = g.cmp('linktype', 0, 2, P_802_2);
      const b1 = p === ETHERTYPE.ATALK ? snap(g, 0x080007, ETHERTYPE.ATALK) : snap(g, 0, ETHERTYPE.AARP);
      return or(g.cmp('linktype', 0, 2, p), and(b0, b1));
    }
    default:
      if (p <= ETHERMTU) return and(g.cmp('linktype', 0, 2, P_802_2), g.cmp('linkhdr', g.offLinkpl.constant, 1, p));
      return g.cmp('linktype', 0, 2, p);
  }
}

/**
 * AF_ values a loopback-style header may hold for IPv4/IPv6: the live Linux value, or for a
 * savefile (written anywhere) AF_INET and the BSD AF_INET6 values.
 */
function afValues(g: Gen, p: number): number[] | null {
  if (p === ETHERTYPE.IP) return [AF_INET];
  if (p === ETHERTYPE.IPV6) return g.opts.offline ? AF_INET6_BSD : [AF_INET6_LINUX];
  return null;
}

const bswap32 = (v: number): number =>
  (((v & 255) << 24) | (((v >>> 8) & 255) << 16) | (((v >>> 16) & 255) << 8) | (v >>> 24)) >>> 0;

/** DLT_NULL / ENC: 4-byte AF_ value in the writer's byte order; DLT_LOOP: network byte order. */
function loopbackLinktype(g: Gen, p: number): Frag {
  const afs = afValues(g, p);
  if (!afs) return constant(false);
  let values: number[];
  if (g.linktype === DLT.LOOP) values = afs;
  else if (g.opts.offline) values = [...afs, ...afs.map(bswap32)];
  else values = afs.map(bswap32); // host order of a little-endian host, read big-endian
  return orAll(values.map((v) => g.cmp('linktype', 0, 4, v)));
}

function mplsLinktype(g: Gen, p: number): Frag {
  const bos = g.mcmp('prevmplshdr', 2, 1, 0x01, 0x01);
  switch (p) {
    case ETHERTYPE.IP: return and(bos, g.mcmp('linkpl', 0, 1, 0x40, 0xf0));
    case ETHERTYPE.IPV6: return and(bos, g.mcmp('linkpl', 0, 1, 0x60, 0xf0));
    default: throw new CompileError('unsupported protocol over mpls');
  }
}

/** True on 802.11 data frames (type bits 0x0c == 0x08). */
export function wlanDataFrame(g: Gen): Frag {
  return g.mcmp('linkhdr', 0, 1, 0x08, 0x0c);
}

export function linktypeTest(g: Gen, p: number): Frag {
  if (g.labelStackDepth > 0) return mplsLinktype(g, p);
  const D = DLT;
  switch (g.linktype) {
    case D.EN10MB: case D.NETANALYZER: case D.NETANALYZER_TRANSPARENT: case D.DSA_TAG_BRCM: case D.DSA_TAG_DSA:
      // ATM LANE: not an LE control frame (not checked inside Geneve, which carries an EtherType with or
      // without an inner Ethernet header)
      if (!g.isGeneve && g.prevLinktype === D.SUNATM) return and(not(g.cmp('prevlinkhdr', 4, 2, 0xff00)), etherLinktype(g, p));
      return etherLinktype(g, p);
    case D.C_HDLC:
      return g.cmp('linktype', 0, 2, p === LLCSAP.ISONS ? (p << 8) | p : p);
    case D.IEEE802_11: case D.PRISM_HEADER: case D.IEEE802_11_RADIO_AVS: case D.IEEE802_11_RADIO: case D.PPI:
      return and(wlanDataFrame(g), llcLinktype(g, p));
    case D.FDDI: case D.IEEE802: case D.ATM_RFC1483: case D.ATM_CLIP: case D.IP_OVER_FC:
      return llcLinktype(g, p);
    case D.SUNATM:
      return and(atmProtoIsLlc(g), llcLinktype(g, p));
    case D.LINUX_SLL: case D.LINUX_SLL2:
      return sllLinktype(g, p);
    case D.SLIP: case D.SLIP_BSDOS: case D.RAW:
      if (p === ETHERTYPE.IP) return g.mcmp('linkhdr', 0, 1, 0x40, 0xf0);
      if (p === ETHERTYPE.IPV6) return g.mcmp('linkhdr', 0, 1, 0x60, 0xf0);
      return constant(false);
    case D.IPV4: return constant(p === ETHERTYPE.IP);
    case D.IPV6: return constant(p === ETHERTYPE.IPV6);
    case D.PPP: case D.PPP_PPPD: case D.PPP_SERIAL: case D.PPP_ETHER:
      return g.cmp('linktype', 0, 2, ethertypeToPpp(p));
    case D.PPP_BSDOS:
      if (p === ETHERTYPE.IP) {
        return orAll([g.cmp('linktype', 0, 2, 0x21), g.cmp('linktype', 0, 2, 0x2d), g.cmp('linktype', 0, 2, 0x2f)]);
      }
      return g.cmp('linktype', 0, 2, ethertypeToPpp(p));
    case D.NULL: case D.LOOP: case D.ENC:
      return loopbackLinktype(g, p);
    case D.IPNET:
      if (p === ETHERTYPE.IP) return g.cmp('linktype', 0, 1, 2);
      if (p === ETHERTYPE.IPV6) return g.cmp('linktype', 0, 1, 26);
      return constant(false);
    case D.PFLOG:
      {
        const afs = afValues(g, p);
        return afs ? orAll(afs.map((v) => g.cmp('linkhdr', 1, 1, v))) : constant(false);
      }
    case D.ARCNET: case D.ARCNET_LINUX:
      switch (p) {
        case ETHERTYPE.IPV6: return g.cmp('linktype', 0, 1, 0xc4);
        case ETHERTYPE.IP: return g.cmp('linktype', 0, 1, 0xd4);
        case ETHERTYPE.ARP: return g.cmp('linktype', 0, 1, 0xd5);
        case ETHERTYPE.REVARP: return g.cmp('linktype', 0, 1, 0xd6);
        case ETHERTYPE.ATALK: return g.cmp('linktype', 0, 1, 0xdd);
        default: return constant(false);
      }
    case D.LTALK:
      return constant(p === ETHERTYPE.ATALK);
    case D.FRELAY:
      switch (p) {
        case ETHERTYPE.IP: return g.cmp('linkhdr', 2, 2, 0x03cc);
        case ETHERTYPE.IPV6: return g.cmp('linkhdr', 2, 2, 0x038e);
        case LLCSAP.ISONS:
          return or(g.cmp('linkhdr', 2, 2, 0x0381), or(g.cmp('linkhdr', 2, 2, 0x0382), g.cmp('linkhdr', 2, 2, 0x0383)));
        default: return constant(false);
      }
    case D.JUNIPER_MFR: case D.JUNIPER_MLFR: case D.JUNIPER_MLPPP: case D.JUNIPER_ATM1: case D.JUNIPER_ATM2:
    case D.JUNIPER_PPPOE: case D.JUNIPER_PPPOE_ATM: case D.JUNIPER_GGSN: case D.JUNIPER_ES: case D.JUNIPER_MONITOR:
    case D.JUNIPER_SERVICES: case D.JUNIPER_ETHER: case D.JUNIPER_PPP: case D.JUNIPER_FRELAY: case D.JUNIPER_CHDLC:
    case D.JUNIPER_VP: case D.JUNIPER_ST: case D.JUNIPER_ISM: case D.JUNIPER_VS: case D.JUNIPER_SRX_E2E:
    case D.JUNIPER_FIBRECHANNEL: case D.JUNIPER_ATM_CEMIC:
      // Juniper: only the magic cookie is checked
      return g.mcmp('packet', 0, 4, 0x4d474300, 0xffffff00);
  }
  if (g.offLinktype.constant !== -1) return g.cmp('linktype', 0, 2, p);
  throw new CompileError(`link-layer type filtering not implemented for ${dltName(g.linktype)}`);
}

/** SUNATM: the pseudo-header's traffic type says LLC encapsulation. */
export function atmProtoIsLlc(g: Gen): Frag {
  return g.mcmp('linkhdr', g.offProto, 1, 2, 0x0f);
}
