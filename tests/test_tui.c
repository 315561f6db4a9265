// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The workbench on a fake terminal: ncurses' newterm() writing to
 * /dev/null at a fixed size, keys fed one by one, the screen read back
 * and compared with tests/expected/screens/NAME.txt. KT_REGEN_SCREENS=1
 * rewrites the golden screens. Then a tmux session, as a person uses it.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/tui.h"
#include "tests/helpers.h"

static struct kt_tui *current;

struct fake {
	SCREEN *scr;
	FILE *out, *in;
	struct kt_program *prog;
	struct kt_cmd_ctx ctx;
	struct kt_tui *tui;
	char case_path[64];
};

/* The workbench with options @o, reading its keys from @in (NULL: none). */
static void start_with(struct fake *f, const char *dump, int cols, int lines,
		       FILE *in, const struct kt_tui_options *o)
{
	int fd;

	memset(f, 0, sizeof(*f));
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	f->out = fopen("/dev/null", "w");
	f->in = in ? in : fopen("/dev/null", "r");
	f->scr = newterm("xterm", f->out, f->in);
	cr_assert_not_null(f->scr);
	set_term(f->scr);
	resizeterm(lines, cols);
	f->prog = kt_test_open(dump);
	// Notes go to a case of our own, never beside the shared dump.
	snprintf(f->case_path, sizeof(f->case_path), "/tmp/kt-tui-XXXXXX");
	fd = mkstemp(f->case_path);
	cr_assert(fd >= 0);
	close(fd);
	unlink(f->case_path);
	f->ctx = (struct kt_cmd_ctx){ .prog = f->prog, .out = stdout,
				      .err = stderr, .case_path = f->case_path,
				      .dump_path = f->prog->opts.dump_paths[0] };
	f->tui = kt_tui_create(&f->ctx, o);
	cr_assert_not_null(f->tui);
	current = f->tui;
}

static void start_in(struct fake *f, const char *dump, int cols, int lines,
		     FILE *in)
{
	struct kt_tui_options o = { .rc_path = "/nonexistent/ktriagerc" };

	start_with(f, dump, cols, lines, in, &o);
}

static void start(struct fake *f, const char *dump, int cols, int lines)
{
	start_in(f, dump, cols, lines, NULL);
}

static void stop(struct fake *f)
{
	kt_tui_destroy(f->tui);
	endwin();
	delscreen(f->scr);
	fclose(f->out);
	fclose(f->in);
	kt_cmd_ctx_deinit(&f->ctx);
	kt_program_destroy(f->prog);
	unlink(f->case_path);
}

/* Feed @keys; "\n" is Enter, "\t" Tab, '\b' back. */
static void keys(struct fake *f, const char *s)
{
	for (; *s; s++)
		kt_tui_key(f->tui, *s == '\b' ? KEY_BACKSPACE :
			   (unsigned char)*s);
}

/* The screen with the fixtures' directory spelled as a variable. */
static char *screen(void)
{
	char *s = kt_tui_screen_text(), *p;
	const char *dir = kt_test_env("KT_FIXTURES");
	size_t n = strlen(dir);

	while ((p = strstr(s, dir))) {
		memcpy(p, "$FIXTURES", 9);
		memmove(p + 9, p + n, strlen(p + n) + 1);
	}
	return s;
}

/* No line wider than the terminal: what is drawn stays in its place. */
static void expect_fits(const char *s, int cols)
{
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		cr_expect(mbstowcs(NULL, p, 0) == (size_t)-1 ||
			  (int)n <= 4 * cols, "line too long");
		p = nl ? nl + 1 : p + n;
	}
}

/* The screen, and which row is selected (reverse video is not text). */
static void golden(const char *name)
{
	char path[4096], *got = screen(), *want;
	FILE *fp;
	size_t n = strlen(got);
	const char *sel = kt_tui_selected(current);

	got = realloc(got, n + strlen(sel) + 16);
	sprintf(got + n, "[selected] %s\n", sel);
	expect_fits(got, COLS);
	snprintf(path, sizeof(path), "%s/tests/expected/screens/%s.txt",
		 KT_SOURCE_DIR, name);
	if (getenv("KT_REGEN_SCREENS")) {
		fp = fopen(path, "w");
		cr_assert_not_null(fp, "cannot write %s", path);
		fputs(got, fp);
		fclose(fp);
	}
	want = kt_test_slurp(path, NULL);
	cr_assert_not_null(want, "no golden screen %s (KT_REGEN_SCREENS=1)",
			   path);
	cr_expect_str_eq(got, want, "screen %s differs:\n%s", name, got);
	free(got);
	free(want);
}

