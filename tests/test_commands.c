// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every batch command on every dump of every kernel (the shared 6.1 dumps
 * and each kernel of the matrix), checked against facts that do not come
 * from ktriage: the call trace the kernel itself printed on the console
 * (it is in the dump's log), the task list, the symbol table and the
 * module list.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/helpers.h"

#define MAX_NAMES 128

struct names {
	char v[MAX_NAMES][96];
	uint64_t start[MAX_NAMES];	/* the function's address, or 0 */
	size_t n;
};

/* ktriage on one dump of @name, with its module debuginfo. */
static struct kt_run run(const char *name, const char *const *cmds,
			 bool json)
{
	char *dump = kt_test_dump_path(name, ".kdump");
	char *mods = kt_test_moddir(name);
	const char *argv[2 * MAX_NAMES + 8] = { dump, kt_test_vmlinux(name),
				     "-m", mods };
	size_t n = 4;
	struct kt_run r;

	if (json)
		argv[n++] = "--json";
	for (size_t i = 0; cmds[i] && n < 2 * MAX_NAMES + 6; i++) {
		argv[n++] = "-c";
		argv[n++] = cmds[i];
	}
	argv[n] = NULL;
	r = kt_test_run(argv);
	free(dump);
	free(mods);
	return r;
}

static cJSON *run_json(const char *name, const char *cmd)
{
	const char *cmds[] = { cmd, NULL };
	struct kt_run r = run(name, cmds, true);
	cJSON *doc;

	cr_assert_eq(r.status, 0, "%s: %s: %s", name, cmd, r.err);
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc, "%s: %s: not JSON", name, cmd);
	kt_run_free(&r);
	return doc;
}

/* A function name as kallsyms and DWARF both spell it: "foo.cold" is foo. */
static void base_name(char *dst, size_t size, const char *s, size_t len)
{
	size_t n = strcspn(s, ".+ ");

	if (n > len)
		n = len;
	snprintf(dst, size, "%.*s", (int)n, s);
}

/* ---- the console's call trace, from the log ---- */

/* A log line without its "[ time] " and "[  T12] " prefixes. */
static const char *strip_prefixes(const char *line)
{
	for (int i = 0; i < 2 && line[0] == '['; i++) {
		const char *e = strchr(line, ']');

		if (!e)
			break;
		line = e + 1;
		if (*line == ' ')
			line++;
	}
	return line;
}

/*
 * The reliable entries ("? " ones are guesses) of the last call trace the
 * kernel printed for @pid on @cpu: the one after its "CPU: N ... PID: P"
 * header (an oops, a panic, a lockup report). A trace of guesses only (the
 * kernel's unwinder lost its way: a jump into data) gives its guesses.
 */
static bool console_trace(const char *dmesg, int cpu, int pid,
			  struct names *ret, bool *guessed)
{
	char *copy = strdup(dmesg), *save = NULL;
	bool armed = false, in = false, found = false;
	static struct names cur, guess;

	cr_assert_not_null(copy);
	ret->n = cur.n = guess.n = 0;
	for (char *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		const char *s = strip_prefixes(l), *c, *p;

		c = strstr(s, "CPU: ");
		p = strstr(s, " PID: ");
		if (c == s && p) {
			armed = atoi(c + 5) == cpu && atoi(p + 6) == pid;
			in = false;
			continue;
		}
		if (!strcmp(s, "Call Trace:")) {
			in = armed;
			armed = false;
			if (in) {
				cur.n = guess.n = 0;
				found = true;
			}
			continue;
		}
		if (!in)
			continue;
		while (*s == ' ')
			s++;
		if (!strncmp(s, "? ", 2) && strstr(s, "+0x") &&
		    strncmp(s + 2, "__pfx_", 6)) {
			// a guess: kept for a trace that has nothing else
			// (7.2's after a jump into data), not __pfx_ padding
			if (guess.n < MAX_NAMES)
				base_name(guess.v[guess.n++],
					  sizeof(guess.v[0]), s + 2,
					  strlen(s + 2));
			continue;
		}
		if (*s == '<' || !strncmp(s, "? ", 2))
			continue;	// <IRQ>, </TASK>; an unreliable entry
		// where an exception or interrupt stopped the code beneath
		if (!strncmp(s, "RIP: 0010:", 10) && strstr(s, "+0x"))
			s += 10;
		else if (!strncmp(s, "RIP: ", 5))
			continue;
		if (!strstr(s, "+0x") || !strstr(s, "/0x")) {
			// register dumps of an exception frame inside the trace
			if (strncmp(s, "Code:", 5) &&
			    strncmp(s, "RSP:", 4) && strncmp(s, "RAX:", 4) &&
			    strncmp(s, "RDX:", 4) && strncmp(s, "RBP:", 4) &&
			    strncmp(s, "R10:", 4) && strncmp(s, "R13:", 4) &&
			    strncmp(s, "R8:", 3) && strncmp(s, "R11:", 4) &&
			    strncmp(s, "R14:", 4) && strncmp(s, "FS:", 3) &&
			    strncmp(s, "CS:", 3) && strncmp(s, "CR2:", 4) &&
			    strncmp(s, "DR", 2) && strncmp(s, "PKRU:", 5) &&
			    strncmp(s, "ORIG_RAX", 8))
				in = false;	// the trace has ended
			continue;
		}
		if (cur.n < MAX_NAMES)
			base_name(cur.v[cur.n++], sizeof(cur.v[0]), s,
				  strlen(s));
	}
	free(copy);
	*ret = cur.n ? cur : guess;
	*guessed = !cur.n;
	return found;
}

