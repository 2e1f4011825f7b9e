// Expression files (`tcpdump -F`, libpcap's filtertest) may carry `#` comments to the end of a line.

/** The text with every `#` comment blanked to spaces, so columns of the rest stay where they were. */
export function blankComments(text: string): string {
  return text.replace(/#[^\n]*/g, (comment) => ' '.repeat(comment.length));
}
