// Where the oracle (Debian's libpcap 1.10.3) and libpcap master (the conformance data, which the
// project follows) disagree. test/oracle.test.ts checks both lists exactly, so a change shows up.

/**
 * Apply cases of libpcap-filterapply.jsonl without a skip_if condition whose expected results
 * (master) differ from what libpcap 1.10.3 gives (a different verdict vector, or a compile error).
 */
export const APPLY_CASES_WHERE_1_10_3_DIFFERS: readonly string[] = [
  // MTP2 dpc/opc/sls field extraction fixed after 1.10.3
  'dpc_ne_0', 'opc_ne_0', 'sls_ne_9',
  // ARCnet `$xx` addresses misread by 1.10.3; RFC 1051 ARCnet protocol ids
  'link_host_c0_on_arcnet', 'link_src_host_c0_on_arcnet', 'link_dst_host_c0_on_arcnet', 'link_host_not_c0_on_arcnet',
  'rfc1051_arp', 'rfc1051_ip',
  // BACnet MS/TP addresses and broadcast: added after 1.10.3
  'mstp_link_host', 'mstp_link_src_host', 'mstp_link_dst_host', 'mstp_link_src_and_dst_host', 'mstp_link_broadcast',
  // SLIP direction byte validity
  'slip_outbound_on_invalid',
  // 802.11 primitives on PPI: added after 1.10.3
  'wlan_subtype_ack_PPI', 'wlan_dir_nods_PPI',
  // IS-IS CSNP on C_HDLC
  'csnp_C_HDLC',
  // `vxlan`: new in 1.11
  'vxlan', 'vxlan_100', 'vxlan_101', 'vxlan_and_icmp_reply',
  // DSA_TAG_BRCM / DSA_TAG_DSA filtering: added after 1.10.3
  'broadcast_DSA_TAG_BRCM', 'link_src_host_DSA_TAG_BRCM', 'arp_DSA_TAG_BRCM', 'ip_src_host_DSA_TAG_BRCM',
  'ip_flag_df_via_index_DSA_TAG_BRCM', 'llc_DSA_TAG_BRCM', 'stp_DSA_TAG_BRCM', 'vlan_DSA_TAG_BRCM', 'vlan_8_DSA_TAG_BRCM',
  'vlan_8_and_llc_DSA_TAG_BRCM', 'vlan_8_and_stp_DSA_TAG_BRCM', 'vlan_5_DSA_TAG_BRCM', 'link_dst_host_DSA_TAG_BRCM',
  'multicast_DSA_TAG_BRCM', 'inbound_DSA_TAG_BRCM', 'outbound_DSA_TAG_BRCM',
  'link_dst_DSA_TAG_DSA', 'arp_DSA_TAG_DSA', 'arp_src_DSA_TAG_DSA', 'ip_DSA_TAG_DSA', 'icmp_DSA_TAG_DSA', 'icmp_index_DSA_TAG_DSA',
  'inbound_DSA_TAG_DSA', 'outbound_DSA_TAG_DSA',
];

/**
 * Captures (relative to the shared pcaps folder) on which 1.10.3's verdicts are not master's for
 * some expressions, with the reason. A differential test of a master-following compiler against
 * the oracle must expect differences on these files (or leave them out); the apply cases above
 * give master's verdicts for them.
 */
