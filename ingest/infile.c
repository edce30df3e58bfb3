/*
 * ingest/infile.c — regular files of the batch directory, opened without blocking.
 */
#include "ingest/infile.h"
#include "lib/err.h"
#include "lib/text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a named pipe (FIFO)";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "of an unknown kind";
}

static int not_regular(const char *shown, mode_t mode)
{
	char q[1024];

	return dr_error(DR_E_DATA, "'%s' is %s, not a regular file: refused",
			text_escape(shown, TEXT_ESC_QUOTED, q, sizeof(q)), kind_of(mode));
}

int infile_member(const char *dir, const char *name)
{
	char path[PATH_MAX], q[1024];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return dr_error(DR_E_IO, "path of '%s' too long", text_escape(name, TEXT_ESC_QUOTED, q, sizeof(q)));
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? DR_E_NOINPUT
			: dr_error(DR_E_IO, "cannot examine '%s': %s",
				   text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)), strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		/* followed only into the batch: the link and the directory resolved */
		char rdir[PATH_MAX], rfile[PATH_MAX];
		size_t n;

		if (realpath(path, rfile) == NULL)
			return errno == ENOENT ? DR_E_NOINPUT
				: dr_error(DR_E_IO, "cannot examine '%s': %s",
					   text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)), strerror(errno));
		if (realpath(dir, rdir) == NULL)
			return dr_error(DR_E_IO, "cannot examine '%s': %s",
					text_escape(dir, TEXT_ESC_QUOTED, q, sizeof(q)), strerror(errno));
		n = strlen(rdir);
		if (strncmp(rfile, rdir, n) != 0 || rfile[n] != '/')
			return dr_error(DR_E_DATA, "'%s' is a symbolic link leading outside the batch directory: refused",
					text_escape(name, TEXT_ESC_QUOTED, q, sizeof(q)));
		if (stat(rfile, &st) != 0)
			return errno == ENOENT ? DR_E_NOINPUT
				: dr_error(DR_E_IO, "cannot examine '%s': %s",
					   text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)), strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return not_regular(name, st.st_mode);
	return 0;
}

int infile_open(const char *path, FILE **out)
{
	char q[1024];
	struct stat st;
	int fd, fl;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return dr_error(errno == ENOENT ? DR_E_NOINPUT : DR_E_IO, "cannot open '%s': %s",
				text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)), strerror(errno));
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return dr_error(DR_E_IO, "cannot open '%s': %s", text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)),
				strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_regular(path, st.st_mode);
	}
	/* a regular file never blocks: back to ordinary reads */
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	*out = fdopen(fd, "rb");
	if (*out == NULL) {
		close(fd);
		return dr_error(DR_E_NOMEM, "out of memory opening '%s'", text_escape(path, TEXT_ESC_QUOTED, q, sizeof(q)));
	}
	return 0;
}
