// Link-layer address primitives: MAC-48 hosts on Ethernet, FDDI, Token Ring, 802.11 and IP over
// Fibre Channel, 1-byte ARCnet/MS-TP addresses, link broadcast and multicast.
import type { DirQual } from '../grammar/ast.js';
import { and, not, or, type Frag } from './blocks.js';
import { CompileError } from './errors.js';
import { DLT, dltName } from './linktypes.js';
import { geneveLlCheck } from './encap.js';
import { byDir } from './net.js';
import type { Gen } from './state.js';

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

export function isEthernetLike(dlt: number): boolean {
  return dlt === DLT.EN10MB || dlt === DLT.NETANALYZER || dlt === DLT.NETANALYZER_TRANSPARENT ||
    dlt === DLT.DSA_TAG_BRCM || dlt === DLT.DSA_TAG_DSA;
}

export function isWlan(dlt: number): boolean {
  return dlt === DLT.IEEE802_11 || dlt === DLT.PRISM_HEADER || dlt === DLT.IEEE802_11_RADIO_AVS ||
    dlt === DLT.IEEE802_11_RADIO || dlt === DLT.PPI;
}

/** Before Ethernet fields inside an encapsulation: LANE not a control frame / Geneve carries Ethernet. */
function prevLinkhdrCheck(g: Gen): Frag | null {
  if (g.isGeneve) return geneveLlCheck(g);
  if (g.prevLinktype === DLT.SUNATM) return not(g.cmp('prevlinkhdr', 4, 2, 0xff00));
  return null;
}

function withPrevCheck(g: Gen, b: Frag): Frag {
  const c = prevLinkhdrCheck(g);
  return c ? and(c, b) : b;
}

/** MAC address at fixed source/destination offsets of the link header. */
function fixedHostop(g: Gen, mac: number[], dir: DirQual | undefined, src: number, dst: number): Frag {
  return byDir(dir, (w) => g.bcmp('linkhdr', w === 'src' ? src : dst, mac));
}

function fcJset(g: Gen, offset: number, bits: number): Frag {
  return g.jset('linkhdr', offset, 1, bits);
}

/** 802.11: where SA/DA sit depends on the frame type and the DS bits. */
function wlanHostop(g: Gen, mac: number[], dir: DirQual | undefined): Frag {
  const notCtsAck = (): Frag => {
    const b0 = not(g.mcmp('linkhdr', 0, 1, 0x04, 0x0c));
    const b1 = not(g.mcmp('linkhdr', 0, 1, 0xc0, 0xf0));
    const b2 = not(g.mcmp('linkhdr', 0, 1, 0xd0, 0xf0));
    return or(b0, and(b1, b2));
  };
  switch (dir) {
    case 'src': {
      let b0 = and(fcJset(g, 1, 0x01), g.bcmp('linkhdr', 24, mac));
      const b1 = and(not(fcJset(g, 1, 0x01)), g.bcmp('linkhdr', 16, mac));
      b0 = or(b1, b0);
      b0 = and(fcJset(g, 1, 0x02), b0);
      const b2 = and(not(fcJset(g, 1, 0x02)), g.bcmp('linkhdr', 10, mac));
      b0 = or(b2, b0);
      b0 = and(fcJset(g, 0, 0x08), b0);
      b0 = or(and(not(fcJset(g, 0, 0x08)), g.bcmp('linkhdr', 10, mac)), b0);
      return and(not(fcJset(g, 0, 0x04)), b0);
    }
    case 'dst': {
      let b0 = and(fcJset(g, 1, 0x01), g.bcmp('linkhdr', 16, mac));
      b0 = or(and(not(fcJset(g, 1, 0x01)), g.bcmp('linkhdr', 4, mac)), b0);
      b0 = and(fcJset(g, 0, 0x08), b0);
      b0 = or(and(not(fcJset(g, 0, 0x08)), g.bcmp('linkhdr', 4, mac)), b0);
      return and(not(fcJset(g, 0, 0x04)), b0);
    }
    case 'src and dst': return and(wlanHostop(g, mac, 'src'), wlanHostop(g, mac, 'dst'));
    case undefined: case 'src or dst': return or(wlanHostop(g, mac, 'src'), wlanHostop(g, mac, 'dst'));
    case 'addr1': return g.bcmp('linkhdr', 4, mac);
    case 'addr2': return and(notCtsAck(), g.bcmp('linkhdr', 10, mac));
    case 'addr3': return and(not(g.mcmp('linkhdr', 0, 1, 0x04, 0x0c)), g.bcmp('linkhdr', 16, mac));
    case 'addr4': return and(g.mcmp('linkhdr', 1, 1, 0x03, 0x03), g.bcmp('linkhdr', 24, mac));
    case 'ra': return and(fcJset(g, 0, 0x08), g.bcmp('linkhdr', 4, mac));
    case 'ta': return and(and(notCtsAck(), fcJset(g, 0, 0x08)), g.bcmp('linkhdr', 10, mac));
  }
}