static bool on_screen(const char *needle)
{
	char *s = kt_tui_screen_text();
	bool yes = strstr(s, needle) != NULL;

	free(s);
	return yes;
}

Test(tui, landing)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	cr_expect(on_screen("PANIC:   BUG: unable to handle page fault"));
	golden("landing-100x30");
	stop(&f);
}

Test(tui, backtrace_walk_to_the_faulting_frame)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	keys(&f, "2");
	golden("backtrace-100x30");
	keys(&f, "j");
	cr_expect_str_eq(kt_tui_selected(f.tui), "#1  blk_mq_hw_sysfs_release+0x15");
	cr_expect(on_screen(" #1 registers"));
	keys(&f, "k");
	cr_expect(on_screen(" #0 registers"));
	// The landing's task line leads to the same place.
	keys(&f, "\b");
	cr_expect(on_screen("[summary]"));
	keys(&f, "L");
	cr_expect(on_screen("#0 registers"));
	stop(&f);
}

Test(tui, hctx_from_the_frame_then_fq_is_not_ram)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	// Frame #1's variables, the hctx local, Enter: typed from the frame.
	keys(&f, "2jv\tj\n");
	cr_expect(on_screen("inspect ffff8d76018b5a00 struct blk_mq_hw_ctx"));
	// Search the member, follow ->fq: its kmem says not RAM.
	keys(&f, "/ *fq =\n\n");
	golden("inspect-fq-100x30");
	cr_expect(on_screen("ffff8d7630382c40"));
	cr_expect(on_screen("not RAM"));
	cr_expect_not(on_screen("no page backs it"));
	keys(&f, ">");
	cr_expect(on_screen("no page backs it"), "> shows long rows' ends");
	keys(&f, "<");
	cr_expect_not(on_screen("no page backs it"));
	keys(&f, "\b");
	cr_expect(on_screen("inspect ffff8d76018b5a00 struct blk_mq_hw_ctx"));
	// d on a function pointer member disassembles the function.
	keys(&f, "/run_work =\n\n/ work =\n\n/func =\n");
	cr_expect(strstr(kt_tui_selected(f.tui), "func = 0xffffffffa894e7b0"),
		  "%s", kt_tui_selected(f.tui));
	keys(&f, "d");
	cr_expect(on_screen(":dis -l 0xffffffffa894e7b0 32"));
	cr_expect(on_screen("<blk_mq_run_work_fn>"));
	keys(&f, "\b");
	// Enter on the object's own address keeps its type.
	kt_tui_key(f.tui, KEY_HOME);
	cr_expect_str_eq(kt_tui_selected(f.tui), "ffff8d76018b5a00");
	keys(&f, "\n");
	cr_expect(on_screen("already here"));
	cr_expect(on_screen("inspect ffff8d76018b5a00 struct blk_mq_hw_ctx"));
	stop(&f);
}

/*
 * The words way: frame #0's word is &hctx->kobj (kmalloc-512+0x190);
 * kmem names the object it is in, t types it, ->fq is not RAM.
 */
Test(tui, hctx_from_the_frame_words)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	keys(&f, "2\t\t");
	cr_expect_str_eq(kt_tui_selected(f.tui), "bd98 ffff8d76018b5b90 "
			 "kmalloc-512+0x190 alloc");
	keys(&f, "\n");
	cr_expect(on_screen("inspect ffff8d76018b5b90"));
	keys(&f, "/object ffff8d76018b5a00\n\n");
	cr_expect_str_eq(kt_tui_selected(f.tui), "no type known for "
			 "ffff8d76018b5a00: t sets one");
	cr_expect(on_screen("inspect ffff8d76018b5a00"));
	keys(&f, "tblk_mq_hw_ctx\n/ *fq =\n\n");
	cr_expect(on_screen("inspect ffff8d7630382c40 struct blk_flush_queue"));
	cr_expect(on_screen("not RAM"));
	stop(&f);
}

Test(tui, findings_jump_to_their_evidence)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	keys(&f, "5/faulting frame\n\n");
	cr_expect(on_screen("backtrace of PID 53"));
	cr_expect_str_eq(kt_tui_selected(f.tui), "#0  blk_free_flush_queue+0xe");
	keys(&f, "h/base: fq\n\n");
	cr_expect(on_screen("inspect ffff8d7630382c40 struct blk_flush_queue"));
	keys(&f, "h/oops: BUG\n\n");
	cr_expect(on_screen("[log]"));
	stop(&f);
}

