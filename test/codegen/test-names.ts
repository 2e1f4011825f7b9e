// The name-resolution data libpcap's filter tests assume (README-libpcap.md, "Name-resolution data"),
// served by a stub resolver; services and protocols come from the system (or the built-in tables).
import { TableResolver } from '../../src/codegen/names.js';

const ETHERS: Array<[string, string]> = [
  ['aa:00:04:00:14:0e', 'eth-noipv4-noipv6.host123.libpcap.test'],
  ['aa:00:04:00:14:0e', 'eth-noipv4-ipv6.host123.libpcap.test'],
  ['aa:00:04:00:14:0e', 'eth-ipv4-noipv6.host123.libpcap.test'],
  ['aa:00:04:00:14:0e', 'eth-ipv4-ipv6.host123.libpcap.test'],
  ['aa:00:04:00:01:08', 'eth-ipv4x4-noipv6.host357.libpcap.test'],
  ['aa:00:04:00:01:08', 'eth-noipv4-ipv6x2.host357.libpcap.test'],
  ['aa:00:04:00:01:08', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
];

const HOSTS: Array<[string, string]> = [
  ['10.20.30.40', 'noeth-ipv4-noipv6.host123.libpcap.test'],
  ['10.20.30.40', 'noeth-ipv4-ipv6.host123.libpcap.test'],
  ['10.20.30.40', 'eth-ipv4-noipv6.host123.libpcap.test'],
  ['10.20.30.40', 'eth-ipv4-ipv6.host123.libpcap.test'],
  ['fd00:a1b2:c3d4::1020:3040:5060:7080', 'noeth-noipv4-ipv6.host123.libpcap.test'],
  ['fd00:a1b2:c3d4::1020:3040:5060:7080', 'noeth-ipv4-ipv6.host123.libpcap.test'],
  ['fd00:a1b2:c3d4::1020:3040:5060:7080', 'eth-noipv4-ipv6.host123.libpcap.test'],
  ['fd00:a1b2:c3d4::1020:3040:5060:7080', 'eth-ipv4-ipv6.host123.libpcap.test'],
  // multi-address names in the order getaddrinfo returned them on the reference host (glibc sorts
  // them; the expected programs compare in that order, which matters for short packets)
  ['192.168.241.3', 'eth-ipv4x4-noipv6.host357.libpcap.test'],
  ['192.168.242.4', 'eth-ipv4x4-noipv6.host357.libpcap.test'],
  ['192.168.243.1', 'eth-ipv4x4-noipv6.host357.libpcap.test'],
  ['192.168.244.2', 'eth-ipv4x4-noipv6.host357.libpcap.test'],
  ['192.168.241.3', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
  ['192.168.242.4', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
  ['192.168.243.1', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
  ['192.168.244.2', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
  ['fd00:a1b2:c3d4::a0b0:c0d0:e0f0:1278', 'eth-noipv4-ipv6x2.host357.libpcap.test'],
  ['fd00:a1b2:c3d4::a0b0:c0d0:e0f0:3456', 'eth-noipv4-ipv6x2.host357.libpcap.test'],
  ['fd00:a1b2:c3d4::a0b0:c0d0:e0f0:3456', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
  ['fd00:a1b2:c3d4::a0b0:c0d0:e0f0:1278', 'eth-ipv4x4-ipv6x2.host357.libpcap.test'],
];

const NETWORKS: Array<[string, string]> = [
  ['net-10-0-0-0.libpcap.test', '10.0.0.0'],
  ['net-10-20-0-0.libpcap.test', '10.20.0.0'],
  ['net-10-20-30-0.libpcap.test', '10.20.30.0'],
];

export const testResolver = new TableResolver({ hosts: HOSTS, ethers: ETHERS, networks: NETWORKS });
