// Live capture on the loopback device: our own UDP datagrams, and the ICMP port-unreachable
// errors the kernel answers UDP to a closed port with, must arrive exactly, byte for byte.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LiveCaptureError, formatInterfaceList, listInterfaces, openLive, type LiveCapture } from '../src/capture/live.js';
import type { CapturedPacket } from '../src/capture/types.js';
import { capProblem, isRoot, liveProblem } from './support/live.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const liveSkipReason = liveProblem();

const DLT_EN10MB = 1;
const ETH_HLEN = 14;

interface UdpView {
  src: number;
  dst: number;
  payload: Uint8Array;
}

/** IPv4/UDP fields of an Ethernet frame from lo (which has an all-zero Ethernet header). */
function udpOf(p: CapturedPacket): UdpView | undefined {
  const d = p.data;
  if (d.length < ETH_HLEN + 28 || d[12] !== 0x08 || d[13] !== 0x00 || d[ETH_HLEN + 9] !== 17) return undefined;
  const ihl = (d[ETH_HLEN] & 0x0f) * 4;
  const u = ETH_HLEN + ihl;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const len = view.getUint16(u + 4);
  return { src: view.getUint16(u), dst: view.getUint16(u + 2), payload: d.subarray(u + 8, u + len) };
}

/** For an ICMP port unreachable: the destination port of the UDP datagram it quotes. */
function unreachablePortOf(p: CapturedPacket): number | undefined {
  const d = p.data;
  if (d.length < ETH_HLEN + 20 || d[12] !== 0x08 || d[13] !== 0x00 || d[ETH_HLEN + 9] !== 1) return undefined;
  const icmp = ETH_HLEN + (d[ETH_HLEN] & 0x0f) * 4;
  if (d.length < icmp + 8 + 20 + 4 || d[icmp] !== 3 || d[icmp + 1] !== 3) return undefined;
  const inner = icmp + 8;
  if (d[inner + 9] !== 17) return undefined;
  const innerUdp = inner + (d[inner] & 0x0f) * 4;
  return (d[innerUdp + 2] << 8) | d[innerUdp + 3];
}

async function bindUdp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

async function send(s: Socket, port: number, payload: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) => s.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

/**
 * Collects packets until `done(collected)` holds (plus a grace period, so that unexpected extra
 * packets are caught too) or the deadline passes, then stops the capture.
 */
async function collect(capture: LiveCapture, done: (ps: CapturedPacket[]) => boolean, ms = 5000): Promise<CapturedPacket[]> {
  const got: CapturedPacket[] = [];
  const deadline = setTimeout(() => capture.stop(), ms);
  let grace: NodeJS.Timeout | undefined;
  for await (const p of capture) {
    got.push(p);
    if (!grace && done(got)) grace = setTimeout(() => capture.stop(), 200);
  }
  clearTimeout(deadline);
  clearTimeout(grace);
  return got;
}

