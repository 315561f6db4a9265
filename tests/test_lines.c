// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bounded line reader (core/lines.c) and the inputs read through it:
 * no line, and no input, grows without bound; a bad line is named by file
 * and number; what follows a bad line is still read where that is wanted.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/tui_keys.h"
#include "core/lines.h"

/* A stream over @len bytes of @text. */
static FILE *text_stream(const char *text, size_t len)
{
	FILE *fp = fmemopen((void *)text, len, "r");

	cr_assert_not_null(fp);
	return fp;
}

/* The next line, asserting there is one and no error. */
static const char *next_ok(struct kt_lines *r)
{
	struct kt_error *err;
	size_t len;
	char *line;

	err = kt_lines_next(r, &line, &len);
	cr_assert_null(err, "%s", err ? err->message : "");
	cr_assert_not_null(line, "the input ended early");
	cr_assert_eq(strlen(line), len);
	return line;
}

/* The next call's error message (asserted), freed by the caller. */
static char *next_error(struct kt_lines *r)
{
	struct kt_error *err;
	size_t len;
	char *line, *msg;

	err = kt_lines_next(r, &line, &len);
	cr_assert_not_null(err, "no error, line '%s'", line ? line : "(end)");
	cr_assert_null(line);
	msg = strdup(err->message);
	kt_error_destroy(err);
	return msg;
}

static void expect_end(struct kt_lines *r)
{
	struct kt_error *err;
	size_t len;
	char *line;

	err = kt_lines_next(r, &line, &len);
	cr_assert_null(err, "%s", err ? err->message : "");
	cr_expect_null(line, "more: '%s'", line ? line : "");
}

Test(lines, last_line_without_newline_is_a_line)
{
	static const char text[] = "sys\n\nbt -a";
	FILE *fp = text_stream(text, strlen(text));
	struct kt_lines r;

	kt_lines_init(&r, fp, "cmds", 100, 0);
	cr_expect_str_eq(next_ok(&r), "sys");
	cr_expect_str_eq(next_ok(&r), "");
	cr_expect_str_eq(next_ok(&r), "bt -a");
	cr_expect_eq(r.lineno, 3);
	expect_end(&r);
	expect_end(&r);
	kt_lines_deinit(&r);
	fclose(fp);
}

Test(lines, long_line_is_named_and_the_next_one_read)
{
	char text[200];
	FILE *fp;
	struct kt_lines r;
	char *msg;

	memset(text, 'x', sizeof(text));
	memcpy(text, "ok\n", 3);
	memcpy(text + sizeof(text) - 8, "\nafter\n", 7);
	fp = text_stream(text, sizeof(text) - 1);
	kt_lines_init(&r, fp, "cmds", 16, 0);
	cr_expect_str_eq(next_ok(&r), "ok");
	msg = next_error(&r);
	cr_expect_str_eq(msg, "cmds:2: longer than 16 bytes");
	free(msg);
	cr_expect_str_eq(next_ok(&r), "after");
	cr_expect_eq(r.lineno, 3);
	expect_end(&r);
	kt_lines_deinit(&r);
	fclose(fp);
}

Test(lines, nul_byte_is_not_text)
{
	static const char text[] = "a\nb\0c\nd\n";
	FILE *fp = text_stream(text, sizeof(text) - 1);
	struct kt_lines r;
	char *msg;

	kt_lines_init(&r, fp, "f", 100, 0);
	cr_expect_str_eq(next_ok(&r), "a");
	msg = next_error(&r);
	cr_expect_str_eq(msg, "f:2: a NUL byte: this is not text");
	free(msg);
	cr_expect_str_eq(next_ok(&r), "d");
	expect_end(&r);
	kt_lines_deinit(&r);
	fclose(fp);
}

