// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rows of a damaged case read back (db/list.c): a note whose revisions are
 * gone is reported as damaged, without undefined behaviour on the way
 * (memcpy() of an empty array from NULL aborted the UBSan build). On both
 * backends: a sqlite file edited by hand, a server's rows deleted by its
 * superuser.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/program.h"
#include "db/case.h"
#include "tests/case_backend.h"
#include "tests/helpers.h"

KT_CASE_TEST(case_rows, note_without_revisions_is_damaged_not_undefined)
{
	char *path = kt_test_case_at("c.ktriage");
	struct kt_program *prog = kt_test_open("sysrq-null");
	struct kt_case_identity id;
	struct kt_note_list l;
	struct kt_error *err;
	struct kt_case *c;

	cr_assert_null(kt_case_identity(prog, &id));
	kt_program_destroy(prog);
	cr_assert_null(kt_case_open(path, &id, KT_CASE_WRITE, &c));
	cr_assert_null(kt_case_note_add(c, "case", "a", "text", NULL));
	kt_case_close(c);
	kt_test_case_tamper(path, "DELETE FROM revisions",
			    "DELETE FROM ktriage.revisions");
	cr_assert_null(kt_case_open(path, &id, KT_CASE_READ_ONLY, &c));
	err = kt_case_notes(c, NULL, &l);
	cr_assert_not_null(err);
	cr_expect(strstr(err->message, "has no text (a damaged case)"), "%s",
		  err->message);
	cr_expect_eq(l.n, 0);
	kt_error_destroy(err);
	kt_case_close(c);
	free(path);
}
