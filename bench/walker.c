/*
 * The floor bench/run compares bsmtrace against: a minimal C walker over a
 * BSM trail. It reads the file, frames each record by its header's length,
 * and walks the record's tokens for the event, the subject's audit id and
 * the return status, as a matcher needs at least; it knows only the tokens
 * the benchmark trails hold (bench/BsmTrace.Benchmarks/TrailFactory.cs) and
 * skips the rest of a record at any other. No policy, no output: what
 * reading and decoding alone could cost, on one core.
 *
 *   walker TRAIL     prints "RECORDS SECONDS CHECKSUM"
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t be16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The size of the token at p (at most left bytes), or 0 for one the walker does not know. */
static size_t token_size(const unsigned char *p, size_t left)
{
	switch (p[0]) {
	case 0x14: return 18;                           /* header32 */
	case 0x24: return 37;                           /* subject32 */
	case 0x7a: return left >= 37 ? 37 + be32(p + 33) : 0; /* subject32_ex: the address's length */
	case 0x27: return 6;                            /* return32 */
	case 0x3e: return 29;                           /* attr32 */
	case 0x80: return 9;                            /* socket inet32 */
	case 0x13: return 7;                            /* trailer */
	case 0x23: case 0x28: case 0x60:                /* path, text, zonename */
		return left >= 3 ? 3 + be16(p + 1) : 0;
	case 0x3c: {                                    /* exec args: a count of NUL-ended strings */
		if (left < 5)
			return 0;
		uint32_t n = be32(p + 1);
		size_t at = 5;
		while (n-- > 0) {
			const unsigned char *nul = memchr(p + at, 0, left - at);
			if (nul == NULL)
				return 0;
			at = (size_t)(nul - p) + 1;
		}
		return at;
	}
	default: return 0;
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	if (argc != 2) {
		fprintf(stderr, "usage: walker TRAIL\n");
		return 1;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t have = 0;
	uint64_t records = 0, sum = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof buf - have);
		if (n < 0) {
			perror("read");
			return 1;
		}
		have += (size_t)n;
		size_t at = 0;
		while (have - at >= 5) {
			const unsigned char *r = buf + at;
			uint32_t len = be32(r + 1);
			if (r[0] != 0x14 || len < 25 || len > sizeof buf) {
				fprintf(stderr, "walker: not a header32 record at byte %zu of the buffer\n", at);
				return 1;
			}
			if (have - at < len)
				break;
			uint32_t event = be16(r + 6), auid = 0, status = 0;
			for (size_t t = 0; t < len;) {
				size_t size = token_size(r + t, len - t);
				if (size == 0 || size > len - t)
					break;
				if (r[t] == 0x24 || r[t] == 0x7a)
					auid = be32(r + t + 1);
				else if (r[t] == 0x27)
					status = r[t + 1];
				t += size;
			}
			sum += event ^ auid ^ status;
			records++;
			at += len;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		if (n == 0)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%llu %.6f %llu\n", (unsigned long long)records,
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, (unsigned long long)sum);
	return 0;
}
