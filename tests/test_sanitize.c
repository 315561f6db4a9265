// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One sanitiser on every way out: the stream the batch commands print to,
 * and every error message as it is made.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sanitize.h"
#include "tests/run.h"

struct sink {
	char *text;
	size_t size;
	FILE *dest, *fp;
};

static void sink_open(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->dest = open_memstream(&s->text, &s->size);
	cr_assert_not_null(s->dest);
	s->fp = kt_sanitize_stream(s->dest);
	cr_assert_not_null(s->fp);
}

/* Close both streams; the text that reached the destination. */
static char *sink_close(struct sink *s)
{
	cr_assert_eq(fclose(s->fp), 0);
	cr_assert_eq(fclose(s->dest), 0);
	return s->text;
}

Test(sanitize, stream_escapes_what_drives_a_terminal)
{
	struct sink s;
	char *out;

	sink_open(&s);
	fprintf(s.fp, "task %s: %s\n", "\033]0;pwned\a", "x\x7f\xc2\x9b""31m");
	fputs("tab\there, caf\xc3\xa9, bad \xff\xfe\n", s.fp);
	out = sink_close(&s);
	cr_expect_str_eq(out, "task \\x1b]0;pwned\\x07: x\\x7f\\xc2\\x9b31m\n"
			 "tab\there, caf\xc3\xa9, bad \\xff\\xfe\n");
	cr_expect(!kt_test_has_control(out));
	free(out);
}

Test(sanitize, stream_keeps_nul_visible)
{
	struct sink s;
	char *out;

	sink_open(&s);
	fwrite("a\0b", 1, 3, s.fp);
	out = sink_close(&s);
	cr_expect_str_eq(out, "a\\x00b");
	free(out);
}

/* A character cut between two flushes is kept whole, not escaped. */
Test(sanitize, stream_keeps_a_split_utf8_character_whole)
{
	static const char *const pieces[] = { "\xe2", "\x82", "\xac", " and ",
					      "\xf0\x9f", "\x98\x80", NULL };
	struct sink s;
	char *out;

	sink_open(&s);
	for (const char *const *p = pieces; *p; p++) {
		fputs(*p, s.fp);
		cr_assert_eq(fflush(s.fp), 0);
	}
	out = sink_close(&s);
	cr_expect_str_eq(out, "\xe2\x82\xac and \xf0\x9f\x98\x80");
	free(out);
}

/* A start of a character that never ends is escaped, not dropped. */
Test(sanitize, stream_escapes_a_cut_character_at_close_and_before_ascii)
{
	struct sink s;
	char *out;

	sink_open(&s);
	fputs("x\xe2", s.fp);
	fflush(s.fp);
	fputs("y\xe2\x82", s.fp);
	out = sink_close(&s);
	cr_expect_str_eq(out, "x\\xe2y\\xe2\\x82");
	free(out);
}

/* Sanitised text passes unchanged: it may be sanitised twice. */
Test(sanitize, stream_is_idempotent_on_sanitised_text)
{
	char clean[KT_SANITIZED_SIZE(64)];
	struct sink s;
	char *out;

	kt_sanitize("\033[2J caf\xc3\xa9 \xff\n", 13, clean, sizeof(clean), true);
	sink_open(&s);
	fputs(clean, s.fp);
	out = sink_close(&s);
	cr_expect_str_eq(out, clean);
	free(out);
}

Test(sanitize, error_messages_are_one_printable_line)
{
	struct kt_error *err;

	err = kt_error_create(KT_ERR_INVALID, "no such command: %s",
			      "fr\033]0;x\aob\nline2");
	cr_expect_str_eq(err->message, "no such command: "
			 "fr\\x1b]0;x\\x07ob\\x0aline2");
	err = kt_error_wrap(err, "in %s", "\x9b""2J");
	cr_expect_str_eq(err->message, "in \\x9b2J: no such command: "
			 "fr\\x1b]0;x\\x07ob\\x0aline2");
	kt_error_destroy(err);
	err = kt_error_os(2, "%s", "/tmp/\033[31mred");
	cr_expect_str_eq(err->message, "/tmp/\\x1b[31mred: No such file or "
			 "directory");
	kt_error_destroy(err);
	// UTF-8 and tabs are text.
	err = kt_error_create(KT_ERR_INVALID, "%s", "caf\xc3\xa9\tok");
	cr_expect_str_eq(err->message, "caf\xc3\xa9\tok");
	kt_error_destroy(err);
}
