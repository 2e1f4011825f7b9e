// `filter -i IFACE EXPR`: capture live through `cap`, run the compiled filter on every packet.
import { formatInterfaceList, listInterfaces, openLive } from '../capture/live.js';
import { dltName } from '../codegen/index.js';
import type { CliOptions } from './args.js';
import { FilterSet } from '../filter-set.js';
import { MatchOutput, printWarning } from './match-output.js';

const LIVE_SNAPLEN = 65535;

/** -D: the interfaces, as tcpdump -D lists them. */
export function listLiveInterfaces(): number {
  process.stdout.write(formatInterfaceList(listInterfaces()));
  return 0;
}

export async function filterLive(opts: CliOptions): Promise<number> {
  const snaplen = opts.snaplen ?? LIVE_SNAPLEN;
  const capture = openLive({ iface: opts.iface!, snaplen, promisc: opts.promiscuous });
  const filter = new FilterSet(opts, printWarning).forLinktype(capture.linktype, snaplen);
  const output = new MatchOutput(opts);
  process.stderr.write(`filter: listening on ${capture.iface}, link-type ${dltName(capture.linktype).replace(/^DLT_/, '')}, snapshot length ${snaplen} bytes\n`);
  const stop = (): void => capture.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let received = 0;
  try {
    for await (const packet of capture) {
      received++;
      if (filter.run(packet.data, packet.wirelen) !== 0 && (await output.livePacket(packet, snaplen))) break;
    }
  } finally {
    capture.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await output.close();
  }
  process.stderr.write(`${received} packets received, ${output.matched} matched, ${capture.dropped} dropped\n`);
  return 0;
}
