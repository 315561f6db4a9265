// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `cmake --install` into a temporary root (DESTDIR, --prefix /usr), and what
 * a user does with what it installed: the binary runs, `man -l` shows the
 * page with every option and command the binary has, bash completes the
 * options and commands, and an external plugin builds with `pkg-config
 * --cflags ktriage-plugin` from the installed example and runs on a shared
 * dump. The default ktriagerc in assets/ is exactly the compiled-in
 * bindings; the colour themes are where `theme NAME` finds them.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/tui_keys.h"
#include "tests/helpers.h"

#ifndef KT_BUILD_DIR
#error "KT_BUILD_DIR: the build tree to install from"
#endif

static char root[64];

/* Run @cmd with sh; its stdout and stderr, and its exit status. */
static char *sh(int *status, const char *fmt, ...)
{
	char *cmd, *out = NULL;
	size_t size = 0, n;
	char buf[4096];
	va_list ap;
	FILE *p, *m;
	int r;

	va_start(ap, fmt);
	cr_assert(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	m = open_memstream(&out, &size);
	cr_assert_not_null(m);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, m);
	r = pclose(p);
	fclose(m);
	if (status)
		*status = WIFEXITED(r) ? WEXITSTATUS(r) : -1;
	free(cmd);
	return out;
}

static void install(void)
{
	int status;
	char *out;

	snprintf(root, sizeof(root), "/tmp/kt-install-%d", (int)getpid());
	out = sh(&status, "rm -rf %s && DESTDIR=%s cmake --install '%s' "
		 "--prefix /usr 2>&1", root, root, KT_BUILD_DIR);
	cr_assert_eq(status, 0, "cmake --install: %s", out);
	free(out);
}

static void uninstall(void)
{
	free(sh(NULL, "rm -rf %s", root));
}

