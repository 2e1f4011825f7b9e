/*
 * Prints programs with the system libpcap's bpf_dump(), the function `tcpdump -d/-dd/-ddd` calls.
 * One query a line on stdin:  OPTION NINSNS CODE JT JF K ...   (OPTION 1 = -d, 2 = -dd, 3 = -ddd)
 * For each query: bpf_dump's output, then a line "--".
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	int option;
	unsigned n;

	while (scanf("%d %u", &option, &n) == 2) {
		struct bpf_insn *insns = calloc(n ? n : 1, sizeof *insns);
		struct bpf_program prog;

		if (insns == NULL)
			return 2;
		for (unsigned i = 0; i < n; i++) {
			unsigned code, jt, jf, k;

			if (scanf("%u %u %u %u", &code, &jt, &jf, &k) != 4)
				return 3;
			insns[i].code = (u_short)code;
			insns[i].jt = (u_char)jt;
			insns[i].jf = (u_char)jf;
			insns[i].k = k;
		}
		prog.bf_len = n;
		prog.bf_insns = insns;
		bpf_dump(&prog, option);
		printf("--\n");
		free(insns);
	}
	return 0;
}
