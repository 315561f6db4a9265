// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <elfutils/debuginfod.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/debuginfo_find.h"

#define DEBUG_ROOT "/usr/lib/debug"
#define NT_GNU_BUILD_ID_TYPE 3
#define MAX_BUILD_ID 64		/* bytes */

bool kt_elf_build_id(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *elf;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;
		size_t off = 0, name, desc, next;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		while (!found &&
		       (next = gelf_getnote(d, off, &nh, &name, &desc)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID_TYPE &&
			    nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name, "GNU", 4) &&
			    nh.n_descsz && nh.n_descsz <= MAX_BUILD_ID &&
			    size > 2 * nh.n_descsz) {
				const unsigned char *b =
					(unsigned char *)d->d_buf + desc;

				for (size_t i = 0; i < nh.n_descsz; i++)
					snprintf(buf + 2 * i, 3, "%02x", b[i]);
				found = true;
			}
			off = next;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

/* A release or build-id from the dump goes into paths: keep it tame. */
static bool path_safe(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".-_+~", *s))
			return false;
	return true;
}

static bool hex_id(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 2 * MAX_BUILD_ID || n % 2)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

static void note(char **tried, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(char **tried, const char *fmt, ...)
{
	char *line = NULL, *all = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	if (asprintf(&all, "%s%s%s", *tried ? *tried : "", *tried ? "; " : "",
		     line) >= 0) {
		free(*tried);
		*tried = all;
	}
	free(line);
}

/* @path, when it is there and its build-id is the dump's. */
static bool take(struct kt_vmlinux_search *s, const char *path,
		 const char *build_id, const char *how)
{
	char got[2 * MAX_BUILD_ID + 1];

	if (access(path, R_OK)) {
		note(&s->tried, "%s: not there", path);
		return false;
	}
	if (*build_id) {
		if (!kt_elf_build_id(path, got, sizeof(got))) {
			note(&s->tried, "%s: no build-id (not a debug file)",
			     path);
			return false;
		}
		if (strcmp(got, build_id)) {
			note(&s->tried, "%s: build-id %s, not %s", path, got,
			     build_id);
			return false;
		}
	}
	s->path = strdup(path);
	if (asprintf(&s->how, "%s", how) < 0)
		s->how = NULL;
	return s->path != NULL;
}

static bool in_dir(struct kt_vmlinux_search *s, const char *dir,
		   const char *release, const char *build_id, const char *how)
{
	char path[4096];

	if (*release) {
		snprintf(path, sizeof(path), "%s/vmlinux-%s", dir, release);
		if (take(s, path, build_id, how))
			return true;
		snprintf(path, sizeof(path), "%s/boot/vmlinux-%s", dir,
			 release);
		if (take(s, path, build_id, how))
			return true;
	}
	if (*build_id) {
		snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir,
			 build_id, build_id + 2);
		if (take(s, path, build_id, how))
			return true;
	}
	return false;
}

static int on_progress(debuginfod_client *c, long a, long b)
{
	void **ctx = debuginfod_get_user_data(c);
	kt_download_progress fn = (kt_download_progress)(uintptr_t)ctx[0];

	if (fn)
		fn(ctx[1], a, b);
	return 0;
}

