/* tests/fuzz/replay.c -- runs a fuzz harness's LLVMFuzzerTestOneInput on files, without
 * libFuzzer: `make check` replays the seed corpora and every crasher the fuzzers found
 * (tests/fuzz/regressions/), so a fixed finding stays fixed with any compiler. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "%s: cannot open\n", argv[i]);
			return 1;
		}
		static uint8_t buf[1 << 20];
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		n++;
	}
	printf("%d input%s replayed without a crash\n", n, n == 1 ? "" : "s");
	return n > 0 ? 0 : 1;
}