/* Every function of a task's backtrace, inlined ones too, outermost last. */
static void bt_functions(const cJSON *task, struct names *ret)
{
	const cJSON *seg, *fr;

	ret->n = 0;
	cJSON_ArrayForEach(seg, kt_test_get((cJSON *)task, "segments")) {
		cJSON_ArrayForEach(fr, kt_test_get((cJSON *)seg, "frames")) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(fr,
								"function");

			const cJSON *pc = cJSON_GetObjectItemCaseSensitive(fr,
									  "pc");
			const cJSON *off = cJSON_GetObjectItemCaseSensitive(fr,
								"offset");

			if (!cJSON_IsString(f) || ret->n == MAX_NAMES)
				continue;
			ret->start[ret->n] = 0;
			if (cJSON_IsString(pc) && cJSON_IsNumber(off) &&
			    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fr,
								"inlined")))
				ret->start[ret->n] = strtoull(pc->valuestring,
							      NULL, 16) -
						     (uint64_t)off->valuedouble;
			base_name(ret->v[ret->n++], sizeof(ret->v[0]),
				  f->valuestring, strlen(f->valuestring));
		}
	}
}

/*
 * The address of each console name: several names can share one address
 * (5.10's asm_call_on_stack is asm_call_irq_on_stack too), and the
 * kernel's kallsyms and bt may pick different ones.
 */
#define RESOLVE_CHUNK 25	/* kt_test_run() passes at most 63 arguments */

static void resolve(const char *name, struct names *con)
{
	for (size_t from = 0; from < con->n; from += RESOLVE_CHUNK) {
		size_t to = from + RESOLVE_CHUNK < con->n ?
			    from + RESOLVE_CHUNK : con->n;
		const char *cmds[RESOLVE_CHUNK + 1];
		char *bufs[RESOLVE_CHUNK];
		const char *at;
		struct kt_run r;

		for (size_t i = from; i < to; i++) {
			cr_assert(asprintf(&bufs[i - from], "sym %s",
					   con->v[i]) > 0);
			cmds[i - from] = bufs[i - from];
		}
		cmds[to - from] = NULL;
		r = run(name, cmds, true);
		// One JSON array a command; a failed one gives {"error"}
		// and [].
		at = r.out;
		for (size_t i = from; i < to; i++) {
			cJSON *doc = cJSON_ParseWithOpts(at, &at, false);
			cJSON *sym = cJSON_GetArrayItem(doc, 0);

			cr_assert_not_null(doc, "%s: sym output", name);
			con->start[i] = 0;
			if (cJSON_IsObject(doc)) {
				cJSON_Delete(doc);
				doc = cJSON_ParseWithOpts(at, &at, false);
			} else if (sym) {
				con->start[i] =
					kt_test_hex(kt_test_get(sym, "start"));
			}
			cJSON_Delete(doc);
			free(bufs[i - from]);
		}
		kt_run_free(&r);
	}
}