static bool installed(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* The command words `help` lists: the first word of each line. */
static char *help_words(void)
{
	char *help = sh(NULL, "'%s/usr/bin/ktriage' '%s/dumps/sysrq-null.kdump'"
			" '%s' -c help 2>&1 | awk '{print $1}' | sort -u | "
			"tr '\\n' ' '", root, kt_test_env("KT_FIXTURES"),
			kt_test_env("KT_VMLINUX"));

	cr_assert(strstr(help, "sys ") && strstr(help, "kmem "), "%s", help);
	return help;
}

TestSuite(install, .init = install, .fini = uninstall);

Test(install, puts_each_file_in_its_place)
{
	static const char *const files[] = {
		"/usr/bin/ktriage",
		"/usr/share/man/man1/ktriage.1",
		"/usr/share/man/man7/ktriage-plugin.7",
		"/usr/share/ktriage/ktriagerc",
		"/usr/share/ktriage/themes/default.theme",
		"/usr/share/ktriage/themes/light.theme",
		"/usr/share/ktriage/themes/solarized-dark.theme",
		"/usr/share/ktriage/themes/high-contrast.theme",
		"/usr/share/bash-completion/completions/ktriage",
		"/usr/include/ktriage/plugin.h",
		"/usr/share/pkgconfig/ktriage-plugin.pc",
		"/usr/share/doc/ktriage/examples/taint.c",
	};
	char *out;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		cr_expect(installed(files[i]), "%s%s", root, files[i]);
	out = sh(NULL, "%s/usr/bin/ktriage --version", root);
	cr_expect(!strncmp(out, "ktriage ", 8), "%s", out);
	free(out);
}

/* Every option of --help and every command of `help` is in the page. */
Test(install, man_page_covers_every_option_and_command)
{
	char *page = sh(NULL, "MANWIDTH=200 man -l %s/usr/share/man/man1/"
			"ktriage.1 2>&1", root);
	char *opts = sh(NULL, "'%s/usr/bin/ktriage' --help | grep -o -- "
			"'--[a-z-]*' | sort -u | tr '\\n' ' '", root);
	char *words = help_words(), *save = NULL;

	for (const char *s = "NAME\0SYNOPSIS\0OPTIONS\0COMMANDS\0EXIT STATUS\0"
			     "FILES\0ENVIRONMENT\0EXAMPLES\0"; *s;
	     s += strlen(s) + 1)
		cr_expect(strstr(page, s), "no section %s", s);
	for (char *w = strtok_r(opts, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		cr_expect(strstr(page, w), "the page lacks option %s", w);
	for (char *w = strtok_r(words, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char want[64];

		snprintf(want, sizeof(want), "\n       %s", w);
		cr_expect(strstr(page, want), "the page lacks command %s", w);
	}
	free(page);
	free(opts);
	free(words);
}

/* bash completes options, and after -c the commands `help` lists. */
Test(install, bash_completes_options_and_commands)
{
	static const char prog[] =
		"source /usr/share/bash-completion/bash_completion; "
		"source %s/usr/share/bash-completion/completions/ktriage; "
		"COMP_WORDS=(ktriage %s); COMP_CWORD=%d; "
		"COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; "
		"_ktriage; printf '%%s ' \"${COMPREPLY[@]}\"";
	char *opts, *cmds, *words = help_words(), *save = NULL;

	{
		char script[1024];

		snprintf(script, sizeof(script), prog, root, "--no", 1);
		opts = sh(NULL, "bash -c \"$(cat <<'EOF'\n%s\nEOF\n)\"",
			  script);
		snprintf(script, sizeof(script), prog, root, "-c ''", 2);
		cmds = sh(NULL, "bash -c \"$(cat <<'EOF'\n%s\nEOF\n)\"",
			  script);
	}
	cr_expect(strstr(opts, "--no-tui ") && strstr(opts, "--no-std-modules"),
		  "%s", opts);
	for (char *w = strtok_r(words, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char want[64];

		snprintf(want, sizeof(want), "%s ", w);
		cr_expect(strstr(cmds, want), "no completion of command %s "
			  "(got: %s)", w, cmds);
	}
	free(opts);
	free(cmds);
	free(words);
}

/* The installed example plugin builds with pkg-config and runs. */
Test(install, plugin_builds_with_pkg_config_and_runs)
{
	int status;
	char *out = sh(&status, "set -e; d=%s; mkdir -p $d/plugins; "
		       "cflags=$(PKG_CONFIG_PATH=$d/usr/share/pkgconfig "
		       "pkg-config --define-variable=prefix=$d/usr --cflags "
		       "ktriage-plugin); cc -shared -fPIC $cflags -o "
		       "$d/plugins/taint.so "
		       "$d/usr/share/doc/ktriage/examples/taint.c 2>&1; "
		       "echo \"cflags: $cflags\"; "
		       "$d/usr/bin/ktriage --plugin-dir $d/plugins "
		       "'%s/dumps/list-poison.kdump' '%s' -c 'findings taint'"
		       " 2>&1", root, kt_test_env("KT_FIXTURES"),
		       kt_test_env("KT_VMLINUX"));

	cr_expect_eq(status, 0, "%s", out);
	cr_expect(strstr(out, "-I/tmp/kt-install-"), "%s", out);
	// list-poison's kernel was tainted by its out-of-tree module
	cr_expect(strstr(out, "taint:") && strstr(out, "out-of-tree"), "%s",
		  out);
	free(out);
}

/* assets/ktriagerc, installed as the documented defaults, is them. */
Test(install, default_ktriagerc_is_the_compiled_in_bindings)
{
	char *text = kt_test_slurp(KT_SOURCE_DIR "/assets/ktriagerc", NULL);
	struct kt_keymap defaults, file;

	cr_assert_not_null(text);
	kt_keymap_load(&defaults, "/nonexistent/ktriagerc", 0);
	memset(&file, 0, sizeof(file));
	kt_keymap_parse(&file, text, "assets/ktriagerc");
	cr_expect_null(file.errors, "%s", file.errors);
	for (int k = 0; k < KT_TUI_MAX_KEY; k++)
		cr_expect_eq(file.action[k], defaults.action[k],
			     "key %d: %d in assets/ktriagerc, %d compiled in",
			     k, file.action[k], defaults.action[k]);
	kt_keymap_deinit(&defaults);
	kt_keymap_deinit(&file);
	free(text);
}

/*
 * Every theme of assets/themes is installed where `theme NAME` looks (the
 * compiled-in directory is DATADIR/ktriage/themes; the root stands in for
 * it through $KTRIAGE_THEME_PATH) and loads without an error.
 */
Test(install, themes_are_installed_where_theme_finds_them)
{
	char dir[128], *want, *got, *save = NULL;
	const char *end = "/share/ktriage/themes";

	snprintf(dir, sizeof(dir), "%s/usr%s", root, end);
	cr_assert_eq(setenv("KTRIAGE_THEME_PATH", dir, 1), 0);
	cr_assert_eq(setenv("HOME", "/nonexistent", 1), 0);
	cr_expect_str_eq(kt_theme_dir() + strlen(kt_theme_dir()) - strlen(end),
			 end);
	want = sh(NULL, "cd '%s/assets/themes' && ls *.theme | tr '\n' ' '",
		  KT_SOURCE_DIR);
	got = sh(NULL, "cd '%s' && ls | tr '\n' ' '", dir);
	cr_expect_str_eq(got, want);
	cr_expect(strstr(got, "default.theme") && strstr(got, "light.theme"),
		  "%s", got);
	for (char *w = strtok_r(got, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char line[128], path[256], why[512];
		struct kt_keymap km;

		*strstr(w, ".theme") = 0;
		cr_expect(kt_theme_find(w, path, sizeof(path), why, sizeof(why))
			  && !strncmp(path, dir, strlen(dir)), "%s: %s", w, why);
		kt_keymap_load(&km, "/nonexistent/ktriagerc", 256);
		snprintf(line, sizeof(line), "theme %s\n", w);
		kt_keymap_parse(&km, line, "ktriagerc");
		cr_expect_null(km.errors, "%s", km.errors);
		kt_keymap_deinit(&km);
	}
	free(want);
	free(got);
}

/*
 * debian/: dpkg-buildpackage builds the .deb from a copy of the source
 * (about 20 s); extracted into a temporary root, its ktriage runs, its page
 * reads with man -l and it opens a shared dump. Depends come from the
 * libraries the binary links.
 */
Test(deb, builds_and_runs_from_its_files, .timeout = 900)
{
	int status;
	char dir[64], *out;

	snprintf(dir, sizeof(dir), "/tmp/kt-deb-%d", (int)getpid());
	out = sh(&status, "set -e; d=%s; rm -rf $d; mkdir -p $d/src $d/root; "
		 "cd '%s'; git ls-files -co --exclude-standard | "
		 "tar -T - -cf - | tar -xf - -C $d/src; cd $d/src; "
		 "dpkg-buildpackage -us -uc -b -j2 > $d/build.log 2>&1 || "
		 "{ tail -30 $d/build.log; exit 1; }; "
		 "dpkg-deb -x $d/ktriage_*_amd64.deb $d/root; "
		 "dpkg-deb -f $d/ktriage_*_amd64.deb Depends", dir,
		 KT_SOURCE_DIR);
	cr_assert_eq(status, 0, "%s", out);
	cr_expect(strstr(out, "libkdumpfile") && strstr(out, "libdw1") &&
		  strstr(out, "libsqlite3"), "Depends: %s", out);
	free(out);
	out = sh(&status, "%s/root/usr/bin/ktriage --version", dir);
	cr_expect(status == 0 && !strncmp(out, "ktriage ", 8), "%s", out);
	free(out);
	out = sh(&status, "MANWIDTH=100 man -l %s/root/usr/share/man/man1/"
		 "ktriage.1.gz 2>&1", dir);
	cr_expect(status == 0 && strstr(out, "EXIT STATUS"), "%s", out);
	free(out);
	out = sh(&status, "%s/root/usr/bin/ktriage '%s/dumps/list-poison.kdump'"
		 " '%s' -c sys 2>&1", dir, kt_test_env("KT_FIXTURES"),
		 kt_test_env("KT_VMLINUX"));
	cr_expect(status == 0 && strstr(out, "PANIC: \"general protection "
					  "fault"), "%s", out);
	free(out);
	for (const char *f = "/usr/share/ktriage/ktriagerc\0/usr/share/"
			     "ktriage/themes/default.theme\0/usr/share/"
			     "bash-completion/completions/ktriage\0/usr/share/"
			     "pkgconfig/ktriage-plugin.pc\0"; *f;
	     f += strlen(f) + 1) {
		char path[256];

		snprintf(path, sizeof(path), "%s/root%s", dir, f);
		cr_expect_eq(access(path, R_OK), 0, "%s", path);
	}
	free(sh(NULL, "rm -rf %s", dir));
}