Test(tui, tasks_in_d_state)
{
	struct fake f;

	start(&f, "nbd-orphan-hung", 80, 24);
	// The landing's count of D-state tasks leads to them.
	keys(&f, "j");
	cr_expect_str_eq(kt_tui_selected(f.tui),
			 "  TASKS:   73, 2 in D state (UN)");
	keys(&f, "\n");
	cr_expect(on_screen("state:UN"));
	// The filter stays, as htop's does.
	keys(&f, "h3");
	golden("tasks-un-80x24");
	cr_expect(on_screen("blkid"));
	cr_expect(on_screen("state:UN"));
	stop(&f);
}

/* S: several states at once, in the title; s cycles from there. */
Test(tui, tasks_in_several_states)
{
	struct fake f;
	char *dbg;

	start(&f, "nbd-orphan-hung", 100, 30);
	keys(&f, "3Sun ru\n");
	dbg = kt_tui_screen_text();
	cr_expect(on_screen("state:UN,RU"), "%s", dbg);
	cr_expect(on_screen(" UN  blkid"), "%s", dbg);
	cr_expect(on_screen(" RU  "), "%s", dbg);
	cr_expect(!on_screen(" IN  "), "%s", dbg);
	free(dbg);
	keys(&f, "?G");
	cr_expect(on_screen("S                  filter-states   tasks: several "
			    "states at once (UN RU)"));
	keys(&f, "hs");
	cr_expect(on_screen("state:UN "));
	keys(&f, "S\n");
	cr_expect(on_screen("state:all"));
	stop(&f);
}

Test(tui, tasks_enter_opens_the_backtrace)
{
	struct fake f;

	start(&f, "nbd-orphan-hung", 100, 30);
	keys(&f, "3sfblk\nj");
	cr_expect(strstr(kt_tui_selected(f.tui), "UN  blkid"), "%s",
		  kt_tui_selected(f.tui));
	keys(&f, "\n");
	cr_expect(on_screen("backtrace of PID 126"));
	stop(&f);
}

Test(tui, note_on_the_selected_frame_in_utf8)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	keys(&f, "2a");
	keys(&f, "fq freed \xc3\xa9t\xc3\xa9 \xe4\xb8\xad\n");
	cr_expect(on_screen("added on frame:53:0xffff8d76025520c0:0:"
			    "blk_free_flush_queue"));
	keys(&f, "6");
	cr_expect(on_screen("Notes on frame:53:0xffff8d76025520c0:0:"
			    "blk_free_flush_queue"));
	cr_expect(on_screen("fq freed \xc3\xa9t\xc3\xa9 \xe4\xb8\xad"));
	// In the notes view, a note goes on the view's target.
	keys(&f, "Gaa second one\n");
	cr_expect(on_screen("added on frame:53:0xffff8d76025520c0:0:"
			    "blk_free_flush_queue"));
	char *dbg = kt_tui_screen_text();
	cr_expect(on_screen("a second one"), "%s", dbg);
	free(dbg);
	// A verdict on the finding selected in the findings view.
	keys(&f, "5Vroot-cause the fq was freed with the hctx\n");
	cr_expect(on_screen("verdict root-cause set on finding:hctx_fq:0xffff8d76018b5a00"));
	keys(&f, "Vguess what\n");
	cr_expect(on_screen("verdict: KIND TEXT"));
	keys(&f, "6");
	cr_expect(on_screen("root-cause"));
	cr_expect(on_screen("the fq was freed with the hctx"));
	stop(&f);
}

/* `e` on a note: its text to change, saved as a new revision. */
Test(tui, edit_a_note_in_the_notes_view)
{
	struct fake f;
	char *dbg;

	start(&f, "hctx-fq", 100, 30);
	keys(&f, "6e");
	cr_expect(on_screen("edit: select a note"));
	keys(&f, "afirst text\n");
	cr_expect(on_screen("added on task:53:0xffff8d76025520c0"));
	cr_expect(!on_screen("revisions"));
	// The note's line, then its text in the prompt: "text" -> "edit".
	keys(&f, "je");
	cr_expect(on_screen("edit: first text"));
	keys(&f, "\b\b\b\bedit\n");
	dbg = kt_tui_screen_text();
	cr_expect(on_screen("edited: a new revision"), "%s", dbg);
	cr_expect(on_screen("  (2 revisions)"), "%s", dbg);
	cr_expect(on_screen("  last by "), "%s", dbg);
	cr_expect(on_screen("    first edit"), "%s", dbg);
	cr_expect(!on_screen("    first text"), "%s", dbg);
	free(dbg);
	// From its text line too; Esc leaves it as it was.
	keys(&f, "jje\x1b");
	cr_expect(on_screen("cancelled"));
	cr_expect(on_screen("(2 revisions"));
	stop(&f);
}

