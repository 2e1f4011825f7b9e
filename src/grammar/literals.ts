// Conversions of the scanner's literal tokens to values: numbers (unsigned 32-bit, decimal, hex or
// octal, with libpcap's error wording), IPv6 addresses (inet_pton rules) and MAC-48 addresses.

export type NumberResult = { value: number } | { error: string };

/** A NUM token's value, checked digit by digit the way libpcap's scanner does it. */
export function parseNumber(text: string): NumberResult {
  let n = 0;
  if (/^0[xX]/.test(text)) {
    for (const ch of text.slice(2)) {
      if (n > 0x0fffffff) return { error: `hexadecimal number ${text} overflows 32 bits` };
      n = n * 16 + parseInt(ch, 16);
    }
  } else if (text.length > 1 && text[0] === '0') {
    for (const ch of text.slice(1)) {
      if (ch < '0' || ch > '7') return { error: `number ${text} contains non-octal digit` };
      if (n > 0o3777777777) return { error: `octal number ${text} overflows 32 bits` };
      n = n * 8 + (ch.charCodeAt(0) - 48);
    }
  } else {
    for (const ch of text) {
      const d = ch.charCodeAt(0) - 48;
      if (n > 429496729 || (n === 429496729 && d > 5)) {
        return { error: `decimal number ${text} overflows 32 bits` };
      }
      n = n * 10 + d;
    }
  }
  return { value: n };
}

/** Dotted-quad IPv4 as inet_pton reads it: four decimal octets, no leading zeros. */
export function parseDottedQuad(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    bytes.push(Number(p));
  }
  return bytes;
}

function groupsToBytes(groups: string[]): number[] | null {
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  return bytes;
}

/** The 16 bytes of an IPv6 address in any inet_pton form, or null when it is not one. */
export function parseIPv6(text: string): number[] | null {
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const quad = parseDottedQuad(text.slice(lastColon + 1));
    if (!quad) return null;
    tail = quad;
    // keep the colon(s) before the quad so that 'a::1.2.3.4' splits as 'a::' + quad
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = groupsToBytes(split(halves[0]!));
  const right = halves.length === 2 ? groupsToBytes(split(halves[1]!)) : [];
  if (!left || !right) return null;
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 1) return explicit === 16 ? [...left, ...tail] : null;
  if (explicit > 14) return null;
  return [...left, ...new Array<number>(16 - explicit).fill(0), ...right, ...tail];
}

/** The 6 bytes of a MAC-48 address already matched by the scanner's MAC pattern. */
export function parseMac(text: string): number[] {
  const bytes: number[] = [];
  if (/^[0-9A-Fa-f]{12}$/.test(text) || /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/.test(text)) {
    const hex = text.replace(/\./g, '');
    for (let i = 0; i < 12; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
    return bytes;
  }
  for (const part of text.split(/[:.-]/)) bytes.push(parseInt(part, 16));
  return bytes;
}

/** Dotted IPv4 parts read as decimal, as libpcap's __pcap_atoin does (no range check here). */
export function ipv4Octets(text: string): number[] {
  return text.split('.').map((p) => {
    let n = 0;
    for (const ch of p) n = n * 10 + (ch.charCodeAt(0) - 48);
    return n;
  });
}

/** The parts packed into the high-order bytes of a 32-bit value (`10.1` -> 0x0a010000). */
export function leftAligned(octets: number[]): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + ((octets[i] ?? 0) & 0xff);
  return v >>> 0;
}
