/*
 * libpcap oracle for filterjit's differential tests.
 *
 * Reads queries from stdin, one per line, and writes one JSON object per line
 * to stdout, in the same order. Every string argument (expressions, paths,
 * link-type names, packet bytes) is hex-encoded and prefixed with 'x', so
 * expressions may hold any byte, newlines included, and the empty string is
 * just "x".
 *
 *   compile  xEXPR xLINKTYPE SNAPLEN OPT NETMASK   (NETMASK: dotted quad or '-')
 *   filter   xPATH xEXPR OPT NETMASK
 *   read     xPATH
 *   run      NINSNS CODE JT JF K ... NPKTS WIRELEN xDATA ...
 *   validate NINSNS CODE JT JF K ...
 *   dltval   xNAME
 *   dltname  VALUE
 *
 * Everything is answered by the system libpcap (pcap_compile, pcap_offline_filter,
 * pcap_next_ex, bpf_filter, bpf_validate, pcap_datalink_*), which is the reference.
 */
#include <pcap/pcap.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output helpers ---- */

static void put_json_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_cstr(const char *s)
{
	put_json_string(s, strlen(s));
}

static void put_hex(const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		putchar(digits[p[i] >> 4]);
		putchar(digits[p[i] & 15]);
	}
	putchar('"');
}

static void put_error(const char *msg)
{
	fputs("{\"ok\":false,\"error\":", stdout);
	put_cstr(msg);
	fputs("}\n", stdout);
}

static void put_program(const struct bpf_program *prog)
{
	putchar('[');
	for (u_int i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];
		printf("%s[%u,%u,%u,%u]", i ? "," : "", in->code, in->jt, in->jf, in->k);
	}
	putchar(']');
}

/* ---- input helpers: tokens of one line ---- */

static char *cursor;