describe('live capture errors', () => {
  it('refuses promisc: false with a typed error (cap always opens promiscuously)', () => {
    const err = (() => {
      try {
        openLive({ iface: 'lo', promisc: false });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LiveCaptureError);
    expect((err as LiveCaptureError).code).toBe('unsupported');
  });

  it.skipIf(capProblem !== undefined)('names a device that does not exist', () => {
    expect(() => openLive({ iface: 'no-such-device0' })).toThrow(
      expect.objectContaining({ name: 'LiveCaptureError', code: 'no-such-device', message: expect.stringContaining('no-such-device0') }),
    );
  });

  it.skipIf(capProblem !== undefined)('says how to get permission when capture is not permitted', () => {
    // As root, a child process loads the code and cap while still root (so the checkout may lie in a
    // folder only root can read), then becomes user nobody and tries; otherwise this process lacks the
    // permission itself.
    const script =
      "import { listInterfaces, openLive } from './src/capture/live.ts';" +
      'listInterfaces(); process.setgroups([]); process.setgid(65534); process.setuid(65534);' +
      "try { openLive({ iface: 'lo' }).stop(); console.log('{}'); }" +
      'catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }';
    const result = isRoot
      ? spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      : undefined;
    if (result?.error) throw result.error;
    type ErrorFields = { name?: string; code?: string; message?: string };
    let err: ErrorFields = {};
    if (result) {
      err = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as ErrorFields;
    } else {
      try {
        openLive({ iface: 'lo' }).stop();
      } catch (e) {
        err = e as LiveCaptureError;
      }
    }
    expect(err.name).toBe('LiveCaptureError');
    expect(err.code).toBe('permission');
    expect(err.message).toMatch(/run as root/);
    expect(err.message).toMatch(/CAP_NET_RAW/);
  });

  it.skipIf(capProblem !== undefined)('lists interfaces in tcpdump -D order, loopback included', () => {
    const list = listInterfaces();
    const lo = list.find((d) => d.name === 'lo');
    expect(lo?.loopback).toBe(true);
    expect(lo?.addresses.some((a) => a.addr === '127.0.0.1')).toBe(true);
    expect(formatInterfaceList(list)).toContain(`${list.indexOf(lo!) + 1}.lo [Loopback]\n`);
    const tcpdump = spawnSync('tcpdump', ['-D'], { encoding: 'utf8' });
    if (tcpdump.error) throw tcpdump.error;
    const names = tcpdump.stdout.split('\n').flatMap((l) => /^\d+\.(\S+)/.exec(l)?.[1] ?? []);
    expect(list.map((d) => d.name)).toEqual(names);
  });
});

describe.skipIf(liveSkipReason !== undefined)(`live capture on lo${liveSkipReason ? ` (skipped: ${liveSkipReason})` : ''}`, () => {
  it('delivers exactly our UDP datagrams and the kernel ICMP port-unreachable answers', async () => {
    const receiver = await bindUdp();
    const sender = await bindUdp();
    const closed = await bindUdp();
    const closedPort = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const openPort = receiver.address().port;
    const senderPort = sender.address().port;
    const tag = `filterjit-live-${process.pid}-${Date.now()}`;
    const payloads = [0, 1, 2, 3].map((i) => Buffer.from(`${tag}-open-${i}`));
    const toClosed = [0, 1].map((i) => Buffer.from(`${tag}-closed-${i}`));

    const capture = openLive({ iface: 'lo' });
    expect(capture.linktype).toBe(DLT_EN10MB);
    expect(capture.snaplen).toBe(65535);
    const before = BigInt(Date.now() - 1) * 1_000_000n; // Date.now() has millisecond resolution
    const ours = (ps: CapturedPacket[]) =>
      ps.filter((p) => udpOf(p)?.src === senderPort || unreachablePortOf(p) === closedPort);
    const collecting = collect(capture, (ps) => ours(ps).length >= payloads.length + 2 * toClosed.length);
    for (const p of payloads) await send(sender, openPort, p);
    for (const p of toClosed) await send(sender, closedPort, p);
    const got = ours(await collecting);
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    sender.close();
    receiver.close();

    const udp = got.map(udpOf).filter((u) => u !== undefined);
    expect(udp.map((u) => [u.dst, Buffer.from(u.payload).toString()])).toEqual([
      ...payloads.map((p) => [openPort, p.toString()]),
      ...toClosed.map((p) => [closedPort, p.toString()]),
    ]);
    expect(got.filter((p) => unreachablePortOf(p) === closedPort).length).toBe(toClosed.length);
    expect(got.length).toBe(payloads.length + 2 * toClosed.length);
    for (const p of got) {
      expect(p.linktype).toBe(DLT_EN10MB);
      expect(p.caplen).toBe(p.data.length);
      expect(p.wirelen).toBe(p.caplen);
      expect(p.timestamp >= before && p.timestamp <= after).toBe(true);
    }
    const stamps = got.map((p) => p.timestamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('cuts packets to snaplen and keeps the wire length', async () => {
    const receiver = await bindUdp();
    const sender = await bindUdp();
    const senderPort = sender.address().port;
    const capture = openLive({ iface: 'lo', snaplen: 60 });
    expect(capture.snaplen).toBe(60);
    const collecting = collect(capture, (ps) => ps.some((p) => p.wirelen > 500 && p.data[ETH_HLEN + 9] === 17));
    await send(sender, receiver.address().port, Buffer.alloc(500, 0x5a));
    const got = (await collecting).filter((p) => p.wirelen > 500 && p.data[ETH_HLEN + 9] === 17);
    sender.close();
    receiver.close();
    expect(got.length).toBe(1);
    const [p] = got;
    expect(p.caplen).toBe(60);
    expect(p.data.length).toBe(60);
    expect(p.wirelen).toBe(ETH_HLEN + 20 + 8 + 500);
    // The UDP source port sits inside the first 60 bytes.
    expect((p.data[ETH_HLEN + 20] << 8) | p.data[ETH_HLEN + 21]).toBe(senderPort);
  });

  it('holds at most maxQueued packets for a consumer that does not read, and counts the rest as dropped', async () => {
    const receiver = await bindUdp();
    const sender = await bindUdp();
    const capture = openLive({ iface: 'lo', maxQueued: 2 });
    for (let i = 0; i < 6; i++) await send(sender, receiver.address().port, Buffer.from(`queued-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    capture.stop(); // already queued packets are still delivered, then the iteration ends
    const got: CapturedPacket[] = [];
    for await (const p of capture) got.push(p);
    sender.close();
    receiver.close();
    expect(got.length).toBe(2);
    expect(capture.dropped).toBeGreaterThanOrEqual(4);
  });
});