static bool same_function(const struct names *con, size_t i,
			  const struct names *k, size_t j)
{
	return !strcmp(con->v[i], k->v[j]) ||
	       (con->start[i] && con->start[i] == k->start[j]);
}

static void join(const struct names *n, size_t from, char *buf, size_t size)
{
	buf[0] = 0;
	for (size_t i = from; i < n->n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
			 i > from ? " " : "", n->v[i]);
}

ParameterizedTestParameters(commands, bt_follows_the_console_call_trace)
{
	KT_ALL_DUMP_PARAMS();
}

/*
 * The kernel unwound the panic task's stack itself when it printed its
 * oops or panic: `bt` must find each of those callers, in that order.
 * The console's first entries can be callees that had returned before the
 * crash (dump_stack_lvl under panic()): at most two are let go.
 */
ParameterizedTest(struct kt_dump_param *p, commands,
		  bt_follows_the_console_call_trace)
{
	char *path = kt_test_dump_path(p->name, ".dmesg.txt");
	char *dmesg = kt_test_slurp(path, NULL);
	cJSON *sys = run_json(p->name, "sys"), *bt = run_json(p->name, "bt");
	cJSON *pt = kt_test_get(sys, "panic_task");
	int pid = kt_test_get(pt, "pid")->valueint;
	int cpu = kt_test_get(pt, "cpu")->valueint;
	struct names con, k;
	size_t i = 0, j = 0, skipped;
	char want[2048], got[2048];
	bool guessed;

	cr_assert_not_null(dmesg);
	cr_assert(console_trace(dmesg, cpu, pid, &con, &guessed),
		  "%s: the log has no call trace of pid %d on CPU %d",
		  p->name, pid, cpu);
	cr_assert_geq(con.n, guessed ? 2 : 3, "%s: a short console trace",
		      p->name);
	cr_assert_eq(cJSON_GetArraySize(bt), 1);
	bt_functions(cJSON_GetArrayItem(bt, 0), &k);
	resolve(p->name, &con);
	// The first console entry bt has
	for (skipped = 0; skipped < con.n; skipped++) {
		bool have = false;

		for (size_t x = 0; x < k.n && !have; x++)
			have = same_function(&con, skipped, &k, x);
		if (have)
			break;
	}
	join(&con, 0, want, sizeof(want));
	join(&k, 0, got, sizeof(got));
	if (guessed) {
		// Guesses may hold stale words (6.1's nx has a
		// kthread_complete_and_exit): bt must have no caller that is
		// not among them, in their order, and at least two.
		size_t named = 0;

		for (i = 0, j = 0; j < k.n; j++) {
			size_t x = i;

			while (x < con.n && !same_function(&con, x, &k, j))
				x++;
			if (x < con.n) {
				i = x + 1;
				named++;
			} else {
				cr_expect(false, "%s: bt has '%s', no guess of "
					  "the console does (console: %s; bt: "
					  "%s)", p->name, k.v[j], want, got);
			}
		}
		cr_expect_geq(named, 2, "%s: console %s; bt %s", p->name, want,
			      got);
		goto out;
	}
	cr_expect_leq(skipped, 2, "%s: console %s; bt %s", p->name, want, got);
	for (i = skipped; i < con.n; i++) {
		while (j < k.n && !same_function(&con, i, &k, j))
			j++;
		if (j == k.n)
			break;
		j++;
	}
	cr_expect_eq(i, con.n, "%s: bt lacks '%s' (console: %s; bt: %s)",
		     p->name, i < con.n ? con.v[i] : "", want, got);
out:
	cJSON_Delete(sys);
	cJSON_Delete(bt);
	free(dmesg);
	free(path);
}

ParameterizedTestParameters(commands, bt_a_and_foreach_bt)
{
	KT_DUMP_PARAMS();
}

