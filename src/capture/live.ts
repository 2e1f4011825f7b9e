// Live capture through the optional npm package `cap` (a libpcap binding). Loaded lazily, so the
// library imports and works without it; only openLive/listInterfaces need it.
//
// What `cap` 0.2 gives and does not give, and how this module copes:
// - it hands out only the captured bytes (no pcap_pkthdr): `timestamp` is the arrival time in
//   this process (wall clock, nanoseconds), and `wirelen` equals the captured length libpcap
//   delivered (exact for packets up to cap's fixed kernel snapshot length of 65535 bytes);
// - its kernel snapshot length is fixed at 65535: a smaller `snaplen` is applied here by
//   cutting each packet (caplen = min(length, snaplen), wirelen keeps the full length);
// - it always opens the device in promiscuous mode, so `promisc: false` is refused;
// - it has no pcap_stats: `dropped` counts only packets this module dropped for a slow consumer;
// - on devices without an IPv4 address (e.g. `any`) its open() prints a libpcap warning
//   ("SIOCGIFADDR ... This may not actually work") to stderr, which is harmless.
import type { CapturedPacket } from './types.js';

export type LiveCaptureErrorCode =
  | 'cap-missing'
  | 'cap-not-built'
  | 'libpcap-missing'
  | 'permission'
  | 'no-such-device'
  | 'unsupported'
  | 'open-failed';

/** Why a live capture cannot start; the message says what is missing and how to fix it. */
export class LiveCaptureError extends Error {
  override readonly name = 'LiveCaptureError';
  constructor(
    readonly code: LiveCaptureErrorCode,
    message: string,
    /** The underlying error (from `cap` or libpcap), if any. */
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export interface LiveOptions {
  /** Device name as `tcpdump -D` lists it (e.g. 'eth0', 'lo', 'any'). */
  iface: string;
  /** Bytes kept of each packet (default and maximum 65535, cap's fixed kernel snapshot length). */
  snaplen?: number;
  /** Must be true or omitted: `cap` always opens the device in promiscuous mode. */
  promisc?: boolean;
  /** libpcap's kernel buffer size in bytes (default 10 MiB). */
  bufferSize?: number;
  /** Packets held for a slow consumer before further ones are dropped and counted (default 100000). */
  maxQueued?: number;
}

/** A running capture: iterate it with `for await`; stop() (or close()) ends the iteration. */
export interface LiveCapture extends AsyncIterable<CapturedPacket> {
  readonly iface: string;
  /** DLT_ value of the device (pcap_datalink). */
  readonly linktype: number;
  /** Effective snapshot length: the requested one, at most 65535. */
  readonly snaplen: number;
  /** Packets dropped because the consumer fell more than maxQueued packets behind. */
  readonly dropped: number;
  stop(): void;
  close(): void;
}

export interface LiveInterface {
  name: string;
  description?: string;
  addresses: { addr: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
  loopback: boolean;
}

// The parts of `cap` 0.2 used here.
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
}
interface CapModule {
  Cap: {
    new (): CapHandle;
    deviceList(): { name: string; description?: string; addresses: LiveInterface['addresses']; flags?: string }[];
  };
}

const CAP_KERNEL_SNAPLEN = 65535;

const INSTALL_HINT =
  'install it with `npm install cap` (it compiles against libpcap: `apt-get install libpcap-dev` first) ' +
  'and approve its install script with `npm install-scripts approve cap`';

let capModule: CapModule | undefined;

function loadCap(): CapModule {
  if (capModule) return capModule;
  // node:module is loaded here, not at start-up: a run that captures nothing does not need it
  const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);
  try {
    capModule = require('cap') as CapModule;
    return capModule;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && /cap\.node/.test(msg)) {
      throw new LiveCaptureError(
        'cap-not-built',
        `live capture needs the native part of the npm package 'cap', which was not built (its install script did not run or failed): ${INSTALL_HINT}, then \`npm rebuild cap\``,
        err,
      );
    }
    if (code === 'MODULE_NOT_FOUND') {
      throw new LiveCaptureError('cap-missing', `live capture needs the optional npm package 'cap': ${INSTALL_HINT}`, err);
    }
    if (/libpcap/.test(msg)) {
      throw new LiveCaptureError(
        'libpcap-missing',
        `live capture needs the libpcap shared library, which 'cap' could not load (${msg}): apt-get install libpcap0.8 (or libpcap-dev)`,
        err,
      );
    }
    throw new LiveCaptureError('cap-not-built', `the npm package 'cap' failed to load (${msg}): reinstall it; ${INSTALL_HINT}`, err);
  }
}

const PERMISSION_HINT =
  'run as root, or grant the capability to node: `setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v node)")"`';

function openError(iface: string, err: unknown): LiveCaptureError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/permission|not permitted/i.test(msg)) {
    return new LiveCaptureError('permission', `no permission to capture on ${iface} (${msg}): ${PERMISSION_HINT} (CAP_NET_RAW)`, err);
  }
  if (/no such device|doesn't exist|does not exist/i.test(msg)) {
    return new LiveCaptureError('no-such-device', `no capture device named ${iface} (${msg}); 'filter -D' (or listInterfaces()) lists them`, err);
  }
  return new LiveCaptureError('open-failed', `cannot capture on ${iface}: ${msg}`, err);
}

