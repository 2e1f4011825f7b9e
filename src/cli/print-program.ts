// -d/-dd/-ddd, --ebpf and --ast: print the compiled program (or the syntax tree) instead of filtering.
import { readBatches, type CaptureInterface } from '../capture/index.js';
import { parse } from '../grammar/index.js';
import { compile } from '../filter.js';
import { ebpfToAssembly } from '../ebpf/disasm.js';
import { ebpfToDecimal } from '../ebpf/encode.js';
import type { CliOptions } from './args.js';
import { stringifyDeep } from './json.js';
import { printWarning } from './match-output.js';

/** The first interface of a capture file: tcpdump -r FILE -d compiles for its link type and snaplen. */
async function firstInterface(file: string): Promise<CaptureInterface | undefined> {
  for await (const batch of readBatches(file)) {
    if (batch.interfaces[0]) return batch.interfaces[0];
  }
  return undefined;
}

export async function printProgram(opts: CliOptions): Promise<number> {
  if (opts.ast) {
    const ast = parse(opts.expression);
    let text: string;
    try {
      text = stringifyDeep(ast);
    } catch (e) {
      // thousands of nesting levels indented: longer than a string can be; print it compact instead
      if (!(e instanceof RangeError)) throw e;
      text = stringifyDeep(ast, '');
    }
    process.stdout.write(`${text}\n`);
    return 0;
  }
  const fromFile = opts.files.length > 0 ? await firstInterface(opts.files[0]) : undefined;
  const filter = compile(opts.expression, {
    linktype: fromFile?.linktype ?? opts.linktype ?? 'EN10MB',
    snaplen: opts.snaplen ?? fromFile?.snaplen,
    optimize: opts.optimize,
    offline: fromFile && (fromFile.swapped ? 'swapped' : 'unswapped'),
    engine: 'cbpf', // nothing runs: no JIT to build
  });
  for (const w of filter.warnings) printWarning(w);
  let text: string;
  if (opts.ebpf) text = opts.dump === 'ddd' ? ebpfToDecimal(filter.ebpf) : ebpfToAssembly(filter.ebpf);
  else text = filter.dump(opts.dump);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
