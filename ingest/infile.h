/*
 * ingest/infile.h — the files of a batch: regular files of the batch
 * directory, opened without ever blocking.
 *
 * A batch is a directory filled by a transfer. open() of a named pipe blocks
 * until a writer comes (forever, for an ingest run by cron), a device may
 * block or never end, a directory is no file, and a symbolic link may lead
 * anywhere on the machine. So every file of a batch must be a regular file;
 * a symbolic link is accepted only when it resolves to a regular file inside
 * the batch directory (docs/validation.md).
 */
#ifndef DR_INFILE_H
#define DR_INFILE_H

#include <stdio.h>

/*
 * Checks DIR/NAME without opening it (lstat, then realpath for a link).
 * 0 when it is a regular file of the batch; DR_E_NOINPUT when it does not
 * exist (a dangling link included), with no message (the caller says what a
 * missing file means); DR_E_DATA, with a message naming the file, when it is a
 * FIFO, a device, a directory, a socket or a link leading outside DIR;
 * DR_E_IO when it cannot be examined.
 */
int infile_member(const char *dir, const char *name);

/*
 * Opens path for reading with O_NONBLOCK (a FIFO opens at once instead of
 * waiting for a writer) and keeps it only if fstat says it is a regular file.
 * DR_E_NOINPUT when absent, DR_E_DATA when not a regular file, DR_E_IO.
 */
int infile_open(const char *path, FILE **out);

#endif