function rejectWlanDir(g: Gen, dir: DirQual | undefined): void {
  if (dir && !['src', 'dst', 'src and dst', 'src or dst'].includes(dir) && !isWlan(g.linktype)) {
    throw new CompileError(`'${dir}' is valid for 802.11 syntax only`);
  }
}

/** `[link] [dir] host MAC48`; null when the link type has no MAC-48 addresses. */
export function macHost(g: Gen, mac: number[], dir: DirQual | undefined): Frag | null {
  rejectWlanDir(g, dir);
  const lt = g.linktype;
  if (isEthernetLike(lt)) return withPrevCheck(g, fixedHostop(g, mac, dir, 6, 0));
  if (lt === DLT.FDDI) return fixedHostop(g, mac, dir, 7, 1);
  if (lt === DLT.IEEE802) return fixedHostop(g, mac, dir, 8, 2);
  if (isWlan(lt)) return wlanHostop(g, mac, dir);
  if (lt === DLT.IP_OVER_FC) return fixedHostop(g, mac, dir, 10, 2);
  return null;
}

/** Link types with 1-byte addresses: ARCnet (src, dst) and MS/TP (dst at 3, src at 4). */
function mac8Offsets(dlt: number): [number, number] | null {
  if (dlt === DLT.ARCNET || dlt === DLT.ARCNET_LINUX) return [0, 1];
  if (dlt === DLT.BACNET_MS_TP) return [4, 3];
  return null;
}

export function mac8Host(g: Gen, v: number, dir: DirQual | undefined): Frag | null {
  rejectWlanDir(g, dir);
  const offs = mac8Offsets(g.linktype);
  if (!offs) return null;
  return byDir(dir, (w) => g.cmp('linkhdr', w === 'src' ? offs[0] : offs[1], 1, v));
}

export function linkBroadcast(g: Gen): Frag {
  const lt = g.linktype;
  if (lt === DLT.ARCNET || lt === DLT.ARCNET_LINUX) return g.cmp('linkhdr', 1, 1, 0);
  if (lt === DLT.BACNET_MS_TP) return g.cmp('linkhdr', 3, 1, 0xff);
  const b = macHost(g, BROADCAST, 'dst');
  if (!b) throw new CompileError(`'broadcast' not supported on ${dltName(lt)}`);
  return b;
}

function macMulticast(g: Gen, offset: number): Frag {
  return g.jset('linkhdr', offset, 1, 1);
}

export function linkMulticast(g: Gen): Frag {
  const lt = g.linktype;
  if (lt === DLT.ARCNET || lt === DLT.ARCNET_LINUX) return g.cmp('linkhdr', 1, 1, 0);
  if (isEthernetLike(lt)) return withPrevCheck(g, macMulticast(g, 0));
  if (lt === DLT.FDDI) return macMulticast(g, 1);
  if (lt === DLT.IEEE802) return macMulticast(g, 2);
  if (lt === DLT.IP_OVER_FC) return macMulticast(g, 2);
  if (isWlan(lt)) {
    let b0 = and(fcJset(g, 1, 0x01), macMulticast(g, 16));
    b0 = or(and(not(fcJset(g, 1, 0x01)), macMulticast(g, 4)), b0);
    b0 = and(fcJset(g, 0, 0x08), b0);
    b0 = or(and(not(fcJset(g, 0, 0x08)), macMulticast(g, 4)), b0);
    return and(not(fcJset(g, 0, 0x04)), b0);
  }
  throw new CompileError(`'multicast' not supported on ${dltName(lt)}`);
}