/* Another engineer's edit of the same note, merged: both are shown. */
Test(tui, notes_view_shows_concurrent_edits)
{
	struct fake f;
	struct kt_cmd_ctx other = { 0 };
	char path[64], cmd[160], uuid[9], *s, *p;
	int fd;

	start(&f, "hctx-fq", 100, 30);
	snprintf(path, sizeof(path), "/tmp/kt-tui-other-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	unlink(path);
	keys(&f, "6abase\n");
	s = kt_tui_screen_text();
	p = strstr(s, "note ");
	cr_assert_not_null(p, "%s", s);
	snprintf(uuid, sizeof(uuid), "%.8s", p + 5);
	free(s);
	// The other engineer starts from the same note, and edits it.
	snprintf(cmd, sizeof(cmd), ":case export %s.json\n", path);
	keys(&f, cmd);
	other = (struct kt_cmd_ctx){ .prog = f.prog, .case_path = path,
				     .dump_path = f.ctx.dump_path };
	other.out = other.err = fopen("/dev/null", "w");
	snprintf(cmd, sizeof(cmd), "case import %s.json", path);
	kt_command_run(&other, cmd);
	snprintf(cmd, sizeof(cmd), "note edit %s theirs", uuid);
	kt_command_run(&other, cmd);
	fclose(other.out);
	kt_cmd_ctx_deinit(&other);
	// Ours, then theirs merged in.
	keys(&f, "6je");
	keys(&f, "\b\b\b\bmine\n");
	snprintf(cmd, sizeof(cmd), ":case merge %s\n6", path);
	keys(&f, cmd);
	s = kt_tui_screen_text();
	cr_expect(on_screen("(3 revisions, 2 concurrent edits)"), "%s", s);
	cr_expect(on_screen("  concurrent edit by "), "%s", s);
	cr_expect(on_screen("    mine"), "%s", s);
	cr_expect(on_screen("    theirs"), "%s", s);
	free(s);
	unlink(path);
	snprintf(cmd, sizeof(cmd), "%s.json", path);
	unlink(cmd);
	stop(&f);
}

static int count_on_screen(const char *needle)
{
	char *s = kt_tui_screen_text(), *p = s;
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p++;
	}
	free(s);
	return n;
}

/* Esc while the first analysis runs: a usable screen, analysed later. */
Test(tui, esc_cancels_the_first_analysis)
{
	struct fake f;
	int fds[2];
	char *dbg;

	cr_assert_eq(pipe(fds), 0);
	// Typed ahead: read by the analysis' wait loop as the landing opens.
	cr_assert_eq(write(fds[1], "\x1b", 1), 1);
	start_in(&f, "hctx-fq", 100, 30, fdopen(fds[0], "r"));
	dbg = kt_tui_screen_text();
	cr_expect(on_screen("analysis cancelled"), "%s", dbg);
	cr_expect(on_screen("PANIC:   BUG: unable to handle page fault"),
		  "%s", dbg);
	free(dbg);
	cr_expect_null(f.ctx.analysis, "a cancelled analysis is not kept");
	// The screen still answers keys; the findings view runs it again.
	keys(&f, "3");
	cr_expect(on_screen("state:all"));
	keys(&f, "5");
	dbg = kt_tui_screen_text();
	cr_expect(on_screen("hctx_fq:0xffff8d76018b5a00"), "%s", dbg);
	free(dbg);
	cr_expect_not_null(f.ctx.analysis);
	close(fds[1]);
	stop(&f);
}

/*
 * Any command runs on the worker thread. One that cannot be cancelled is
 * waited for even after Esc (the program is for one thread at a time);
 * foreach stops between tasks.
 */
