/*
 * Baseline timings of the system libpcap, for comparison with filterjit's benchmarks.
 *
 *   libpcap-bench filter FILE EXPR REPEAT
 *       Loads every packet of FILE into memory, compiles EXPR (optimized) for the file's
 *       link type, then runs bpf_filter() over all packets REPEAT times.
 *       Prints: packets=N repeat=R matches=M insns=I ns_per_packet=X touch_ns_per_packet=T
 *       T is the memory floor: the same passes reading one byte (the EtherType) of every packet
 *       and nothing else. No filter over these packets can cost less a packet.
 *   libpcap-bench compile LINKTYPE EXPRFILE [REPEAT]
 *       Compiles the expression held in EXPRFILE (whole file, verbatim) with pcap_compile
 *       (optimized) REPEAT times (default 1).
 *       Prints: repeat=R insns=I seconds=S   (S = seconds per compile)
 *
 * Exit status 2 on usage errors, 1 on libpcap errors (message on stderr).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct packet {
	u_char *data;
	u_int caplen, wirelen;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_filter(const char *file, const char *expr, long repeat)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(file, errbuf);
	if (p == NULL) {
		fprintf(stderr, "libpcap-bench: %s\n", errbuf);
		return 1;
	}
	struct bpf_program prog;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, "libpcap-bench: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	size_t n = 0, cap = 1024;
	struct packet *pkts = malloc(cap * sizeof *pkts);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (n == cap)
			pkts = realloc(pkts, (cap *= 2) * sizeof *pkts);
		pkts[n].data = malloc(h->caplen ? h->caplen : 1);
		memcpy(pkts[n].data, data, h->caplen);
		pkts[n].caplen = h->caplen;
		pkts[n].wirelen = h->len;
		n++;
	}
	if (rc == -1) {
		fprintf(stderr, "libpcap-bench: %s\n", pcap_geterr(p));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "libpcap-bench: %s has no packets\n", file);
		return 1;
	}

	unsigned long matches = 0;
	double start = now_seconds();
	for (long r = 0; r < repeat; r++)
		for (size_t i = 0; i < n; i++)
			matches += bpf_filter(prog.bf_insns, pkts[i].data, pkts[i].wirelen, pkts[i].caplen) != 0;
	double elapsed = now_seconds() - start;

	/* volatile: the compiler must not drop or hoist the loads */
	volatile u_int touched = 0;
	start = now_seconds();
	for (long r = 0; r < repeat; r++)
		for (size_t i = 0; i < n; i++)
			touched += pkts[i].caplen > 12 ? pkts[i].data[12] : 0;
	double touch_elapsed = now_seconds() - start;

	double passes = (double)n * (double)(repeat ? repeat : 1);
	printf("packets=%zu repeat=%ld matches=%lu insns=%u ns_per_packet=%.3f touch_ns_per_packet=%.3f\n", n, repeat,
	       repeat ? matches / (unsigned long)repeat : 0, prog.bf_len, elapsed * 1e9 / passes, touch_elapsed * 1e9 / passes);
	for (size_t i = 0; i < n; i++)
		free(pkts[i].data);
	free(pkts);
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}

static char *read_whole_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len <= 1)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int bench_compile(const char *linktype, const char *exprfile, long repeat)
{
	char *end;
	long v = strtol(linktype, &end, 0);
	int dlt = *end == '\0' ? (int)v : pcap_datalink_name_to_val(linktype);
	if (dlt < 0) {
		fprintf(stderr, "libpcap-bench: unknown link type %s\n", linktype);
		return 1;
	}
	char *expr = read_whole_file(exprfile);
	if (expr == NULL) {
		perror(exprfile);
		return 1;
	}
	pcap_t *p = pcap_open_dead(dlt, 262144);
	struct bpf_program prog;
	u_int insns = 0;
	double start = now_seconds();
	for (long r = 0; r < repeat; r++) {
		if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			fprintf(stderr, "libpcap-bench: %s\n", pcap_geterr(p));
			return 1;
		}
		insns = prog.bf_len;
		pcap_freecode(&prog);
	}
	double elapsed = now_seconds() - start;
	printf("repeat=%ld insns=%u seconds=%.9f\n", repeat, insns, elapsed / (double)repeat);
	pcap_close(p);
	free(expr);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "filter") == 0)
		return bench_filter(argv[2], argv[3], atol(argv[4]));
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "compile") == 0) {
		long repeat = argc == 5 ? atol(argv[4]) : 1;
		return bench_compile(argv[2], argv[3], repeat > 0 ? repeat : 1);
	}
	fprintf(stderr, "usage: %s filter FILE EXPR REPEAT\n       %s compile LINKTYPE EXPRFILE [REPEAT]\n", argv[0], argv[0]);
	return 2;
}
