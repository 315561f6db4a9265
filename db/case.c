// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The case database: a dump's identity, where its case is, and opening
 * it in its backend (a sqlite file, or a PostgreSQL database).
 *
 * Notes are never updated in place: an edit inserts a revision whose
 * parent is the revision it replaces. Two engineers who edit the same note
 * apart produce two revisions with one parent; a merge keeps both (two
 * "heads"), and the newest is shown, with the other still listed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dump.h"
#include "core/program.h"
#include "core/sysinfo.h"
#include "db/case.h"
#include "db/case_private.h"

/* ---- identity ---- */

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

/*
 * The content hash covers VMCOREINFO and the panic task, not the file's
 * header: the same crash copied to ELF or recompressed keeps its case.
 */
struct kt_error *kt_case_identity(struct kt_program *prog,
				  struct kt_case_identity *ret)
{
	const char *info = kt_dump_vmcoreinfo_raw(prog->dump);
	struct kt_sysinfo s;
	struct kt_error *err;
	uint64_t h = FNV_INIT, all;

	memset(ret, 0, sizeof(*ret));
	err = kt_sysinfo_load(prog, &s);
	if (err)
		return kt_error_wrap(err, "the dump's identity");
	snprintf(ret->release, sizeof(ret->release), "%s",
		 prog->identity.dump_release[0] ? prog->identity.dump_release :
		 s.release);
	snprintf(ret->build_id, sizeof(ret->build_id), "%s",
		 prog->identity.dump_build_id);
	ret->crash_time = s.crash_time_known ? s.crash_time : 0;
	if (info)
		h = fnv1a(h, info, strlen(info));
	h = fnv1a(h, &s.panic_task, sizeof(s.panic_task));
	kt_sysinfo_deinit(&s);
	snprintf(ret->content_hash, sizeof(ret->content_hash), "%016" PRIx64,
		 h);
	all = fnv1a(FNV_INIT, ret->release, strlen(ret->release));
	all = fnv1a(all, ret->build_id, strlen(ret->build_id));
	all = fnv1a(all, &ret->crash_time, sizeof(ret->crash_time));
	snprintf(ret->dump_id, sizeof(ret->dump_id), "%016" PRIx64 "%s", all,
		 ret->content_hash);
	return NULL;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

struct kt_error *kt_case_default_path(const char *dump_path,
				      const struct kt_case_identity *id,
				      char **ret)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *dir = strdup(dump_path), *slash, *beside = NULL, *data;

	if (!dir)
		return &kt_error_nomem;
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (!access(slash ? dir : ".", W_OK) &&
	    asprintf(&beside, "%s.ktriage", dump_path) < 0)
		beside = NULL;
	free(dir);
	if (beside) {
		*ret = beside;
		return NULL;
	}
	if ((!xdg || xdg[0] != '/') && !home)
		return kt_error_create(KT_ERR_INVALID, "the dump's directory "
			"is not writable and neither XDG_DATA_HOME nor HOME "
			"is set: give the case file with --case PATH");
	if (xdg && xdg[0] == '/' ?
	    asprintf(&data, "%s/ktriage/cases", xdg) < 0 :
	    asprintf(&data, "%s/.local/share/ktriage/cases", home) < 0)
		return &kt_error_nomem;
	if (mkdirs(data)) {
		struct kt_error *err = kt_error_os(errno, "creating %s", data);

		free(data);
		return err;
	}
	if (asprintf(ret, "%s/%s.ktriage", data, id->dump_id) < 0) {
		free(data);
		return &kt_error_nomem;
	}
	free(data);
	return NULL;
}

/* "2026-11-30 04:18:24 UTC", or "an unknown time". */
static void utc(int64_t t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "an unknown time");
}

struct kt_error *kt_case_identity_refused(const char *where,
					  const struct kt_case_identity *theirs,
					  const struct kt_case_identity *ours)
{
	char a[40], b[40];

	utc(theirs->crash_time, a, sizeof(a));
	utc(ours->crash_time, b, sizeof(b));
	return kt_error_create(KT_ERR_INVALID, "case %s belongs to another "
		"dump (release %s, crashed %s; dump id %s), not this one "
		"(release %s, crashed %s; dump id %s): give this dump's case "
		"with --case, or look at it read-only with --force", where,
		theirs->release, a, theirs->dump_id, ours->release, b,
		ours->dump_id);
}

bool kt_case_is_url(const char *path)
{
	return !strncmp(path, "postgresql:", 11) ||
	       !strncmp(path, "postgres://", 11);
}

struct kt_error *kt_case_open(const char *path,
			      const struct kt_case_identity *id,
			      enum kt_case_mode mode, struct kt_case **ret)
{
	struct kt_case *c = calloc(1, sizeof(*c));
	struct kt_error *err;

	if (!c || !(c->path = strdup(path))) {
		free(c);
		return &kt_error_nomem;
	}
	c->read_only = mode != KT_CASE_WRITE;
	err = kt_case_is_url(path) ? kt_case_pg_open(c, path, id, mode) :
	      kt_case_sqlite_open(c, path, id, mode);
	if (err) {
		kt_case_close(c);
		return err;
	}
	*ret = c;
	return NULL;
}

void kt_case_close(struct kt_case *c)
{
	if (!c)
		return;
	if (c->ops)
		c->ops->close(c);
	free(c->read_only_why);
	free(c->path);
	free(c);
}

bool kt_case_read_only(const struct kt_case *c)
{
	return c->read_only;
}

const char *kt_case_path(const struct kt_case *c)
{
	return c->path;
}

void kt_case_meta_identity(struct kt_case *c, struct kt_case_identity *id)
{
	*id = c->id;
}

struct kt_error *kt_case_begin(struct kt_case *c)
{
	return c->ops->begin(c);
}

struct kt_error *kt_case_end(struct kt_case *c, struct kt_error *err)
{
	return c->ops->end(c, err);
}
