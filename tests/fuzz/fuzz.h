/*
 * tests/fuzz/fuzz.h — what the libFuzzer targets of tests/fuzz/ share.
 *
 * FUZZ_CHECK(cond, ...) aborts with a message when a property does not hold,
 * so libFuzzer records the input as a crash (a failed property is a finding,
 * like a sanitizer report). fuzz_file() puts the input in an in-memory file
 * (memfd) and returns a path to it, for the readers that take a path.
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

#endif
