// JSON.stringify(value, null, indent) for trees of any depth: the AST of `not not ... tcp` (libpcap
// accepts nearly 10,000 levels) is deeper than JSON.stringify's recursion can go. Same output,
// explicit stack.

interface Frame {
  /** [key, value] pairs still to write (keys are ignored for arrays) */
  entries: Array<[string, unknown]>;
  next: number;
  array: boolean;
  /** indentation of the line that closes this object or array */
  indent: string;
}

function frameOf(value: object, indent: string): Frame {
  // as JSON.stringify: undefined is null inside an array, and leaves its key out of an object
  if (Array.isArray(value)) {
    const entries = value.map((v: unknown, i): [string, unknown] => [String(i), v === undefined ? null : v]);
    return { entries, next: 0, array: true, indent };
  }
  return { entries: Object.entries(value).filter(([, v]) => v !== undefined), next: 0, array: false, indent };
}

/** JSON.stringify(value, null, indent) without recursion ('' gives the compact form). */
export function stringifyDeep(value: unknown, indent = '  '): string {
  const newline = indent === '' ? '' : '\n';
  const colon = indent === '' ? ':' : ': ';
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = (v: unknown, at: string): void => {
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    const frame = frameOf(v, at);
    if (frame.entries.length === 0) {
      out.push(frame.array ? '[]' : '{}');
      return;
    }
    out.push(frame.array ? '[' : '{');
    stack.push(frame);
  };
  open(value, '');
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.entries.length) {
      out.push(`${newline}${frame.indent}${frame.array ? ']' : '}'}`);
      stack.pop();
      continue;
    }
    const [key, v] = frame.entries[frame.next]!;
    const inner = frame.indent + indent;
    out.push(`${frame.next > 0 ? ',' : ''}${newline}${inner}${frame.array ? '' : `${JSON.stringify(key)}${colon}`}`);
    frame.next++;
    open(v, inner);
  }
  return out.join('');
}