/* bt -a: each CPU's active task; foreach bt: every task, each unwound. */
ParameterizedTest(struct kt_dump_param *p, commands, bt_a_and_foreach_bt)
{
	cJSON *sys = run_json(p->name, "sys"), *ps = run_json(p->name, "ps");
	cJSON *all = run_json(p->name, "bt -a");
	cJSON *each = run_json(p->name, "foreach bt"), *t;
	int cpus = kt_test_get(sys, "cpus")->valueint, unwound = 0;

	unsigned seen = 0;

	cr_expect_eq(cJSON_GetArraySize(all), cpus, "%s", p->name);
	cJSON_ArrayForEach(t, all)
		seen |= 1u << (kt_test_get(t, "cpu")->valueint & 31);
	cr_expect_eq(seen, (1u << cpus) - 1, "%s: bt -a CPUs 0x%x", p->name,
		     seen);
	cr_expect_eq(cJSON_GetArraySize(each), cJSON_GetArraySize(ps),
		     "%s: foreach bt gives %d tasks, ps %d", p->name,
		     cJSON_GetArraySize(each), cJSON_GetArraySize(ps));
	cJSON_ArrayForEach(t, each) {
		struct names k;

		bt_functions(t, &k);
		// A sleeping task's trace reaches its entry: kernel threads
		// end in ret_from_fork, user tasks in the syscall entry.
		if (k.n >= 2)
			unwound++;
	}
	cr_expect_geq(unwound, cJSON_GetArraySize(ps) - cpus,
		      "%s: only %d of %d tasks unwound past one frame",
		      p->name, unwound, cJSON_GetArraySize(ps));
	cJSON_Delete(sys);
	cJSON_Delete(ps);
	cJSON_Delete(all);
	cJSON_Delete(each);
}

ParameterizedTestParameters(commands, bt_flv_and_sym)
{
	KT_DUMP_PARAMS();
}

/*
 * bt -l gives each kernel frame a source line; bt -f the words of each
 * frame; sym of each frame's pc names the frame's function.
 */
ParameterizedTest(struct kt_dump_param *p, commands, bt_flv_and_sym)
{
	const char *cmds[] = { "bt -l", NULL };
	struct kt_run r = run(p->name, cmds, false);
	cJSON *f = run_json(p->name, "bt -f"), *seg, *fr;
	int words = 0, frames = 0, checked = 0;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, ".c: ") || strstr(r.out, ".h: ") ||
		  strstr(r.out, ".S: "), "%s: bt -l has no source line",
		  p->name);
	cJSON_ArrayForEach(seg, kt_test_get(cJSON_GetArrayItem(f, 0),
					    "segments")) {
		cJSON_ArrayForEach(fr, kt_test_get(seg, "frames")) {
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(fr,
								  "words");
			const cJSON *fn = cJSON_GetObjectItemCaseSensitive(fr,
								"function");
			const cJSON *pc = cJSON_GetObjectItemCaseSensitive(fr,
								"pc");
			const cJSON *inl = cJSON_GetObjectItemCaseSensitive(fr,
								"inlined");

			frames++;
			words += cJSON_GetArraySize(w);
			if (cJSON_IsTrue(inl) || !cJSON_IsString(fn) ||
			    !cJSON_IsString(pc) || checked >= 4)
				continue;
			// A caller's pc is a return address, which may be
			// past the function's end (a call to a noreturn
			// function): the call is the byte before.
			uint64_t at = strtoull(pc->valuestring, NULL, 16);
			char *cmd;

			if (frames > 1 && !cJSON_IsTrue(
				cJSON_GetObjectItemCaseSensitive(fr,
							"interrupted")))
				at--;
			cr_assert(asprintf(&cmd, "sym %" PRIx64, at) > 0);
			const char *sc[] = { cmd, NULL };
			struct kt_run s = run(p->name, sc, false);
			char want[128];

			base_name(want, sizeof(want), fn->valuestring,
				  strlen(fn->valuestring));
			cr_expect(s.status == 0 && strstr(s.out, want),
				  "%s: sym %s: %s%s (frame says %s)", p->name,
				  pc->valuestring, s.out, s.err,
				  fn->valuestring);
			checked++;
			kt_run_free(&s);
			free(cmd);
		}
	}
	cr_expect_geq(frames, 2, "%s", p->name);
	cr_expect_geq(words, frames, "%s: bt -f: %d words in %d frames",
		      p->name, words, frames);
	cr_expect_geq(checked, 1, "%s", p->name);
	kt_run_free(&r);
	cJSON_Delete(f);
}

ParameterizedTestParameters(commands, memory_commands)
{
	KT_DUMP_PARAMS();
}

static char *printf_alloc(const char *fmt, const char *a)
{
	char *s;

	cr_assert(asprintf(&s, fmt, a) > 0);
	return s;
}

