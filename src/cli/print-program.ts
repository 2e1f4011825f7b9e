// -d/-dd/-ddd, --ebpf and --ast: print the compiled program (or the syntax tree) instead of filtering.
import { readBatches } from '../capture/index.js';
import { parse } from '../grammar/index.js';
import { compile } from '../filter.js';
import { ebpfToAssembly } from '../ebpf/disasm.js';
import { ebpfToDecimal } from '../ebpf/encode.js';
import type { CliOptions } from './args.js';

/** Link type and snapshot length of the first capture file, as tcpdump -r FILE -d uses them. */
async function firstFileLink(file: string): Promise<{ linktype: number; snaplen: number } | undefined> {
  for await (const batch of readBatches(file)) {
    const iface = batch.interfaces[0];
    if (iface) return { linktype: iface.linktype, snaplen: iface.snaplen };
  }
  return undefined;
}

export async function printProgram(opts: CliOptions): Promise<number> {
  if (opts.ast) {
    process.stdout.write(`${JSON.stringify(parse(opts.expression), null, 2)}\n`);
    return 0;
  }
  const fromFile = opts.linktype === undefined && opts.files.length > 0 ? await firstFileLink(opts.files[0]) : undefined;
  const filter = compile(opts.expression, {
    linktype: opts.linktype ?? fromFile?.linktype ?? 'EN10MB',
    snaplen: opts.snaplen ?? fromFile?.snaplen,
    optimize: opts.optimize,
  });
  for (const w of filter.warnings) process.stderr.write(`filter: warning: ${w}\n`);
  let text: string;
  if (opts.ebpf) text = opts.dump === 'ddd' ? ebpfToDecimal(filter.ebpf) : ebpfToAssembly(filter.ebpf);
  else text = filter.dump(opts.dump);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
