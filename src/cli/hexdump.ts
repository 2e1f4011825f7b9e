// Hex dump lines in tcpdump's -xx layout: a tab, the offset, then up to 16 bytes in 2-byte groups.

export function hexdump(data: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < data.length; offset += 16) {
    const groups: string[] = [];
    const end = Math.min(offset + 16, data.length);
    for (let i = offset; i < end; i += 2) {
      const hi = data[i].toString(16).padStart(2, '0');
      groups.push(i + 1 < end ? hi + data[i + 1].toString(16).padStart(2, '0') : hi);
    }
    lines.push(`\t0x${offset.toString(16).padStart(4, '0')}:  ${groups.join(' ')}`);
  }
  return lines.join('\n');
}