// cap names only five link types; everything else comes back as "Unknown linktype N".
const CAP_LINKTYPE_NAMES: Record<string, number> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 12,
  LINKTYPE_LINUX_SLL: 113,
  IEEE802_11_RADIO: 127,
};

function linktypeOf(capName: string): number {
  const named = CAP_LINKTYPE_NAMES[capName];
  if (named !== undefined) return named;
  const m = /^Unknown linktype (\d+)$/.exec(capName);
  if (m) return Number(m[1]);
  throw new LiveCaptureError('open-failed', `unexpected link type from cap: ${capName}`);
}

/** The capture devices, as `tcpdump -D` lists them (in the same order). */
export function listInterfaces(): LiveInterface[] {
  const cap = loadCap();
  let devices: ReturnType<CapModule['Cap']['deviceList']>;
  try {
    devices = cap.Cap.deviceList();
  } catch (err) {
    throw openError('any device', err);
  }
  return devices.map((d) => ({
    name: d.name,
    ...(d.description !== undefined ? { description: d.description } : {}),
    addresses: d.addresses,
    loopback: d.flags === 'PCAP_IF_LOOPBACK',
  }));
}

/** Lines like `tcpdump -D` prints: `1.eth0`, `2.any (Pseudo-device ...)`, `3.lo [Loopback]`. */
export function formatInterfaceList(list: LiveInterface[]): string {
  return list
    .map((d, i) => `${i + 1}.${d.name}${d.description ? ` (${d.description})` : ''}${d.loopback ? ' [Loopback]' : ''}\n`)
    .join('');
}

/** Starts capturing on a device. Throws LiveCaptureError when that is impossible, saying why. */
export function openLive(options: LiveOptions): LiveCapture {
  const { iface, snaplen = CAP_KERNEL_SNAPLEN, bufferSize = 10 * 1024 * 1024, maxQueued = 100_000 } = options;
  if (options.promisc === false) {
    throw new LiveCaptureError('unsupported', "non-promiscuous capture is not available: the npm package 'cap' always opens devices in promiscuous mode");
  }
  if (!Number.isInteger(snaplen) || snaplen < 1) {
    throw new LiveCaptureError('unsupported', `invalid snaplen ${snaplen}: must be a positive integer`);
  }
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new LiveCaptureError('unsupported', `invalid bufferSize ${bufferSize}: must be a positive integer`);
  }
  const effectiveSnaplen = Math.min(snaplen, CAP_KERNEL_SNAPLEN);
  const cap = loadCap();
  // Checked first: cap's open() of an unknown name also prints a libpcap warning to stderr.
  if (!listInterfaces().some((d) => d.name === iface)) {
    throw new LiveCaptureError('no-such-device', `no capture device named ${iface}; 'filter -D' (or listInterfaces()) lists them`);
  }
  const handle = new cap.Cap();
  const buffer = Buffer.alloc(CAP_KERNEL_SNAPLEN);
  let linktype: number;
  try {
    linktype = linktypeOf(handle.open(iface, '', bufferSize, buffer));
  } catch (err) {
    throw err instanceof LiveCaptureError ? err : openError(iface, err);
  }

  // Wall-clock anchor plus the monotonic clock, so timestamps have nanosecond resolution.
  const wallAnchor = BigInt(Date.now()) * 1_000_000n;
  const hrAnchor = process.hrtime.bigint();

  // FIFO of packets not yet taken: queue[head..] (compacted now and then, so shifting stays cheap).
  let queue: CapturedPacket[] = [];
  let head = 0;
  let waiting: ((r: IteratorResult<CapturedPacket>) => void) | undefined;
  let stopped = false;
  let dropped = 0;

  handle.on('packet', (nbytes) => {
    if (stopped) return;
    const caplen = Math.min(nbytes, effectiveSnaplen);
    const packet: CapturedPacket = {
      linktype,
      timestamp: wallAnchor + (process.hrtime.bigint() - hrAnchor),
      caplen,
      wirelen: nbytes,
      data: new Uint8Array(buffer.subarray(0, caplen)), // copy: cap reuses the buffer
      interface: 0,
    };
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: packet, done: false });
    } else if (queue.length - head < maxQueued) {
      queue.push(packet);
    } else {
      dropped++;
    }
  });

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    handle.close();
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  };

  return {
    iface,
    linktype,
    snaplen: effectiveSnaplen,
    get dropped() {
      return dropped;
    },
    stop,
    close: stop,
    [Symbol.asyncIterator](): AsyncIterator<CapturedPacket> {
      return {
        next(): Promise<IteratorResult<CapturedPacket>> {
          if (head < queue.length) {
            const queued = queue[head++];
            if (head >= 1024 && head * 2 >= queue.length) {
              queue = queue.slice(head);
              head = 0;
            }
            return Promise.resolve({ value: queued, done: false });
          }
          if (stopped) return Promise.resolve({ value: undefined, done: true });
          if (waiting) return Promise.reject(new Error('LiveCapture: next() called again before the previous call settled'));
          return new Promise((resolve) => (waiting = resolve));
        },
        return(): Promise<IteratorResult<CapturedPacket>> {
          stop();
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}
