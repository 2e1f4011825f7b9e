// Link types: DLT names as `tcpdump -y` takes them, their numbers, and each link type's header layout
// as libpcap models it. (Capture files' LINKTYPE_ values map to DLTs in ../capture/linktype.ts.)
import { CompileError } from './errors.js';

/** DLT numbers by name (Linux values where they differ between systems). */
export const DLT: Record<string, number> = {
  A429: 184,
  A653_ICM: 185,
  AOS: 222,
  APPLE_IP_OVER_IEEE1394: 138,
  ARCNET: 7,
  ARCNET_LINUX: 129,
  ATM_CLIP: 19,
  ATM_RFC1483: 11,
  ATSC_ALP: 289,
  AX25_KISS: 202,
  BACNET_MS_TP: 165,
  BLUETOOTH_BREDR_BB: 255,
  BLUETOOTH_HCI_H4: 187,
  BLUETOOTH_HCI_H4_WITH_PHDR: 201,
  BLUETOOTH_LE_LL: 251,
  BLUETOOTH_LE_LL_WITH_PHDR: 256,
  BLUETOOTH_LINUX_MONITOR: 254,
  CAN20B: 190,
  CAN_SOCKETCAN: 227,
  C_HDLC: 104,
  DBUS: 231,
  DECT: 221,
  DISPLAYPORT_AUX: 275,
  DOCSIS: 143,
  DOCSIS31_XRA31: 273,
  DSA_TAG_BRCM: 281,
  DSA_TAG_BRCM_PREPEND: 282,
  DSA_TAG_DSA: 284,
  DSA_TAG_EDSA: 285,
  DVB_CI: 235,
  EBHSCR: 279,
  ELEE: 286,
  EN10MB: 1,
  ENC: 109,
  EPON: 259,
  ERF: 197,
  ERF_ETH: 175,
  ERF_POS: 176,
  ETHERNET_MPACKET: 274,
  FC_2: 224,
  FC_2_WITH_FRAME_DELIMS: 225,
  FDDI: 10,
  FRELAY: 107,
  GPF_F: 171,
  GPF_T: 170,
  GPRS_LLC: 169,
  IEEE802: 6,
  IEEE802_11: 105,
  IEEE802_11_RADIO: 127,
  IEEE802_11_RADIO_AVS: 163,
  IEEE802_15_4: 195,
  IEEE802_15_4_LINUX: 191,
  IEEE802_15_4_NOFCS: 230,
  IEEE802_15_4_NONASK_PHY: 215,
  IEEE802_15_4_TAP: 283,
  IEEE802_16_MAC_CPS: 188,
  IEEE802_16_MAC_CPS_RADIO: 193,
  INFINIBAND: 247,
  IPMB_KONTRON: 199,
  IPMI_HPM_2: 260,
  IPNET: 226,
  IPOIB: 242,
  IPV4: 228,
  IPV6: 229,
  IP_OVER_FC: 122,
  ISO_14443: 264,
  JUNIPER_ATM1: 137,
  JUNIPER_ATM2: 135,
  JUNIPER_ATM_CEMIC: 238,
  JUNIPER_CHDLC: 181,
  JUNIPER_ES: 132,
  JUNIPER_ETHER: 178,
  JUNIPER_FIBRECHANNEL: 234,
  JUNIPER_FRELAY: 180,
  JUNIPER_GGSN: 133,
  JUNIPER_ISM: 194,
  JUNIPER_MFR: 134,
  JUNIPER_MLFR: 131,
  JUNIPER_MLPPP: 130,
  JUNIPER_MONITOR: 164,
  JUNIPER_PIC_PEER: 174,
  JUNIPER_PPP: 179,
  JUNIPER_PPPOE: 167,
  JUNIPER_PPPOE_ATM: 168,
  JUNIPER_SERVICES: 136,
  JUNIPER_SRX_E2E: 233,
  JUNIPER_ST: 200,
  JUNIPER_VP: 183,
  JUNIPER_VS: 232,
  LINUX_EVDEV: 216,
  LINUX_IRDA: 144,
  LINUX_LAPD: 177,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
  LOOP: 108,
  LTALK: 114,
  MFR: 182,
  MPEG_2_TS: 243,
  MPLS: 219,
  MTP2: 140,
  MTP2_WITH_PHDR: 139,
  MTP3: 141,
  MUX27010: 236,
  NETANALYZER: 240,
  NETANALYZER_TRANSPARENT: 241,
  NETLINK: 253,
  NFC_LLCP: 245,
  NFLOG: 239,
  NG40: 244,
  NORDIC_BLE: 272,
  NULL: 0,
  OPENFLOW: 267,
  OPENVIZSLA: 278,
  PFLOG: 117,
  PFSYNC: 246,
  PKTAP: 258,
  PPI: 192,
  PPP: 9,
  PPP_BSDOS: 16,
  PPP_ETHER: 51,
  PPP_PPPD: 166,
  PPP_SERIAL: 50,
  PRISM_HEADER: 119,
  PROFIBUS_DL: 257,
  RAIF1: 198,
  RAW: 12,
  RDS: 265,
  RTAC_SERIAL: 250,
  SCCP: 142,
  SCTP: 248,
  SDLC: 268,
  SITA: 196,
  SLIP: 8,
  SLIP_BSDOS: 15,
  STANAG_5066_D_PDU: 237,
  SUNATM: 123,
  SYMANTEC_FIREWALL: 99,
  TI_LLN_SNIFFER: 269,
  USBPCAP: 249,
  USB_2_0: 288,
  USB_DARWIN: 266,
  USB_FREEBSD: 186,
  USB_LINUX: 189,
  USB_LINUX_MMAPPED: 220,
  VPP_DISPATCH: 280,
  VSOCK: 271,
  WATTSTOPPER_DLM: 263,
  WIHART: 223,
  ZWAVE_R1_R2: 261,
  ZWAVE_R3: 262,
  Z_WAVE_SERIAL: 287,
  EN3MB: 2,
  AX25: 3,
  PRONET: 4,
  CHAOS: 5,
  REDBACK_SMARTEDGE: 32,
  I2C_LINUX: 209,
  ETW: 290,
  NETANALYZER_NG: 291,
  ZBOSS_NCP: 292,
  USB_2_0_LOW_SPEED: 293,
  USB_2_0_FULL_SPEED: 294,
  USB_2_0_HIGH_SPEED: 295,
  AUERSWALD_LOG: 296,
  ZWAVE_TAP: 297,
  SILABS_DEBUG_CHANNEL: 298,
  FIRA_UCI: 299,
  MDB: 300,
  DECT_NR: 301,
};

