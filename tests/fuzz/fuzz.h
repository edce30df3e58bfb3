/*
 * tests/fuzz/fuzz.h — what the libFuzzer targets of tests/fuzz/ share.
 *
 * FUZZ_CHECK(cond, ...) aborts with a message when a property does not hold,
 * so libFuzzer records the input as a crash (a failed property is a finding,
 * like a sanitizer report). fuzz_file() puts the input in an in-memory file
 * (memfd) and returns a path to it, for the readers that take a path;
 * fuzz_bad_utf8_at() finds the first byte that is not strict UTF-8.
 * Header-only: each target is one .c file plus this.
 */
#ifndef DR_FUZZ_H
#define DR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz property failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replaces the content of the target's memfd with data; returns its path
 * (static storage, "/proc/self/fd/N"). Aborts when the kernel refuses. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", 0);
		FUZZ_CHECK(fd >= 0, "memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate failed");
	while (done < size) {
		ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
		FUZZ_CHECK(w > 0, "pwrite failed");
		done += (size_t)w;
	}
	return path;
}

/* Strict UTF-8: shortest forms, no surrogates, at most U+10FFFF, no NUL. */
static inline long fuzz_bad_utf8_at(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], cp, len;

		if (c == 0)
			return (long)i;
		if (c < 0x80) { i++; continue; }
		if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
		else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
		else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
		else return (long)i;
		if (i + len > n)
			return (long)i;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return (long)i;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return (long)i;
		i += len;
	}
	return -1;
}

#endif