export const CAPTURES_WHERE_1_10_3_DIFFERS: Readonly<Record<string, string>> = {
  'arcnet-rfc1051-arp-icmp-http.pcap': 'RFC 1051 ARCnet protocol ids (ip, arp)',
  'libpcap-filter/arcnet-rfc1051-arp-icmp-http.pcap': 'RFC 1051 ARCnet protocol ids (ip, arp)',
  'arcnet-rfc1201-arp-icmp-http.pcap': 'ARCnet $xx addresses',
  'libpcap-filter/arcnet-rfc1201-arp-icmp-http.pcap': 'ARCnet $xx addresses',
  'libpcap-filter/bacnet-arcnet-linux.pcap': 'ARCnet $xx addresses',
  'libpcap-filter/mstp_20140225214217.pcap': 'BACnet MS/TP link primitives (new after 1.10.3)',
  'brcm-tag.pcap': 'DSA_TAG_BRCM filtering (1.10.3: not implemented)',
  'libpcap-filter/brcm-tag.pcap': 'DSA_TAG_BRCM filtering (1.10.3: not implemented)',
  'libpcap-filter/brcm-tag-stp.pcap': 'DSA_TAG_BRCM filtering (1.10.3: not implemented)',
  'dsa.pcap': 'DSA_TAG_DSA filtering (1.10.3: not implemented)',
  'dsa-high-vid.pcap': 'DSA_TAG_DSA filtering (1.10.3: not implemented)',
  'libpcap-filter/dsa.pcap': 'DSA_TAG_DSA filtering (1.10.3: not implemented)',
  'libpcap-filter/http_PPI.pcap': '802.11 primitives on PPI (new after 1.10.3)',
  'slip-bad-direction.pcap': 'SLIP direction byte validity (inbound/outbound)',
  'libpcap-filter/slip-bad-direction.pcap': 'SLIP direction byte validity (inbound/outbound)',
  'ISIS_p2p_adjacency.pcap': 'IS-IS PDU types on C_HDLC (csnp ...)',
  'libpcap-filter/ISIS_p2p_adjacency.pcap': 'IS-IS PDU types on C_HDLC (csnp ...)',
  'libpcap-filter/isup_load_generator.pcap': 'MTP2 dpc/opc/sls',
  'libpcap-filter/vxlan.pcap': '`vxlan` (new in 1.11)',
};


/**
 * Savefile-only reject cases (master refuses to open the file) that libpcap 1.10.3 opens anyway;
 * 1.10.3 refuses the other ones at open time too.
 */
export const REJECT_SAVEFILES_1_10_3_OPENS: readonly string[] = [
  // 1.10.3 masks fewer bits of the link-type field and then fails only at compile time
  'pcap_linktype_reserved_field_not_zero',
];

/**
 * Expressions on which libpcap master (followed here, see the conformance data) and 1.10.3 give
 * different verdicts on some capture, with the reason. Their pairs are compared, and each entry must
 * differ somewhere (so the list stays exact).
 */
export const MASTER_DIFFERS: Readonly<Record<string, string>> = {
  'ip multicast': 'master tests class D only (ip[16] & 0xf0 == 0xe0); 1.10.3 tests ip[16] >= 224',
  'ip6 multicast or ip multicast': 'as `ip multicast`',
  'ip multicast and not ether multicast': 'as `ip multicast`',
};

/** Captures (besides CAPTURES_WHERE_1_10_3_DIFFERS) where master and 1.10.3 differ for some expressions. */
export const MASTER_DIFFERS_ON_CAPTURE: Readonly<Record<string, string>> = {
  'cve2015-0261-crash.pcap': 'SLIP direction byte neither 0 nor 1: master `outbound` is [0] == 1, 1.10.3 accepts any non-zero',
  'cve2015-0261-ipv6.pcap': 'SLIP direction byte (as above)',
  'heapoverflow-sl_if_print.pcap': 'SLIP direction byte (as above)',
  'isis-extd-isreach-oobr.pcap': 'IS-IS PDU type on C_HDLC: master skips the fudge byte (offset 5), 1.10.3 reads offset 4',
  'isis-seg-fault-3.pcapng': 'IS-IS PDU type on C_HDLC (as above)',
  'hoobr_juniper3.pcap': 'JUNIPER_ES has no payload offset: the index wraps below 0; master bpf_filter refuses a wrapping [x + k], 1.10.3 wraps it',
  'juniper_es_oobr.pcap': 'JUNIPER_ES index wrap (as above)',
};
