// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/casefile.h"
#include "fuzz/common.h"

static char dir[64];

static void remove_dir(void)
{
	static const char *const names[] = { "ours.ktriage", "theirs.ktriage" };
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < 2; i++)
		for (size_t s = 0; s < 4; s++) {
			char p[128];

			snprintf(p, sizeof(p), "%s/%s%s", dir, names[i], sfx[s]);
			unlink(p);
		}
	rmdir(dir);
}

const char *kt_fuzz_case_path(const char *name)
{
	static char path[128];

	if (!*dir) {
		const char *tmp = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

		snprintf(dir, sizeof(dir), "%s/kt-fuzz-XXXXXX", tmp);
		if (!mkdtemp(dir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(remove_dir);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

const struct kt_case_identity *kt_fuzz_case_identity(void)
{
	static struct kt_case_identity id;
	struct kt_error *err;

	if (*id.dump_id)
		return &id;
	err = kt_case_identity(kt_fuzz_program(), &id);
	if (err) {
		fprintf(stderr, "fuzz: %s\n", err->message);
		exit(2);
	}
	return &id;
}

static void unlink_case(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t s = 0; s < 4; s++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[s]);
		unlink(p);
	}
}

struct kt_case *kt_fuzz_case_new(void)
{
	char path[128];
	struct kt_case *c;
	struct kt_error *err;

	snprintf(path, sizeof(path), "%s", kt_fuzz_case_path("ours.ktriage"));
	unlink_case(path);
	err = kt_case_open(path, kt_fuzz_case_identity(), KT_CASE_WRITE, &c);
	if (err) {
		fprintf(stderr, "fuzz: %s\n", err->message);
		abort();
	}
	return c;
}

void kt_fuzz_case_drop(struct kt_case *c)
{
	char path[128];

	snprintf(path, sizeof(path), "%s", kt_case_path(c));
	kt_case_close(c);
	unlink_case(path);
}

static volatile unsigned sink;

static void touch(const char *s)
{
	for (; s && *s; s++)
		sink += *s;
}

void kt_fuzz_case_read_all(struct kt_case *c)
{
	struct kt_note_list notes;
	struct kt_verdict_list verdicts;
	struct kt_tag_list tags;
	char *json = NULL;

	if (!kt_case_notes(c, NULL, &notes)) {
		for (size_t i = 0; i < notes.n; i++) {
			touch(notes.v[i].target);
			KT_FUZZ_CHECK(!notes.v[i].nrevs ||
				      notes.v[i].current < notes.v[i].nrevs,
				      "case: current revision out of range");
			for (size_t r = 0; r < notes.v[i].nrevs; r++)
				touch(notes.v[i].revs[r].text);
		}
		kt_note_list_deinit(&notes);
	}
	if (!kt_case_verdicts(c, &verdicts)) {
		for (size_t i = 0; i < verdicts.n; i++)
			touch(verdicts.v[i].text);
		kt_verdict_list_deinit(&verdicts);
	}
	if (!kt_case_tags(c, NULL, &tags)) {
		for (size_t i = 0; i < tags.n; i++)
			touch(tags.v[i].tag);
		kt_tag_list_deinit(&tags);
	}
	if (!kt_case_export(c, &json))
		touch(json);
	free(json);
}
