// The scanner follows flex's rule: the longest match wins, and on a tie the rule listed first in
// libpcap's scanner (keywords, then $xx, MAC, number, IPv4, IPv6, bad MAC, named constants, name).
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/grammar/lexer.js';

const types = (s: string): string[] => tokenize(s).map((t) => `${t.type}:${t.text}`);

describe('tokenize', () => {
  it('prefers the longest match', () => {
    expect(types('1023-1')).toEqual(['ID:1023-1']); // longer than the number 1023
    expect(types('1023-')).toEqual(['NUM:1023', 'MINUS:-']); // a name cannot end with '-'
    expect(types('host.invalid.')).toEqual(['ID:host.invalid.']); // longer than the keyword
    expect(types('hostx host')).toEqual(['ID:hostx', 'HOST:host']);
    expect(types('10.1.2.3.')).toEqual(['ID:10.1.2.3.']);
    expect(types('0x')).toEqual(['ID:0x']);
    expect(types('1e5')).toEqual(['ID:1e5']);
    expect(types('fe80::1')).toEqual(['HID6:fe80::1']);
    expect(types('1:2:3:4:5:6:7:8')).toEqual(['HID6:1:2:3:4:5:6:7:8']); // longer than the MAC 1:2:3:4:5:6
    expect(types('$123')).toEqual(['AID:$12', 'NUM:3']);
  });

  it('breaks ties by rule order', () => {
    expect(types('10.1.2.3')).toEqual(['HID:10.1.2.3']); // IPv4 before name
    expect(types('0x1f')).toEqual(['NUM:0x1f']); // number before name
    expect(types('aabbccddeeff 012345670123')).toEqual(['EID:aabbccddeeff', 'EID:012345670123']); // MAC before number
    expect(types('1.2.3.4.5.6 1234.5678.9abc')).toEqual(['EID:1.2.3.4.5.6', 'EID:1234.5678.9abc']);
    expect(types('tcp-syn icmp-echo tcpflags')).toEqual(['NUM:tcp-syn', 'NUM:icmp-echo', 'NUM:tcpflags']);
    expect(tokenize('icmp6-echoreply')[0]).toMatchObject({ type: 'NUM', num: 129 });
  });

  it('reads operators and keyword aliases as the same tokens', () => {
    expect(types('&& || ! == = != >= <= << >>')).toEqual(
      ['AND:&&', 'OR:||', 'NOT:!', 'EQ:==', 'EQ:=', 'NEQ:!=', 'GEQ:>=', 'LEQ:<=', 'LSH:<<', 'RSH:>>']);
    expect(tokenize('ether es-is length')).toMatchObject([
      { type: 'PNAME', value: 'link' }, { type: 'PNAME', value: 'esis' }, { type: 'LEN', value: 'len' },
    ]);
    expect(types('Host')).toEqual(['ID:Host']); // keywords are case-sensitive
  });

  it('reads escaped names up to a space, !, parenthesis, tab or newline', () => {
    expect(tokenize('\\tcp)')).toMatchObject([{ type: 'ID', value: 'tcp', text: '\\tcp' }, { type: 'RPAREN' }]);
    expect(types('\\a[0]!')).toEqual(['ID:\\a[0]', 'NOT:!']);
  });

  it('turns malformed literals into error tokens carrying libpcap\'s message', () => {
    expect(tokenize('08')[0]).toMatchObject({ type: 'LEXERR', error: 'number 08 contains non-octal digit' });
    expect(tokenize('0040000000000')[0]).toMatchObject({ error: 'octal number 0040000000000 overflows 32 bits' });
    expect(tokenize('0037777777777')[0]).toMatchObject({ type: 'NUM', num: 0xffffffff });
    expect(tokenize('aa:bb:')[0]).toMatchObject({ type: 'LEXERR', error: 'invalid Ethernet address aa:bb:' });
    expect(tokenize('::1.2.3.04')[0]).toMatchObject({ type: 'LEXERR', error: 'invalid IPv6 address ::1.2.3.04' });
    expect(types('_x . \\ $ #')).toEqual(['LEXERR:_', 'ID:x', 'LEXERR:.', 'LEXERR:\\', 'LEXERR:$', 'LEXERR:#']);
  });

  it('records offsets', () => {
    expect(tokenize(' tcp\n\tport 80').map((t) => t.offset)).toEqual([1, 6, 11]);
  });
});