Test(tui, esc_does_not_abandon_a_command_without_cancel)
{
	struct fake f;
	int fds[2];
	char *dbg;

	cr_assert_eq(pipe(fds), 0);
	start_in(&f, "hctx-fq", 100, 30, fdopen(fds[0], "r"));
	cr_assert_eq(write(fds[1], "\x1b", 1), 1);
	keys(&f, ":ps\nG");
	dbg = kt_tui_screen_text();
	cr_expect(on_screen(" :ps"), "%s", dbg);
	// The whole output: the last task is there.
	cr_expect(on_screen("rmmod"), "%s", dbg);
	free(dbg);
	keys(&f, "h");
	cr_expect(on_screen("PANIC:"));
	close(fds[1]);
	stop(&f);
}

Test(tui, esc_stops_a_foreach_between_tasks)
{
	struct fake f;
	int fds[2];
	char *dbg;

	cr_assert_eq(pipe(fds), 0);
	start_in(&f, "hctx-fq", 100, 30, fdopen(fds[0], "r"));
	cr_assert_eq(write(fds[1], "\x1b", 1), 1);
	keys(&f, ":foreach bt\nG");
	dbg = kt_tui_screen_text();
	cr_expect(on_screen("foreach: stopped after "), "%s", dbg);
	cr_expect(!on_screen("COMMAND: \"rmmod\""), "%s", dbg);
	free(dbg);
	keys(&f, "h");
	cr_expect(on_screen("PANIC:"));
	close(fds[1]);
	stop(&f);
}

/* Esc on the terminal while a search runs stops the scan. */
Test(tui, esc_cancels_a_search)
{
	struct fake f;
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	start_in(&f, "hctx-fq", 100, 30, fdopen(fds[0], "r"));
	// Typed ahead: the first key the search's wait loop reads.
	cr_assert_eq(write(fds[1], "\x1b", 1), 1);
	keys(&f, ":search -k ffff8d76018b5a00\n");
	char *dbg = kt_tui_screen_text();
	cr_expect(on_screen("search cancelled"), "%s", dbg);
	free(dbg);
	close(fds[1]);
	stop(&f);
}

/* Back and forward show a command's output again; they never rerun it. */
Test(tui, history_does_not_rerun_commands)
{
	struct fake f;

	start(&f, "sysrq-null", 100, 30);
	keys(&f, ":note add only once\n");
	keys(&f, "\bL\bL");
	keys(&f, "6");
	cr_expect(on_screen("All notes"));
	cr_expect_eq(count_on_screen("only once"), 1);
	stop(&f);
}

Test(tui, help)
{
	struct fake f;

	start(&f, "sysrq-null", 80, 24);
	keys(&f, "?");
	golden("help-80x24");
	stop(&f);
}

/* A ktriagerc of @text in a directory of its own; its path in @path. */
static void write_rc(char *path, size_t size, const char *text)
{
	char dir[] = "/tmp/kt-theme-XXXXXX";
	FILE *fp;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, size, "%s/ktriagerc", dir);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void remove_rc(const char *path)
{
	char *dir = strdup(path);

	unlink(path);
	*strrchr(dir, '/') = 0;
	rmdir(dir);
	free(dir);
}

/* The colours and attributes the cell at (y, x) was drawn with. */
static void cell(int y, int x, short *fg, short *bg, chtype *attrs)
{
	chtype c = mvinch(y, x);

	*fg = *bg = -2;
	pair_content(PAIR_NUMBER(c), fg, bg);
	*attrs = c & A_ATTRIBUTES & ~A_COLOR;
}

/*
 * `theme light` colours the header white on blue; a later color line wins
 * for the title rows; and --mono draws neither.
 */
Test(tui, theme_colours_the_screen_and_mono_wins)
{
	struct kt_tui_options o = { 0 };
	struct fake f;
	char rc[64];
	short fg, bg;
	chtype at;

	setenv("HOME", "/nonexistent", 1);	// no ~/.config/ktriage/themes
	setenv("KTRIAGE_THEME_PATH", KT_SOURCE_DIR "/assets/themes", 1);
	write_rc(rc, sizeof(rc), "theme light\ncolor title red blue "
		 "underline\n");
	o.rc_path = rc;
	start_with(&f, "hctx-fq", 100, 30, NULL, &o);
	cr_expect_str_eq(kt_tui_rc_errors(f.tui), "");
	cr_expect(on_screen("\nCrash\n"));
	cell(0, 0, &fg, &bg, &at);
	cr_expect(fg == COLOR_WHITE && bg == COLOR_BLUE && (at & A_BOLD),
		  "header: %d on %d, %#lx", fg, bg, (unsigned long)at);
	cell(2, 0, &fg, &bg, &at);	// "Crash", a title
	cr_expect(fg == COLOR_RED && bg == COLOR_BLUE && (at & A_UNDERLINE) &&
		  !(at & A_BOLD), "title: %d on %d, %#lx", fg, bg,
		  (unsigned long)at);
	stop(&f);

	o.mono = true;
	start_with(&f, "hctx-fq", 100, 30, NULL, &o);
	remove_rc(rc);		// read: a failed assertion leaves nothing
	cr_expect_eq(PAIR_NUMBER(mvinch(0, 0)), 0);
	cr_expect(mvinch(0, 0) & A_REVERSE);
	cr_expect_eq(PAIR_NUMBER(mvinch(2, 0)), 0);
	cr_expect(mvinch(2, 0) & A_BOLD);
	stop(&f);
}

