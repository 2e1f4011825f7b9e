/*
 * Compiles filter expressions against an opened savefile, as `tcpdump -r FILE -ddd EXPR` does
 * (libpcap generates different code for savefiles than for pcap_open_dead: DLT_NULL address
 * families of every BSD, byte-swapped files, no Linux ancillary loads).
 * Query lines on stdin:  xPATH OPTIMIZE NEXPRS xEXPR ...   (strings hex-encoded after an 'x'; OPTIMIZE 0 or 1)
 * Answer: one line per expression, "ok NINSNS CODE JT JF K ..." or "error MESSAGE";
 * an unopenable file gives "error MESSAGE" for each of its expressions.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Reads the next " xHEX" word; returns a fresh NUL-terminated string, or NULL at end of input. */
static char *read_hex(void)
{
	static char *buf;
	static size_t cap;
	char word[2];
	size_t n = 0;
	int c, hi;

	if (scanf(" %1[x]", word) != 1)
		return NULL;
	for (;;) {
		c = getchar();
		if (c == EOF || c == ' ' || c == '\n')
			break;
		hi = c;
		c = getchar();
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 256;
			buf = realloc(buf, cap);
			if (buf == NULL)
				exit(2);
		}
		buf[n++] = (char)(hexval(hi) << 4 | hexval(c));
	}
	if (n + 1 > cap) {
		cap = n + 1;
		buf = realloc(buf, cap);
		if (buf == NULL)
			exit(2);
	}
	buf[n] = 0;
	return strdup(buf);
}

int main(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	char *path;
	unsigned nexprs;
	int optimize;

	while ((path = read_hex()) != NULL) {
		pcap_t *p = pcap_open_offline(path, errbuf);

		if (scanf("%d %u", &optimize, &nexprs) != 2)
			return 3;
		for (unsigned e = 0; e < nexprs; e++) {
			char *expr = read_hex();
			struct bpf_program prog;

			if (expr == NULL)
				return 4;
			if (p == NULL) {
				printf("error %s\n", errbuf);
			} else if (pcap_compile(p, &prog, expr, optimize, PCAP_NETMASK_UNKNOWN) < 0) {
				printf("error %s\n", pcap_geterr(p));
			} else {
				printf("ok %u", prog.bf_len);
				for (unsigned i = 0; i < prog.bf_len; i++) {
					const struct bpf_insn *in = &prog.bf_insns[i];
					printf(" %u %u %u %u", in->code, in->jt, in->jf, in->k);
				}
				printf("\n");
				pcap_freecode(&prog);
			}
			free(expr);
		}
		if (p != NULL)
			pcap_close(p);
		free(path);
	}
	return 0;
}