static char *next_token(void)
{
	while (*cursor == ' ' || *cursor == '\t')
		cursor++;
	if (*cursor == '\0' || *cursor == '\n')
		return NULL;
	char *start = cursor;
	while (*cursor && *cursor != ' ' && *cursor != '\t' && *cursor != '\n')
		cursor++;
	if (*cursor)
		*cursor++ = '\0';
	return start;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes an 'x'-prefixed hex token in place; returns its length, -1 if malformed. */
static long decode_hex_token(char *tok)
{
	if (tok == NULL || tok[0] != 'x')
		return -1;
	size_t n = strlen(tok + 1);
	if (n % 2)
		return -1;
	unsigned char *out = (unsigned char *)tok;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(tok[1 + 2 * i]), lo = hexval(tok[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return (long)(n / 2);
}

static int parse_ulong(const char *tok, unsigned long *out)
{
	if (tok == NULL || *tok == '\0')
		return 0;
	char *end;
	*out = strtoul(tok, &end, 0);
	return *end == '\0';
}

static int parse_netmask(const char *tok, bpf_u_int32 *mask)
{
	struct in_addr a;
	if (tok == NULL)
		return 0;
	if (strcmp(tok, "-") == 0) {
		*mask = PCAP_NETMASK_UNKNOWN;
		return 1;
	}
	if (inet_pton(AF_INET, tok, &a) != 1)
		return 0;
	*mask = ntohl(a.s_addr);
	return 1;
}

/* Reads "N code jt jf k ..." into a freshly allocated program; 0 on syntax error. */
static int parse_program(struct bpf_program *prog)
{
	unsigned long n, v[4];
	if (!parse_ulong(next_token(), &n) || n > 1000000)
		return 0;
	prog->bf_len = (u_int)n;
	prog->bf_insns = calloc(n ? n : 1, sizeof(struct bpf_insn));
	for (unsigned long i = 0; i < n; i++) {
		for (int j = 0; j < 4; j++)
			if (!parse_ulong(next_token(), &v[j]))
				return 0;
		prog->bf_insns[i].code = (u_short)v[0];
		prog->bf_insns[i].jt = (u_char)v[1];
		prog->bf_insns[i].jf = (u_char)v[2];
		prog->bf_insns[i].k = (bpf_u_int32)v[3];
	}
	return 1;
}

/* ---- operations ---- */

static int linktype_value(const char *name)
{
	unsigned long v;
	if (parse_ulong(name, &v))
		return (int)v;
	return pcap_datalink_name_to_val(name);
}

static void op_compile(void)
{
	char *expr = next_token(), *lt = next_token();
	unsigned long snaplen, opt;
	bpf_u_int32 mask;
	if (decode_hex_token(expr) < 0 || decode_hex_token(lt) < 0 ||
	    !parse_ulong(next_token(), &snaplen) || !parse_ulong(next_token(), &opt) ||
	    !parse_netmask(next_token(), &mask)) {
		put_error("oracle: malformed compile query");
		return;
	}
	int dlt = linktype_value(lt);
	if (dlt < 0) {
		fputs("{\"ok\":false,\"error\":", stdout);
		char msg[300];
		snprintf(msg, sizeof msg, "invalid data link type %s", lt);
		put_cstr(msg);
		fputs("}\n", stdout);
		return;
	}
	pcap_t *p = pcap_open_dead(dlt, (int)snaplen);
	if (p == NULL) {
		put_error("pcap_open_dead failed");
		return;
	}
	struct bpf_program prog;
	if (pcap_compile(p, &prog, expr, (int)opt, mask) < 0) {
		put_error(pcap_geterr(p));
	} else {
		fputs("{\"ok\":true,\"program\":", stdout);
		put_program(&prog);
		fputs("}\n", stdout);
		pcap_freecode(&prog);
	}
	pcap_close(p);
}

static void op_filter(void)
{
	char *path = next_token(), *expr = next_token();
	unsigned long opt;
	bpf_u_int32 mask;
	char errbuf[PCAP_ERRBUF_SIZE];
	if (decode_hex_token(path) < 0 || decode_hex_token(expr) < 0 ||
	    !parse_ulong(next_token(), &opt) || !parse_netmask(next_token(), &mask)) {
		put_error("oracle: malformed filter query");
		return;
	}
	pcap_t *p = pcap_open_offline(path, errbuf);
	if (p == NULL) {
		fputs("{\"ok\":false,\"stage\":\"open\",\"error\":", stdout);
		put_cstr(errbuf);
		fputs("}\n", stdout);
		return;
	}
	struct bpf_program prog;
	if (pcap_compile(p, &prog, expr, (int)opt, mask) < 0) {
		fputs("{\"ok\":false,\"stage\":\"compile\",\"error\":", stdout);
		put_cstr(pcap_geterr(p));
		fputs("}\n", stdout);
		pcap_close(p);
		return;
	}
	fputs("{\"ok\":true,\"results\":[", stdout);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc, count = 0;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		printf("%s%d", count++ ? "," : "", pcap_offline_filter(&prog, h, data));
	putchar(']');
	if (rc == -1) {
		fputs(",\"readError\":", stdout);
		put_cstr(pcap_geterr(p));
	}
	fputs("}\n", stdout);
	pcap_freecode(&prog);
	pcap_close(p);
}

static void op_read(void)
{
	char *path = next_token();
	char errbuf[PCAP_ERRBUF_SIZE];
	if (decode_hex_token(path) < 0) {
		put_error("oracle: malformed read query");
		return;
	}
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL) {
		put_error(errbuf);
		return;
	}
	printf("{\"ok\":true,\"linktype\":%d,\"snaplen\":%d,\"swapped\":%s,\"version\":[%d,%d],\"packets\":[",
	       pcap_datalink(p), pcap_snapshot(p), pcap_is_swapped(p) ? "true" : "false",
	       pcap_major_version(p), pcap_minor_version(p));
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc, count = 0;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		printf("%s[%lld,%lld,%u,%u,", count++ ? "," : "", (long long)h->ts.tv_sec,
		       (long long)h->ts.tv_usec, h->caplen, h->len);
		put_hex(data, h->caplen);
		putchar(']');
	}
	putchar(']');
	if (rc == -1) {
		fputs(",\"readError\":", stdout);
		put_cstr(pcap_geterr(p));
	}
	fputs("}\n", stdout);
	pcap_close(p);
}

static void op_run(void)
{
	struct bpf_program prog;
	unsigned long npkts, wirelen;
	if (!parse_program(&prog) || !parse_ulong(next_token(), &npkts)) {
		put_error("oracle: malformed run query");
		return;
	}
	if (!bpf_validate(prog.bf_insns, (int)prog.bf_len)) {
		put_error("program rejected by bpf_validate");
		free(prog.bf_insns);
		return;
	}
	fputs("{\"ok\":true,\"results\":[", stdout);
	for (unsigned long i = 0; i < npkts; i++) {
		char *tok;
		long caplen;
		if (!parse_ulong(next_token(), &wirelen) || (caplen = decode_hex_token(tok = next_token())) < 0) {
			/* Finish the line as valid JSON; the caller sees the short result list. */
			break;
		}
		printf("%s%u", i ? "," : "", bpf_filter(prog.bf_insns, (const u_char *)tok, (u_int)wirelen, (u_int)caplen));
	}
	fputs("]}\n", stdout);
	free(prog.bf_insns);
}

static void op_validate(void)
{
	struct bpf_program prog;
	if (!parse_program(&prog)) {
		put_error("oracle: malformed validate query");
		return;
	}
	printf("{\"ok\":true,\"valid\":%s}\n", bpf_validate(prog.bf_insns, (int)prog.bf_len) ? "true" : "false");
	free(prog.bf_insns);
}

static void op_dltval(void)
{
	char *name = next_token();
	if (decode_hex_token(name) < 0) {
		put_error("oracle: malformed dltval query");
		return;
	}
	printf("{\"ok\":true,\"value\":%d}\n", pcap_datalink_name_to_val(name));
}

static void op_dltname(void)
{
	unsigned long v;
	if (!parse_ulong(next_token(), &v)) {
		put_error("oracle: malformed dltname query");
		return;
	}
	const char *name = pcap_datalink_val_to_name((int)v);
	const char *desc = pcap_datalink_val_to_description((int)v);
	fputs("{\"ok\":true,\"name\":", stdout);
	if (name) put_cstr(name); else fputs("null", stdout);
	fputs(",\"description\":", stdout);
	if (desc) put_cstr(desc); else fputs("null", stdout);
	fputs("}\n", stdout);
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	static const struct { const char *name; void (*fn)(void); } ops[] = {
		{ "compile", op_compile }, { "filter", op_filter }, { "read", op_read },
		{ "run", op_run }, { "validate", op_validate }, { "dltval", op_dltval },
		{ "dltname", op_dltname },
	};

	while (getline(&line, &cap, stdin) != -1) {
		cursor = line;
		char *op = next_token();
		size_t i;
		for (i = 0; op && i < sizeof ops / sizeof ops[0]; i++)
			if (strcmp(op, ops[i].name) == 0)
				break;
		if (op == NULL || i == sizeof ops / sizeof ops[0])
			put_error("oracle: unknown operation");
		else
			ops[i].fn();
	}
	free(line);
	return 0;
}
