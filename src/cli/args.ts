// Command-line parsing for `filter`, with tcpdump's option letters where tcpdump has one.

import type { DumpFormat, Engine } from '../filter.js';

export interface CliOptions {
  expression: string;
  files: string[];
  write?: string;
  pcapng: boolean;
  maxMatches?: number;
  countOnly: boolean;
  expressionFile?: string;
  snaplen?: number;
  linktype?: string;
  optimize: boolean;
  dump?: DumpFormat;
  ebpf: boolean;
  ast: boolean;
  stats: boolean;
  hex: boolean;
  json: boolean;
  engine: Engine;
  iface?: string;
  listInterfaces: boolean;
  promiscuous: boolean;
  help: boolean;
  version: boolean;
}

/** A command line that cannot be understood: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: filter [options] EXPRESSION [FILE...]
       filter [options] -F EXPRFILE [FILE...]
       filter [options] -i IFACE [EXPRESSION]

Filter packet captures with libpcap's filter language, compiled to classic BPF,
translated to eBPF and run as WebAssembly.

Input and output:
  FILE...           pcap or pcapng files (gzip allowed), read in order; - reads stdin
  -i IFACE          capture live on IFACE (any for all interfaces); needs the 'cap' package
  -D                list the interfaces live capture can use
  -p                do not put the interface into promiscuous mode
  -w OUT            write matching packets to OUT (pcap; - is stdout)
  --pcapng          write pcapng instead of pcap
  -c N              stop after N matching packets
  --count           print only the number of matching packets
  -x                print each matching packet's bytes in hex after its line
  --json            print one JSON object per matching packet
  --stats           print packets read, matched, bytes and time on stderr at the end

Compilation:
  -F EXPRFILE       read the expression from EXPRFILE ('#' starts a comment)
  -s SNAPLEN        snapshot length the filter returns for a match (default 262144)
  -y LINKTYPE       link type to compile for without a capture file, by name (EN10MB) or number;
                    default EN10MB (with a file, the file's link type is used, as tcpdump does)
  -O                do not optimize the program
  --engine ENGINE   jit (default), ebpf (our eBPF interpreter) or cbpf (our classic BPF interpreter)

Printing the program instead of filtering:
  -d  -dd  -ddd     print the classic BPF program as tcpdump does (text, C array, decimal)
  --ebpf            print the translated eBPF program as assembly (with -ddd: decimal fields)
  --ast             print the expression's syntax tree as JSON

  -h, --help        show this help
  --version         print the version

Examples:
  filter 'tcp port 80' capture.pcap
  filter 'host 10.0.0.5 and not port 22' capture.pcapng -w out.pcap
  filter --count 'udp and dst port 53' capture.pcap.gz
  filter -y EN10MB -d 'ip and tcp[tcpflags] & tcp-syn != 0'
  filter --ebpf 'vlan and tcp'
  filter -i lo -c 10 'icmp or udp'

Exit status: 0 on success, 1 on bad input (expression, capture file, capture device), 2 on usage errors.`;

function number(option: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new UsageError(`option ${option} needs a value`);
  if (!/^\d+$/.test(text)) throw new UsageError(`option ${option} takes a number, not '${text}'`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`option ${option} must be between ${min} and ${max}`);
  return value;
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = {
    expression: '', files: [], pcapng: false, countOnly: false, optimize: true, ebpf: false, ast: false,
    stats: false, hex: false, json: false, engine: 'jit', listInterfaces: false, promiscuous: true,
    help: false, version: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-h': case '--help': opts.help = true; break;
      case '--version': opts.version = true; break;
      case '-w': opts.write = value(); break;
      case '--pcapng': opts.pcapng = true; break;
      case '-c': opts.maxMatches = number(arg, argv[++i], 1, Number.MAX_SAFE_INTEGER); break;
      case '--count': opts.countOnly = true; break;
      case '-F': opts.expressionFile = value(); break;
      case '-s': opts.snaplen = number(arg, argv[++i], 0, 0xffffffff); break;
      case '-y': opts.linktype = value(); break;
      case '-O': opts.optimize = false; break;
      case '-d': opts.dump = 'd'; break;
      case '-dd': opts.dump = 'dd'; break;
      case '-ddd': opts.dump = 'ddd'; break;
      case '--ebpf': opts.ebpf = true; break;
      case '--ast': opts.ast = true; break;
      case '--stats': opts.stats = true; break;
      case '-x': opts.hex = true; break;
      case '--json': opts.json = true; break;
      case '--engine': {
        const e = value();
        if (e !== 'jit' && e !== 'ebpf' && e !== 'cbpf') throw new UsageError(`--engine takes jit, ebpf or cbpf, not '${e}'`);
        opts.engine = e;
        break;
      }
      case '-i': opts.iface = value(); break;
      case '-D': opts.listInterfaces = true; break;
      case '-p': opts.promiscuous = false; break;
      case '--': positional.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}' (filter --help lists them)`);
        positional.push(arg);
    }
  }
  if (opts.help || opts.version || opts.listInterfaces) return opts;
  if (opts.expressionFile === undefined) {
    if (positional.length === 0) throw new UsageError('no filter expression given (filter --help shows how to use it)');
    opts.expression = positional.shift()!;
  }
  opts.files = positional;
  const printsProgram = opts.dump !== undefined || opts.ebpf || opts.ast;
  if (opts.ebpf && opts.dump !== undefined && opts.dump !== 'ddd') throw new UsageError('--ebpf can be combined with -ddd only');
  if (opts.iface !== undefined && opts.files.length > 0) throw new UsageError('give either -i IFACE or capture files, not both');
  if (!printsProgram && opts.iface === undefined && opts.files.length === 0) {
    throw new UsageError('no capture file given (use - for stdin, or -i IFACE for a live capture)');
  }
  if (opts.countOnly && (opts.json || opts.hex)) throw new UsageError('--count prints only the count: drop --json and -x');
  return opts;
}