/* A bad colour line is reported by file and line; the rest applies. */
Test(tui, bad_theme_lines_in_the_help_screen)
{
	struct kt_tui_options o = { 0 };
	struct fake f;
	char rc[64], want[128];
	short fg, bg;
	chtype at;

	setenv("KTRIAGE_THEME_PATH", "/nonexistent", 1);
	write_rc(rc, sizeof(rc), "theme nosuch\ncolor title mauve\n"
		 "color header 208\ncolor header green\n");
	o.rc_path = rc;
	start_with(&f, "sysrq-null", 120, 60, NULL, &o);
	remove_rc(rc);
	cr_expect(on_screen("ktriagerc: bad lines, see ? (help)"));
	cell(0, 0, &fg, &bg, &at);
	cr_expect(fg == COLOR_GREEN && bg == -1, "header: %d on %d", fg, bg);
	keys(&f, "?G");
	snprintf(want, sizeof(want), "%s:1: no theme nosuch in ", rc);
	cr_expect(on_screen(want), "%s", want);
	snprintf(want, sizeof(want), "%s:2: unknown colour", rc);
	cr_expect(on_screen(want), "%s", want);
	// "xterm" has 8 colours
	snprintf(want, sizeof(want), "%s:3: colour 208: the terminal has 8 "
		 "colours", rc);
	cr_expect(on_screen(want), "%s", want);
	stop(&f);
}

Test(tui, resize_and_back)
{
	struct fake f;

	start(&f, "hctx-fq", 80, 24);
	keys(&f, "2");
	golden("backtrace-80x24");
	resizeterm(40, 120);
	kt_tui_key(f.tui, KEY_RESIZE);
	golden("backtrace-120x40");
	resizeterm(24, 80);
	kt_tui_key(f.tui, KEY_RESIZE);
	golden("backtrace-80x24");
	stop(&f);
}

Test(tui, command_line_output_links)
{
	struct fake f;

	start(&f, "hctx-fq", 100, 30);
	keys(&f, ":kmem ffff8d76018b5a00\n");
	cr_expect(on_screen(":kmem ffff8d76018b5a00"));
	cr_expect(on_screen("kmalloc-512+0x0 alloc"));
	keys(&f, "\n");
	cr_expect(on_screen("inspect ffff8d76018b5a00"));
	keys(&f, "tblk_mq_hw_ctx\n");
	cr_expect(on_screen("inspect ffff8d76018b5a00 struct blk_mq_hw_ctx\n"));
	keys(&f, "g53\n");
	cr_expect(on_screen("backtrace of PID 53"));
	// A line with two addresses asks which one.
	keys(&f, ":rd ffff8d76018b5a00 2\n");
	keys(&f, "\n");
	cr_expect(on_screen("which address?  1: ffff8d76018b5a00  2: "
			    "ffff8d76018b5a08"));
	keys(&f, "2");
	cr_expect(on_screen("inspect ffff8d76018b5a08"));
	keys(&f, "ginit_task\n");
	cr_expect(on_screen(" struct task_struct\n"));
	keys(&f, "/ comm[\n");
	cr_expect(on_screen("char comm[16] = \"swapper/0\""));
	// search runs on a thread; its hits are links too.
	keys(&f, ":search -k ffff8d76018b5a00\n");
	cr_expect(on_screen("ffff8d760142c270: ffff8d76018b5a00  inode_cache"));
	keys(&f, "\n1");
	cr_expect(on_screen("inspect ffff8d760142c270"));
	stop(&f);
}

ParameterizedTestParameters(tui, every_view_on_every_dump)
{
	KT_DUMP_PARAMS();
}