/*
 * On the panic task: kmem names its task_struct, struct and p read its
 * pid and comm as sys has them, rd -S of its stack names its callers,
 * search finds its address in memory, dis -l disassembles with source
 * lines, files lists its root (foreach files every task's), kmem -s has
 * the caches every kernel has, bt -v its variables.
 */
ParameterizedTest(struct kt_dump_param *p, commands, memory_commands)
{
	cJSON *sys = run_json(p->name, "sys");
	cJSON *pt = kt_test_get(sys, "panic_task");
	const char *task = kt_test_get(pt, "task")->valuestring;
	const char *comm = kt_test_get(pt, "comm")->valuestring;
	int pid = kt_test_get(pt, "pid")->valueint;
	char *kmem = printf_alloc("kmem %s", task);
	char *st = printf_alloc("struct task_struct.pid,comm %s", task);
	char *pp = printf_alloc("p ((struct task_struct *)%s)->pid", task);
	char *search = printf_alloc("search -k -l 4 %s", task);
	char *files = printf_alloc("files %s", task);
	cJSON *bt = run_json(p->name, "bt");
	cJSON *f0 = cJSON_GetArrayItem(kt_test_get(cJSON_GetArrayItem(
		kt_test_get(cJSON_GetArrayItem(bt, 0), "segments"), 0),
		"frames"), 0);
	char *rd = printf_alloc("rd -S %s 128",
				kt_test_get(f0, "sp")->valuestring);
	const char *cmds[] = { kmem, st, pp, search, files,
			       "p init_task.comm", "dis -l schedule 4", rd,
			       "kmem -s", "foreach files", "bt -v", NULL };
	struct kt_run r = run(p->name, cmds, false);
	struct names k;
	bool named = false;
	char want[96];

	cr_assert_eq(r.status, 0, "%s: %s", p->name, r.err);
	cr_expect(strstr(r.out, "task_struct"), "%s: kmem of the task: %s",
		  p->name, r.out);
	snprintf(want, sizeof(want), "pid = %d", pid);
	cr_expect(strstr(r.out, want), "%s: struct: no '%s'", p->name, want);
	snprintf(want, sizeof(want), "comm = \"%s", comm);
	cr_expect(strstr(r.out, want), "%s: struct: no '%s'", p->name, want);
	snprintf(want, sizeof(want), "->pid = %d", pid);
	cr_expect(strstr(r.out, want), "%s: p: no '%s'", p->name, want);
	cr_expect(strstr(r.out, "init_task.comm = \"swapper/0\""), "%s",
		  p->name);
	cr_expect(strstr(r.out, "ROOT: /"), "%s: files", p->name);
	// foreach files: every task with a files_struct; init's fd 0 at least
	cr_expect(strstr(r.out, "COMMAND: \"init\""), "%s: foreach files",
		  p->name);
	// bt -v: the panic task's frames have DWARF variables
	cr_expect(strstr(r.out, "    param ") || strstr(r.out, "    local "),
		  "%s: bt -v shows no variable", p->name);
	// dis -l: an instruction of schedule with its source file
	cr_expect(strstr(r.out, "kernel/sched/core.c"), "%s: dis -l",
		  p->name);
	// kmem -s: the caches every kernel has
	cr_expect(strstr(r.out, " task_struct\n") &&
		  strstr(r.out, " kmalloc-64\n"), "%s: kmem -s", p->name);
	// rd -S on the stack: return addresses into the callers bt shows
	bt_functions(cJSON_GetArrayItem(bt, 0), &k);
	for (size_t i = 1; i < k.n && !named; i++) {
		snprintf(want, sizeof(want), " %s+", k.v[i]);
		named = strstr(r.out, want);
	}
	cr_expect(named, "%s: rd -S names none of bt's callers", p->name);
	// search: the task is on lists, so its address is in memory
	cr_expect(strstr(r.out, task + 2), "%s: search", p->name);
	cr_expect(!strstr(r.out, "ktriage:"), "%s", p->name);
	cr_expect(!r.err[0] || !strstr(r.err, "ktriage: "), "%s: %s", p->name,
		  r.err);
	kt_run_free(&r);
	cJSON_Delete(sys);
	cJSON_Delete(bt);
	free(rd);
	free(kmem);
	free(st);
	free(pp);
	free(search);
	free(files);
}