/* /dev/zero: an endless line of NULs. Memory and time stay bounded. */
Test(lines, dev_zero_ends_within_the_total_bound, .timeout = 20)
{
	FILE *fp = fopen("/dev/zero", "r");
	struct kt_lines r;
	char *msg;

	cr_assert_not_null(fp);
	kt_lines_init(&r, fp, "/dev/zero", 4096, 1u << 20);
	msg = next_error(&r);
	cr_expect_str_eq(msg, "/dev/zero:1: a NUL byte: this is not text");
	free(msg);
	// Going on skips the rest of the line: the total bound ends it.
	msg = next_error(&r);
	cr_expect_str_eq(msg, "/dev/zero: more than 1048576 bytes: the rest "
			 "is not read");
	free(msg);
	expect_end(&r);
	cr_expect_leq(r.total, 1u << 20);
	kt_lines_deinit(&r);
	fclose(fp);
}

Test(lines, total_bound_is_exact)
{
	static const char text[] = "12345\n6789\n";
	struct kt_lines r;
	FILE *fp = text_stream(text, strlen(text));
	char *msg;

	// 11 bytes fit a bound of 11; a bound of 10 cuts the second line.
	kt_lines_init(&r, fp, "t", 100, 11);
	cr_expect_str_eq(next_ok(&r), "12345");
	cr_expect_str_eq(next_ok(&r), "6789");
	expect_end(&r);
	kt_lines_deinit(&r);
	fclose(fp);
	fp = text_stream(text, strlen(text));
	kt_lines_init(&r, fp, "t", 100, 10);
	cr_expect_str_eq(next_ok(&r), "12345");
	msg = next_error(&r);
	cr_expect_str_eq(msg, "t: more than 10 bytes: the rest is not read");
	free(msg);
	expect_end(&r);
	kt_lines_deinit(&r);
	fclose(fp);
}

/* ---- the ktriagerc ---- */

static char *write_tmp(const char *text, size_t len)
{
	char *path = strdup("/tmp/kt-rc-XXXXXX");
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
	return path;
}

Test(lines, ktriagerc_long_line_named_and_the_rest_applied)
{
	size_t len = 10000;
	char *text = malloc(len + 1), *path;
	struct kt_keymap km;

	strcpy(text, "bind Q quit\n");
	memset(text + 12, 'x', len - 12);
	strcpy(text + len - 13, "\nbind Z help\n");
	path = write_tmp(text, len);
	kt_keymap_load(&km, path, 0);
	cr_expect_eq(kt_keymap_lookup(&km, 'Q'), KT_ACT_QUIT);
	cr_expect_eq(kt_keymap_lookup(&km, 'Z'), KT_ACT_HELP);
	cr_assert_not_null(km.errors);
	cr_expect(strstr(km.errors, ":2: longer than 4096 bytes"), "%s",
		  km.errors);
	kt_keymap_deinit(&km);
	unlink(path);
	free(path);
	free(text);
}

Test(lines, ktriagerc_of_dev_zero_is_refused_quickly, .timeout = 20)
{
	struct timespec t0, t1;
	struct kt_keymap km;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	kt_keymap_load(&km, "/dev/zero", 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_expect_lt(t1.tv_sec - t0.tv_sec, 5);
	// The defaults still hold.
	cr_expect_eq(kt_keymap_lookup(&km, 'q'), KT_ACT_QUIT);
	cr_assert_not_null(km.errors);
	cr_expect_str_eq(km.errors, "/dev/zero:1: a NUL byte: this is not text\n"
			 "/dev/zero: more than 1048576 bytes: the rest is not "
			 "read\n");
	kt_keymap_deinit(&km);
}

Test(lines, ktriagerc_of_garbage_lists_a_bounded_number_of_errors)
{
	size_t n = 200000, len = 2 * n;
	char *text = malloc(len), *path;
	struct kt_keymap km;
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		memcpy(text + 2 * i, "x\n", 2);
	path = write_tmp(text, len);
	kt_keymap_load(&km, path, 0);
	cr_assert_not_null(km.errors);
	for (const char *p = km.errors; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_eq(lines, KT_KEYMAP_MAX_ERRORS + 1, "%zu lines", lines);
	cr_expect(strstr(km.errors, "(more bad lines: not listed)"));
	kt_keymap_deinit(&km);
	unlink(path);
	free(path);
	free(text);
}