/* Every view, every pane, Enter everywhere: on each dump, nothing breaks. */
ParameterizedTest(struct kt_dump_param *p, tui, every_view_on_every_dump)
{
	static const char *const walk[] = {
		"\n", "2", "jjj", "\t\n", "\b\t\tjj\n\n", "h", "l", "v",
		"\tj\n", "3", "s", "s", "o", "G\n", "4", "G", "/panic\n",
		"n", "N", "\n", "5", "jj\n", "6", "?", "1", ":sys\n", "\n",
		"gjiffies\n", "r", "h", "d", "hh", "L", ">", "<", "g\n",
		"g0\n", "gnosuchsymbol\n", ":nosuchcommand\n", "\x1b",
	};
	struct fake f;

	start(&f, p->name, 80, 24);
	for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		keys(&f, walk[i]);
		cr_assert(on_screen("ktriage ["), "%s: after '%s'", p->name,
			  walk[i]);
	}
	stop(&f);
}

ParameterizedTestParameters(tui, landing_and_backtrace_on_every_dump)
{
	KT_ALL_DUMP_PARAMS();
}

/* A field of the batch `sys`/`bt` JSON of @name's dump. */
static cJSON *batch_json(const char *name, const char *cmd)
{
	char *dump = kt_test_dump_path(name, ".kdump");
	char *mods = kt_test_moddir(name);
	const char *argv[] = { dump, kt_test_vmlinux(name), "-m", mods,
			       "--json", "-c", cmd, NULL };
	struct kt_run r = kt_test_run(argv);
	cJSON *doc = cJSON_Parse(r.out);

	cr_assert_not_null(doc, "%s: %s: %s", name, cmd, r.err);
	kt_run_free(&r);
	free(dump);
	free(mods);
	return doc;
}

/*
 * The landing's one-line cause is the most severe finding's title (batch
 * `findings` lists them most severe first), when it is a warning or worse.
 */
static void expect_cause(const char *name)
{
	cJSON *doc = batch_json(name, "findings");
	cJSON *top = cJSON_GetArrayItem(kt_test_get(doc, "findings"), 0);
	char want[128];

	if (top && strcmp(kt_test_get(top, "severity")->valuestring, "info")) {
		snprintf(want, sizeof(want), "CAUSE:   %.60s",
			 kt_test_get(top, "title")->valuestring);
		cr_expect(on_screen(want), "%s: no '%s'", name, want);
	} else {
		cr_expect(!on_screen("CAUSE:"), "%s: a cause without a finding "
			  "that fires", name);
	}
	cJSON_Delete(doc);
}

/*
 * The landing says why the kernel died and who; the backtrace view opens
 * on the panic task's innermost frame, as `bt` has it.
 */
ParameterizedTest(struct kt_dump_param *p, tui,
		  landing_and_backtrace_on_every_dump)
{
	cJSON *sys = batch_json(p->name, "sys"), *bt = batch_json(p->name, "bt");
	cJSON *fr, *frames = kt_test_get(cJSON_GetArrayItem(
		kt_test_get(cJSON_GetArrayItem(bt, 0), "segments"), 0), "frames");
	const char *panic = kt_test_get(sys, "panic")->valuestring;
	char want[128];
	struct fake f;

	// frame #0: the first that is no inlined call
	cJSON_ArrayForEach(fr, frames)
		if (!cJSON_IsTrue(kt_test_get(fr, "inlined")))
			break;
	cr_assert_not_null(fr);
	start(&f, p->name, 120, 40);
	snprintf(want, sizeof(want), "PANIC:   %.40s", panic);
	cr_expect(on_screen(want), "%s: no '%s'", p->name, want);
	snprintf(want, sizeof(want), "%s",
		 kt_test_get(kt_test_get(sys, "panic_task"), "comm")->valuestring);
	cr_expect(on_screen(want), "%s: no panic task %s", p->name, want);
	expect_cause(p->name);
	keys(&f, "2");
	// a pc in no function (a jump into data) shows as its address
	if (cJSON_IsString(kt_test_get(fr, "function")))
		snprintf(want, sizeof(want), "#0  %s+0x",
			 kt_test_get(fr, "function")->valuestring);
	else
		snprintf(want, sizeof(want), "#0  %s",
			 kt_test_get(fr, "pc")->valuestring + 2);
	cr_expect(!strncmp(kt_tui_selected(f.tui), want, strlen(want)),
		  "%s: selected '%s', bt's frame #0 '%s'", p->name,
		  kt_tui_selected(f.tui), want);
	cr_expect(on_screen(" #0 registers"), "%s", p->name);
	stop(&f);
	cJSON_Delete(sys);
	cJSON_Delete(bt);
}

