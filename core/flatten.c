// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flattened format's reader; see flatten.h. Every record is checked
 * against the size of the file before anything is allocated for it, so a
 * corrupt size costs an error, not a gigabyte.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/flatten.h"

#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_HEADER_SIZE 4096
#define FLAT_END (-1LL)
#define FLAT_MAX_RECORD (1LL << 30)

bool kt_flat_is(int fd)
{
	char sig[sizeof(FLAT_SIGNATURE)];

	return pread(fd, sig, sizeof(sig), 0) == sizeof(sig) &&
	       !memcmp(sig, FLAT_SIGNATURE, sizeof(sig));
}

static struct kt_error *truncated(const char *path, off_t pos,
				  const char *where)
{
	return kt_error_create(KT_ERR_FORMAT,
		"%s: flattened dump is truncated %s at byte %lld; copy the "
		"dump again", path, where, (long long)pos);
}

/* The next record's header at *@pos: false at the end record. */
static struct kt_error *next_record(int in, off_t size, off_t *pos,
				    const char *path, int64_t rec[2])
{
	if (pread(in, rec, 2 * sizeof(*rec), *pos) != 2 * sizeof(*rec))
		return truncated(path, *pos, "(no end record)");
	rec[0] = be64toh(rec[0]);
	rec[1] = be64toh(rec[1]);
	if (rec[0] == FLAT_END)
		return NULL;
	if (rec[0] < 0 || rec[1] < 0 || rec[1] > FLAT_MAX_RECORD)
		return kt_error_create(KT_ERR_FORMAT,
			"%s: corrupt flattened dump: record at byte %lld is "
			"offset %lld, size %lld", path, (long long)*pos,
			(long long)rec[0], (long long)rec[1]);
	*pos += 2 * sizeof(*rec);
	if (rec[1] > size - *pos)
		return truncated(path, *pos, "in the record");
	return NULL;
}

struct kt_error *kt_flat_rebuild(int in, int out, const char *path)
{
	off_t pos = FLAT_HEADER_SIZE;
	size_t cap = 0;
	char *buf = NULL;
	struct kt_error *err = NULL;
	struct stat st;

	if (fstat(in, &st))
		return kt_error_os(errno, "%s", path);
	for (;;) {
		int64_t rec[2];
		ssize_t n;

		err = next_record(in, st.st_size, &pos, path, rec);
		if (err || rec[0] == FLAT_END)
			break;
		if ((size_t)rec[1] > cap) {
			free(buf);
			cap = rec[1];
			buf = malloc(cap);
			if (!buf) {
				err = &kt_error_nomem;
				break;
			}
		}
		n = pread(in, buf, rec[1], pos);
		if (n != rec[1]) {
			err = truncated(path, pos, "in the record");
			break;
		}
		if (pwrite(out, buf, n, rec[0]) != n) {
			err = kt_error_os(errno, "%s: writing the rebuilt dump",
					  path);
			break;
		}
		pos += n;
	}
	free(buf);
	return err;
}