const NAME_OF = new Map<number, string>(Object.entries(DLT).map(([n, v]) => [v, n]));

/** "DLT_EN10MB", or "DLT_<number>" for a number without a name. */
export function dltName(dlt: number): string {
  const n = NAME_OF.get(dlt);
  return n ? `DLT_${n}` : `DLT_${dlt}`;
}

/** Resolve a link type given by name (with or without DLT_, any case) or number. */
export function resolveLinktype(lt: number | string): number {
  if (typeof lt === 'number') return lt;
  const name = lt.toUpperCase().replace(/^DLT_/, '');
  if (name in DLT) return DLT[name];
  if (/^\d+$/.test(name)) return Number(name);
  throw new CompileError(`unknown data link type ${lt}`);
}

/** Header layout of a link type (libpcap's initial offsets; -1 = not set). */
export interface LinkLayout {
  linkhdr: number;
  /** the link header starts after a radio/pseudo header whose length is read from the packet */
  linkhdrVariable: boolean;
  linktype: number;
  linkpl: number;
  /** the link payload starts after a variable-length (802.11) header */
  linkplVariable: boolean;
  nl: number;
  nlNosnap: number;
  atm?: boolean;
  /** MTP2 family: offset of the length indicator */
  mtp?: number;
}

function layout(linktype: number, linkpl: number, nl: number, nlNosnap: number, extra: Partial<LinkLayout> = {}): LinkLayout {
  return { linkhdr: 0, linkhdrVariable: false, linktype, linkpl, linkplVariable: false, nl, nlNosnap, ...extra };
}