/* Scripts and pipes keep the batch output; --no-tui asks for it. */
Test(tui, no_tui_prints_sys)
{
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--no-tui",
			       NULL };
	struct kt_run r = kt_test_run(argv);

	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "       PANIC: \"Kernel panic - not syncing"),
		  "%s", r.out);
	kt_run_free(&r);
	free(dump);
}

/* ---- tmux, as a person uses it ---- */

static char *sh(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t cap = 0;

	cr_assert_not_null(p);
	if (getdelim(&out, &cap, 0, p) < 0) {
		free(out);
		out = strdup("");
	}
	pclose(p);
	return out;
}

/* Wait (up to 10 s) until the pane shows @needle. */
static bool pane_shows(const char *sock, const char *needle)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tmux -S /tmp/%s.sock capture-pane -p -t kt 2>&1",
		 sock);
	for (int i = 0; i < 100; i++) {
		char *s = sh(cmd);
		bool yes = strstr(s, needle) != NULL;

		free(s);
		if (yes)
			return true;
		usleep(100000);
	}
	return false;
}

/* Start ktriage in a detached tmux session on socket @sock. */
static void tmux_start(const char *sock, const char *dump_name)
{
	char cmd[4096], *dump = kt_test_dump_path(dump_name, ".kdump");

	snprintf(cmd, sizeof(cmd), "tmux -S /tmp/%s.sock -f /dev/null new -d -s kt -x 100 "
		 "-y 30 'env TERM=xterm HOME=/nonexistent %s %s %s -m %s/modules "
		 "--case /tmp/%s.ktriage; echo KT-EXIT=$?; sleep 30'", sock,
		 kt_test_env("KT_BINARY"), dump, kt_test_env("KT_VMLINUX"),
		 kt_test_env("KT_FIXTURES"), sock);
	cr_assert_eq(system(cmd), 0);
	free(dump);
}

static void tmux_stop(const char *sock)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tmux -S /tmp/%s.sock kill-server; rm -f "
		 "/tmp/%s.ktriage /tmp/%s.sock", sock, sock, sock);
	system(cmd);
}

/* The alternate screen is left: the shell's screen is back. */
static void expect_restored(const char *sock)
{
	char cmd[256], *out;

	snprintf(cmd, sizeof(cmd), "tmux -S /tmp/%s.sock display -p -t kt "
		 "'#{alternate_on}'", sock);
	out = sh(cmd);
	cr_expect_str_eq(out, "0\n");
	free(out);
}

Test(tui, tmux_session)
{
	char sock[32], cmd[256];

	if (system("command -v tmux >/dev/null 2>&1"))
		cr_skip_test("tmux is not installed");
	snprintf(sock, sizeof(sock), "kt-test-%d", getpid());
	tmux_start(sock, "hctx-fq");
	cr_expect(pane_shows(sock, "PANIC:   BUG: unable to handle page fault"));
	snprintf(cmd, sizeof(cmd), "tmux -S /tmp/%s.sock send-keys -t kt 2", sock);
	system(cmd);
	cr_expect(pane_shows(sock, "#0  blk_free_flush_queue+0xe"));
	snprintf(cmd, sizeof(cmd), "tmux -S /tmp/%s.sock send-keys -t kt q", sock);
	system(cmd);
	cr_expect(pane_shows(sock, "KT-EXIT=0"));
	expect_restored(sock);
	tmux_stop(sock);
}

/* SIGTERM (a closed ssh session, kill) restores the terminal too. */
Test(tui, tmux_sigterm_restores_the_terminal)
{
	char sock[32], cmd[512];

	if (system("command -v tmux >/dev/null 2>&1"))
		cr_skip_test("tmux is not installed");
	snprintf(sock, sizeof(sock), "kt-term-%d", getpid());
	tmux_start(sock, "sysrq-null");
	cr_expect(pane_shows(sock, "PANIC:   Kernel panic"));
	snprintf(cmd, sizeof(cmd), "pkill -TERM -P \"$(tmux -S /tmp/%s.sock display -p "
		 "-t kt '#{pane_pid}')\" -x ktriage", sock);
	system(cmd);
	cr_expect(pane_shows(sock, "KT-EXIT=143"));
	expect_restored(sock);
	tmux_stop(sock);
}