static bool from_debuginfod(struct kt_vmlinux_search *s, const char *build_id,
			    kt_download_progress progress, void *arg)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	unsigned char id[MAX_BUILD_ID];
	void *ctx[2] = { (void *)(uintptr_t)progress, arg };
	debuginfod_client *c;
	char *path = NULL, *how = NULL;
	size_t n = strlen(build_id) / 2;
	bool ok;
	int fd;

	if (!urls || !*urls) {
		note(&s->tried, "debuginfod: $DEBUGINFOD_URLS is not set");
		return false;
	}
	if (!*build_id) {
		note(&s->tried, "debuginfod: the dump has no build-id to ask "
		     "for");
		return false;
	}
	for (size_t i = 0; i < n; i++)
		sscanf(build_id + 2 * i, "%2hhx", &id[i]);
	if (!(c = debuginfod_begin())) {
		note(&s->tried, "debuginfod: cannot start its client");
		return false;
	}
	debuginfod_set_user_data(c, ctx);
	debuginfod_set_progressfn(c, on_progress);
	fd = debuginfod_find_debuginfo(c, id, (int)n, &path);
	debuginfod_end(c);
	if (fd < 0) {
		note(&s->tried, "debuginfod (%s): %s", urls, strerror(-fd));
		free(path);
		return false;
	}
	close(fd);
	if (asprintf(&how, "debuginfod (%s), cached at %s", urls, path) < 0)
		how = NULL;
	ok = take(s, path, build_id, how ? how : "debuginfod");
	if (!ok) {
		// A server that answers with another file: refused, and the
		// cached copy removed so that the next try asks again.
		note(&s->tried, "debuginfod (%s) sent a file of another "
		     "build-id: refused", urls);
		unlink(path);
	}
	free(how);
	free(path);
	return ok;
}

/* The distribution's debug files, $KTRIAGE_DEBUG_PATH, then debuginfod. */
static bool search(const char *release, const char *build_id,
		   kt_download_progress progress, void *arg,
		   struct kt_vmlinux_search *ret)
{
	const char *dpath = getenv("KTRIAGE_DEBUG_PATH");
	char *dirs, *p, *dir;
	bool found;

	found = in_dir(ret, DEBUG_ROOT, release, build_id,
		       "the distribution's debug files (" DEBUG_ROOT ")");
	if (!found && dpath && *dpath && (dirs = strdup(dpath))) {
		for (p = dirs; !found && (dir = strsep(&p, ":"));) {
			if (*dir != '/') {
				if (*dir)
					note(&ret->tried, "$KTRIAGE_DEBUG_PATH"
					     ": %s is not absolute: ignored",
					     dir);
				continue;
			}
			found = in_dir(ret, dir, release, build_id,
				       "$KTRIAGE_DEBUG_PATH");
		}
		free(dirs);
	} else if (!found) {
		note(&ret->tried, "$KTRIAGE_DEBUG_PATH is not set");
	}
	if (!found)
		found = from_debuginfod(ret, build_id, progress, arg);
	return found;
}

struct kt_error *kt_vmlinux_find(const char *release, const char *build_id,
				 kt_download_progress progress, void *arg,
				 struct kt_vmlinux_search *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!path_safe(release))
		release = "";
	if (!hex_id(build_id))
		build_id = "";
	if (!*release && !*build_id)
		return kt_error_create(KT_ERR_LOOKUP, "the dump says neither "
				       "its kernel's release nor its build-id: "
				       "give its vmlinux");
	if (search(release, build_id, progress, arg, ret))
		return NULL;
	return kt_error_create(KT_ERR_LOOKUP, "no vmlinux of kernel %s "
			       "(build-id %s) found: %s. Install its debug "
			       "package (Debian: linux-image-%s-dbg), set "
			       "DEBUGINFOD_URLS, or give the vmlinux after "
			       "the dump",
			       *release ? release : "?",
			       *build_id ? build_id : "unknown",
			       ret->tried ? ret->tried : "nowhere to look",
			       *release ? release : "RELEASE");
}

struct kt_error *kt_debuginfo_find(const char *build_id,
				   kt_download_progress progress, void *arg,
				   struct kt_vmlinux_search *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!hex_id(build_id))
		return kt_error_create(KT_ERR_LOOKUP, "no build-id to look "
				       "for");
	if (search("", build_id, progress, arg, ret))
		return NULL;
	return kt_error_create(KT_ERR_LOOKUP, "no file of build-id %s: %s",
			       build_id, ret->tried ? ret->tried :
			       "nowhere to look");
}

void kt_vmlinux_search_deinit(struct kt_vmlinux_search *s)
{
	free(s->path);
	free(s->how);
	free(s->tried);
	memset(s, 0, sizeof(*s));
}