/** Layout per DLT; link types libpcap has no model for get all offsets unset. */
export function linkLayout(dlt: number): LinkLayout {
  const D = DLT;
  switch (dlt) {
    case D.ARCNET: return layout(2, 6, 0, 0);
    case D.ARCNET_LINUX: return layout(4, 8, 0, 0);
    case D.EN10MB: return layout(12, 14, 0, 3);
    case D.NETANALYZER: return layout(16, 18, 0, 3, { linkhdr: 4 });
    case D.NETANALYZER_TRANSPARENT: return layout(24, 26, 0, 3, { linkhdr: 12 });
    case D.DSA_TAG_BRCM: return layout(16, 18, 0, 3);
    case D.DSA_TAG_DSA: return layout(16, 18, 0, 3);
    case D.SLIP: return layout(-1, 16, 0, 0);
    case D.SLIP_BSDOS: return layout(-1, 24, 0, 0);
    case D.NULL: case D.LOOP: return layout(0, 4, 0, 0);
    case D.ENC: return layout(0, 12, 0, 0);
    case D.PPP: case D.PPP_PPPD: case D.C_HDLC: case D.PPP_SERIAL: return layout(2, 4, 0, 0);
    case D.PPP_ETHER: return layout(6, 8, 0, 0);
    case D.PPP_BSDOS: return layout(5, 24, 0, 0);
    case D.FDDI: return layout(13, 13, 8, 3);
    case D.IEEE802: return layout(14, 14, 8, 3);
    case D.IEEE802_11: return layout(24, 0, 8, 0, { linkplVariable: true });
    // radio/pseudo header of a length read from the packet (see prologue.ts), then 802.11
    case D.PRISM_HEADER: case D.IEEE802_11_RADIO_AVS: case D.IEEE802_11_RADIO: case D.PPI:
      return layout(24, 0, 8, 0, { linkhdrVariable: true, linkplVariable: true });
    case D.ATM_RFC1483: case D.ATM_CLIP: return layout(0, 0, 8, 3);
    case D.SUNATM: return layout(4, 4, 8, 3, { atm: true });
    case D.RAW: case D.IPV4: case D.IPV6: return layout(-1, 0, 0, 0);
    case D.LINUX_SLL: return layout(14, 16, 0, 0);
    case D.LINUX_SLL2: return layout(0, 20, 0, 0);
    case D.LTALK: return layout(-1, 0, 0, 0);
    case D.IP_OVER_FC: return layout(-1, 16, 8, 3);
    case D.FRELAY: return layout(-1, 0, -1, -1);
    case D.APPLE_IP_OVER_IEEE1394: return layout(16, 18, 0, 0);
    case D.SYMANTEC_FIREWALL: return layout(6, 44, 0, 0);
    // the header's own length field, rounded up to 4 (see prologue.ts)
    case D.PFLOG: return layout(0, 0, 0, 0, { linkplVariable: true });
    case D.IPNET: return layout(1, 24, 0, 0);
    case D.MTP2: return layout(-1, -1, -1, -1, { mtp: 2 });
    case D.MTP2_WITH_PHDR: return layout(-1, -1, -1, -1, { mtp: 6 });
    case D.ERF: return layout(-1, -1, -1, -1, { mtp: 22 });
    case D.BACNET_MS_TP: return layout(-1, -1, -1, -1);
    // Juniper: a cookie header; the payload offset is a guess (libpcap only checks the cookie for
    // protocol tests). -1 means "not set" and takes part in offset sums, as in libpcap.
    case D.JUNIPER_MFR: case D.JUNIPER_MLFR: case D.JUNIPER_MLPPP: case D.JUNIPER_PPP: case D.JUNIPER_CHDLC:
    case D.JUNIPER_FRELAY:
      return layout(4, 4, 0, -1);
    case D.JUNIPER_ATM1: return layout(4, 4, 0, 10);
    case D.JUNIPER_ATM2: return layout(8, 8, 0, 10);
    case D.JUNIPER_PPPOE: case D.JUNIPER_ETHER: return layout(16, 14, 18, 21);
    case D.JUNIPER_PPPOE_ATM: return layout(4, 6, 0, -1);
    case D.JUNIPER_GGSN: return layout(6, 12, 0, -1);
    case D.JUNIPER_ES: return layout(6, -1, -1, -1);
    case D.JUNIPER_MONITOR: return layout(12, 12, 0, -1);
    case D.JUNIPER_SERVICES: return layout(12, -1, -1, -1);
    case D.JUNIPER_VP: case D.JUNIPER_ST: return layout(18, -1, -1, -1);
    case D.JUNIPER_ISM: case D.JUNIPER_VS: case D.JUNIPER_SRX_E2E: case D.JUNIPER_FIBRECHANNEL: case D.JUNIPER_ATM_CEMIC:
      return layout(8, -1, -1, -1);
    default:
      return layout(-1, -1, -1, -1);
  }
}
