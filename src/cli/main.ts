// The `filter` command: compile an expression, then print the program or filter captures.
import { readFileSync } from 'node:fs';
import { FilterError } from '../grammar/errors.js';
import { blankComments } from '../grammar/comments.js';
import { CaptureFormatError } from '../capture/errors.js';
import { LiveCaptureError } from '../capture/live.js';
import { JitCompileError } from '../ebpf/jit/index.js';
import { EbpfTranslateError } from '../ebpf/translate.js';
import { HELP, parseArgs, UsageError, type CliOptions } from './args.js';
import { printProgram } from './print-program.js';
import { filterFiles } from './filter-files.js';
import { filterLive, listLiveInterfaces } from './filter-live.js';

const VERSION = '0.1.0';

/** tcpdump -F: the file's text with its '#' comments blanked. */
function readExpressionFile(path: string): string {
  return blankComments(readFileSync(path, 'utf8'));
}

/** Runs the command; resolves to the exit code (0 ok, 1 bad input, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`filter: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`filter ${VERSION}\n`);
    return 0;
  }
  try {
    if (opts.listInterfaces) return listLiveInterfaces();
    if (opts.expressionFile !== undefined) opts.expression = readExpressionFile(opts.expressionFile);
    if (opts.dump !== undefined || opts.ebpf || opts.ast) return await printProgram(opts);
    if (opts.iface !== undefined) return await filterLive(opts);
    return await filterFiles(opts);
  } catch (e) {
    return reportError(e);
  }
}

/** Prints an expected error the way a tcpdump user wants it; anything else is a bug and keeps its stack. */
function reportError(e: unknown): number {
  if (e instanceof FilterError) {
    process.stderr.write(`${e.format('filter')}\n`);
    return 1;
  }
  // a program too big for eBPF or for WebAssembly: `--engine cbpf` still runs it
  if (e instanceof EbpfTranslateError || e instanceof JitCompileError) {
    process.stderr.write(`filter: ${e.message} (try --engine cbpf)\n`);
    return 1;
  }
  if (e instanceof CaptureFormatError || e instanceof LiveCaptureError) {
    process.stderr.write(`filter: ${e.message}\n`);
    return 1;
  }
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && e instanceof Error) {
    // File-system errors: ENOENT, EACCES, EISDIR, EPIPE, ...
    process.stderr.write(`filter: ${e.message}\n`);
    return 1;
  }
  throw e;
}
