// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTML case report in a real browser. Debian's chromium, headless,
 * renders the page of a shared dump's case and hands back its DOM
 * (--dump-dom): it must hold the findings of the JSON report of the same
 * case, the panic backtrace with its registers, every revision of the
 * notes and the verdicts with their authors. A case and a dump full of
 * markup must stay text: the DOM then holds only the elements and
 * attributes the page writes, and the title that a payload would change
 * is the page's own.
 *
 * Without chromium these tests fail, saying to install it: a browser test
 * that skips proves nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/html.h"
#include "app/report_html.h"
#include "tests/helpers.h"
#include "tests/run.h"

#define DUMP "list-poison"
/* What every payload does if it runs: the page's title is the witness. */
#define PWNED "KT-PWNED"
#define SCRIPT "<script>document.title='" PWNED "'</script>"
#define IMG "<img src=x onerror=\"document.title='" PWNED "'\">"
#define SVG "<svg onload=\"document.title='" PWNED "'\"></svg>"

static char *dir;

static void make_dir(void)
{
	dir = kt_test_mkdtemp("html");
}

static void remove_dir(void)
{
	kt_test_rmtree(dir);
	free(dir);
}

TestSuite(report_html, .init = make_dir, .fini = remove_dir);

static char *in_dir(const char *name)
{
	char *p;

	cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

/* kt_html_escape() of @s, as a new string. */
static char *escaped(const char *s)
{
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);

	cr_assert_not_null(fp);
	kt_html_escape(fp, s);
	cr_assert_eq(fclose(fp), 0);
	return text;
}

Test(report_html, escape_makes_markup_and_control_bytes_inert)
{
	char *s = escaped("a&b<c>d\"e'f\x01g\x1b[31mh\x7f\xc2\x9b\xff"
			  "\xc3\xa9\tx\ny\xe2\x80\xaez");

	cr_expect_str_eq(s, "a&amp;b&lt;c&gt;d&quot;e&#39;f\\x01g\\x1b[31mh"
			 "\\x7f\\xc2\\x9b\\xff\xc3\xa9\tx\ny\\u202ez");
	free(s);
}

/* Cut into chunks inside, never within a character. */
Test(report_html, escape_keeps_long_text_whole)
{
	char in[1024] = "", want[2048] = "", *s;

	for (int i = 0; i < 300; i++)
		strcat(in, "\xc3\xa9");
	strcat(want, in);
	strcat(in, "<\xe2\x82\xac");
	strcat(want, "&lt;\xe2\x82\xac");
	s = escaped(in);
	cr_expect_str_eq(s, want);
	free(s);
	s = escaped(in + 1);	// a lone continuation byte first
	cr_expect_eq(strncmp(s, "\\xa9\xc3\xa9", 6), 0, "%.12s", s);
	cr_expect_str_eq(s + 4, want + 2);
	free(s);
}

/* The page sorts again by severity; an unknown one comes last. */
Test(report_html, findings_most_severe_first)
{
	cJSON *doc = cJSON_Parse("{\"findings\": ["
		"{\"severity\": \"info\", \"title\": \"T-info\"},"
		"{\"severity\": \"odd\", \"title\": \"T-odd\"},"
		"{\"severity\": \"critical\", \"title\": \"T-critical\"},"
		"{\"severity\": \"warning\", \"title\": \"T-warning\"},"
		"{\"severity\": \"error\", \"title\": \"T-error\"}]}");
	static const char *const order[] = { "T-critical", "T-error",
		"T-warning", "T-info", "T-odd" };
	char *page = kt_report_html(doc);
	const char *at = page;

	cr_assert_not_null(page);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		at = strstr(at, order[i]);
		cr_expect_not_null(at, "%s out of order", order[i]);
		if (!at)
			break;
	}
	cr_expect_null(strstr(page, "id=\"signature\""), "no signature given");
	free(page);
	cJSON_Delete(doc);
}

/*
 * A document of the wrong shapes (members of other types, numbers out of
 * every range) renders without a fault: the page trusts no member.
 */
Test(report_html, odd_document_renders)
{
	static const char *const docs[] = {
		"{}", "[]", "null",
		"{\"summary\": 5, \"identity\": [], \"findings\": {\"a\": 1},"
		" \"backtrace\": {\"segments\": \"x\"}, \"plugins\": 7,"
		" \"notes\": [{\"revisions\": 3}, 4], \"verdicts\": [1],"
		" \"tags\": \"t\", \"signature\": {\"parts\": [1, null]}}",
		"{\"summary\": {\"crash_time\": 1e300, \"panic_pid\": -1e300},"
		" \"backtrace\": {\"segments\": [{\"frames\": [{\"offset\":"
		" -1e300, \"level\": 1e300, \"regs\": {\"rip\": []},"
		" \"source\": {\"line\": \"x\"}}, 2]}]},"
		" \"findings\": [{\"severity\": 3, \"evidence\": [5, {}],"
		" \"derivation\": [{}]}],"
		" \"notes\": [{\"revisions\": [{\"parent\": 1}, 2]}]}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cJSON *doc = cJSON_Parse(docs[i]);
		char *page;

		cr_assert_not_null(doc, "%zu", i);
		page = kt_report_html(doc);
		cr_expect_not_null(page, "%zu", i);
		cr_expect_not_null(page ? strstr(page, "</html>") : NULL);
		free(page);
		cJSON_Delete(doc);
	}
}

/* ---- chromium ---- */

static const char *chromium(void)
{
	static char found[4096];
	const char *env = getenv("KT_CHROMIUM");
	char *path, *save = NULL;

	if (env && *env) {
		cr_assert_eq(access(env, X_OK), 0, "KT_CHROMIUM=%s is not "
			     "executable", env);
		return env;
	}
	path = strdup(getenv("PATH") ?: "/usr/bin:/bin");
	cr_assert_not_null(path);
	for (char *d = strtok_r(path, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof(found), "%s/chromium", d);
		if (!access(found, X_OK)) {
			free(path);
			return found;
		}
	}
	free(path);
	cr_assert_fail("chromium is not installed: the HTML report is tested "
		       "in a real browser. Install it (Debian: apt install "
		       "chromium; scripts/deps.sh lists it), or point "
		       "KT_CHROMIUM at one");
	return NULL;
}

/*
 * Chromium run headless on the file @page with @what ("--dump-dom" or
 * "--screenshot=PNG"), in a profile of its own; its standard output.
 */
static char *chromium_run(const char *page, const char *what)
{
	char *profile = in_dir("profile"), *url, *pdir, *out;
	const char *argv[] = { "--headless", "--disable-gpu", "--no-sandbox",
		"--no-first-run", "--hide-scrollbars", "--window-size=1200,900",
		NULL, what, NULL, NULL };
	struct kt_limits l = { .program = chromium(), .seconds = 120 };
	struct kt_limited_run r;

	cr_assert_geq(asprintf(&pdir, "--user-data-dir=%s", profile), 0);
	cr_assert_geq(asprintf(&url, "file://%s", page), 0);
	argv[6] = pdir;
	argv[8] = url;
	r = kt_test_run_limited(argv, &l);
	cr_assert_eq(r.run.status, 0, "chromium %s %s: %s", what, page,
		     r.run.err);
	kt_test_rmtree(profile);
	out = r.run.out;
	free(r.run.err);
	free(url);
	free(pdir);
	free(profile);
	return out;
}

/* The page's DOM after chromium rendered it. */
static char *dom_of(const char *page)
{
	char *dom = chromium_run(page, "--dump-dom");

	cr_assert_not_null(strstr(dom, "</html>"), "no DOM: %s", dom);
	return dom;
}

/* @text as the DOM serialiser writes it in an element: & < > escaped. */
static char *as_dom_text(const char *text)
{
	char *out = malloc(strlen(text) * 5 + 1), *o = out;

	cr_assert_not_null(out);
	for (const char *p = text; *p; p++) {
		const char *e = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
				*p == '>' ? "&gt;" : NULL;

		if (e)
			o = stpcpy(o, e);
		else
			*o++ = *p;
	}
	*o = 0;
	return out;
}

static void expect_text(const char *dom, const char *text, const char *what)
{
	char *t = as_dom_text(text);

	cr_expect_not_null(strstr(dom, t), "%s not on the page: %s", what, t);
	free(t);
}

/* The text of the DOM's <title>, as serialised. */
static char *title_of(const char *dom)
{
	const char *a = strstr(dom, "<title>"), *b;

	cr_assert_not_null(a, "no title");
	a += strlen("<title>");
	b = strstr(a, "</title>");
	cr_assert_not_null(b);
	return strndup(a, b - a);
}

static bool listed(const char *const *set, const char *s, size_t n)
{
	for (; *set; set++)
		if (strlen(*set) == n && !strncmp(*set, s, n))
			return true;
	return false;
}

/*
 * Every element and attribute of the DOM is one the page writes. In the
 * serialised DOM every '<' of text is "&lt;" (and the style holds none),
 * so each '<' opens a real tag: nothing from the data became one.
 */
static void expect_only_own_markup(const char *dom)
{
	static const char *const tags[] = { "html", "head", "meta", "title",
		"style", "body", "header", "h1", "h2", "h3", "h4", "div", "nav",
		"a", "section", "table", "tbody", "tr", "th", "td", "article",
		"span", "code", "p", "ol", "li", "strong", "footer", NULL };
	static const char *const attrs[] = { "lang", "charset", "http-equiv",
		"content", "name", "href", "class", "id", "colspan", NULL };
	const char *p = dom;
	size_t n;

	while ((p = strchr(p, '<'))) {
		p++;
		if (*p == '!' || *p == '/')
			continue;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		cr_assert(listed(tags, p, n), "element <%.*s> on the page",
			  (int)n, p);
		// names up to '=', a blank or the end; values in quotes
		for (p += n; *p && *p != '>';) {
			if (*p == '"') {
				p = strchr(p + 1, '"') ?: p + strlen(p) - 1;
				p++;
				continue;
			}
			n = strcspn(p, "= >\"");
			cr_assert(!n || listed(attrs, p, n), "attribute %.*s",
				  (int)n, p);
			p += n ? n : 1;
		}
	}
}

/* The page shows what chromium made of it, not what a payload wanted. */
static void expect_inert(const char *dom)
{
	char *title = title_of(dom);

	cr_expect_eq(strncmp(title, "ktriage report: ", 16), 0, "title %s",
		     title);
	cr_expect_null(strstr(title, PWNED), "a payload ran: title %s", title);
	cr_expect_not_null(strstr(dom, "<meta http-equiv=\"Content-Security-"
		"Policy\" content=\"default-src 'none'; style-src "
		"'unsafe-inline'; img-src data:\">"), "no policy");
	expect_only_own_markup(dom);
	free(title);
}

/*
 * The witness works: in this chromium, a page with the payloads as
 * markup and no policy gets its title changed.
 */
static void expect_payloads_would_run(void)
{
	char *page = in_dir("control.html"), *dom, *title;
	FILE *fp = fopen(page, "w");

	cr_assert_not_null(fp);
	fputs("<!DOCTYPE html><html><head><title>control</title></head>"
	      "<body>" SCRIPT "</body></html>\n", fp);
	cr_assert_eq(fclose(fp), 0);
	dom = dom_of(page);
	title = title_of(dom);
	cr_assert_str_eq(title, PWNED, "the witness does not work: %s", dom);
	free(title);
	free(dom);
	free(page);
}

/* ---- the binary on a shared dump ---- */

/* ktriage on the shared dump with @case_file, @author and @args... */
static char *run(const char *case_file, const char *author,
		 const char *const *args)
{
	char *dump = kt_test_dump_path(DUMP, ".kdump"), mods[4096], *out;
	const char *argv[32] = { dump, kt_test_env("KT_VMLINUX"), "-m", mods,
				 "--case", case_file, "--author", author };
	size_t n = 8;
	struct kt_run r;

	snprintf(mods, sizeof(mods), "%s/modules", kt_test_env("KT_FIXTURES"));
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s: %s", argv[n - 1], r.err);
	out = r.out;
	free(r.err);
	free(dump);
	return out;
}

/* The id of the note `note add` printed ("note UUID added in ..."). */
static char *added_note(const char *out)
{
	const char *at = strstr(out, "note ");

	cr_assert_not_null(at, "%s", out);
	return strndup(at + 5, 36);
}

static cJSON *parse_file(const char *path)
{
	char *text = kt_test_slurp(path, NULL);
	cJSON *doc;

	cr_assert_not_null(text, "%s", path);
	doc = cJSON_Parse(text);
	cr_assert_not_null(doc, "%s is not JSON", path);
	free(text);
	return doc;
}

/*
 * Two engineers' review: alice notes, tags and suspects; bob, working on a
 * copy of her case (export, import), edits her note and names the root
 * cause; alice edits the same note and merges bob's case. The note ends
 * with two heads. Returns the case's path.
 */
static char *two_reviews(const char *alice, const char *bob)
{
	char *a = in_dir("a.ktriage"), *b = in_dir("b.ktriage");
	char *x = in_dir("x.json"), *out, *id, edit[128], exp[4200];
	const char *add[] = { "-c", "note add first look: a cursor past "
		"list_del()", "-c", "tag add regression", "-c", "verdict set "
		"suspect the cursor outlives the entry", NULL };
	const char *bob_edit[] = { "-c", exp, "-c", edit, "-c", "verdict set "
		"root-cause kt_listwalk keeps its cursor past kfree()", NULL };
	const char *alice_edit[] = { "-c", edit, "-c", exp, NULL };

	out = run(a, alice, add);
	id = added_note(out);
	free(out);
	snprintf(exp, sizeof(exp), "case export %s", x);
	free(run(a, alice, (const char *[]){ "-c", exp, NULL }));
	snprintf(exp, sizeof(exp), "case import %s", x);
	snprintf(edit, sizeof(edit), "note edit %s bob: the timer frees it",
		 id);
	free(run(b, bob, bob_edit));
	snprintf(exp, sizeof(exp), "case merge %s", b);
	snprintf(edit, sizeof(edit), "note edit %s alice: kt_remove() frees "
		 "it", id);
	free(run(a, alice, alice_edit));
	free(id);
	free(x);
	free(b);
	return a;
}

/* The JSON report (for what to expect) and the page of one case. */
static cJSON *reports(const char *case_file, const char *page)
{
	char *json = in_dir("r.json"), cmd[4200];
	const char *args[] = { "-c", cmd, "--report", page, NULL };
	cJSON *doc;

	snprintf(cmd, sizeof(cmd), "report %s", json);
	free(run(case_file, "alice", args));
	doc = parse_file(json);
	free(json);
	return doc;
}

static void expect_findings(const char *dom, const cJSON *doc)
{
	const cJSON *f;

	cr_expect_gt(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")),
		     0, "no finding to look for");
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings")) {
		expect_text(dom, kt_html_str(f, "title"), "a finding's title");
		expect_text(dom, kt_html_str(f, "explanation"), "explanation");
	}
}

/* Every frame's function, and the registers of the frames that have them. */
static void expect_backtrace(const char *dom, const cJSON *bt)
{
	const cJSON *seg, *f, *r;
	int frames = 0, regs = 0;

	cJSON_ArrayForEach(seg, cJSON_GetObjectItem(bt, "segments"))
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(seg, "frames")) {
		if (kt_html_str(f, "function"))
			expect_text(dom, kt_html_str(f, "function"), "frame");
		frames++;
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(f, "regs")) {
			expect_text(dom, r->valuestring, r->string);
			regs++;
		}
	}
	cr_expect_gt(frames, 2);
	cr_expect_gt(regs, 16);
}

/* Each note's every revision with its author; verdicts and tags. */
static void expect_case(const char *dom, const cJSON *doc)
{
	const cJSON *n, *r, *v;
	int revs = 0;

	cJSON_ArrayForEach(n, cJSON_GetObjectItem(doc, "notes"))
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(n, "revisions")) {
		expect_text(dom, kt_html_str(r, "text"), "revision");
		expect_text(dom, kt_html_str(r, "author"), "author");
		expect_text(dom, kt_html_str(r, "at"), "revision time");
		revs++;
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "verdicts")) {
		expect_text(dom, kt_html_str(v, "text"), "verdict");
		expect_text(dom, kt_html_str(v, "author"), "verdict author");
		expect_text(dom, kt_html_str(v, "at"), "verdict time");
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "tags"))
		expect_text(dom, kt_html_str(v, "tag"), "tag");
	cr_expect_geq(revs, 3);
	cr_expect_geq(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "verdicts")),
		      2);
	expect_text(dom, "2 concurrent heads", "the heads");
}

/* Rendered by the signature's own parts, or no section at all. */
static void expect_signature(const char *dom, const cJSON *doc)
{
	const cJSON *sig = cJSON_GetObjectItem(doc, "signature"), *p, *item;

	if (!sig) {
		cr_expect_null(strstr(dom, "id=\"signature\""));
		return;
	}
	expect_text(dom, kt_html_str(sig, "id"), "signature id");
	expect_text(dom, kt_html_str(sig, "text"), "signature");
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(sig, "parts")) {
		if (cJSON_IsString(p))
			expect_text(dom, p->valuestring, p->string);
		cJSON_ArrayForEach(item, p)	// frames, say
			if (cJSON_IsString(item))
				expect_text(dom, item->valuestring, p->string);
	}
}

/* A PNG of the window's size: chromium painted the page. */
static void expect_screenshot(const char *page)
{
	char *png = in_dir("page.png"), *arg, *data;
	size_t len;

	cr_assert_geq(asprintf(&arg, "--screenshot=%s", png), 0);
	free(chromium_run(page, arg));
	data = kt_test_slurp(png, &len);
	cr_assert_not_null(data, "no screenshot");
	cr_assert_gt(len, 24);
	cr_expect_eq(memcmp(data, "\x89PNG\r\n\x1a\n", 8), 0);
	// IHDR: width and height, big-endian
	cr_expect_eq(memcmp(data + 16, "\0\0\x04\xb0\0\0\x03\x84", 8), 0);
	cr_expect_gt(len, 20000, "a blank page: %zu bytes", len);
	free(data);
	free(arg);
	free(png);
}

Test(report_html, page_renders_findings_backtrace_and_case_in_chromium)
{
	char *kase = two_reviews("alice", "bob"), *page = in_dir("r.html");
	cJSON *doc = reports(kase, page);
	char *dom = dom_of(page);

	cr_expect_not_null(strstr(dom, "<h1>ktriage case report</h1>"));
	expect_findings(dom, doc);
	expect_backtrace(dom, cJSON_GetObjectItem(doc, "backtrace"));
	expect_case(dom, doc);
	expect_signature(dom, doc);
	expect_inert(dom);
	expect_screenshot(page);
	free(dom);
	cJSON_Delete(doc);
	free(page);
	free(kase);
}

/* @s as one word of a batch command: quoted as a shell would. */
static char *quoted(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 3), *o = out;

	cr_assert_not_null(out);
	*o++ = '\'';
	for (; *s; s++)
		if (*s == '\'')
			o = stpcpy(o, "'\"'\"'");
		else
			*o++ = *s;
	strcpy(o, "'");
	return out;
}

/* The case export at @path with a tag @tag by @author added to it. */
static void add_tag(const char *path, const char *tag, const char *author)
{
	cJSON *exp = parse_file(path), *o = cJSON_CreateObject();
	char *text;
	FILE *fp;

	cJSON_AddStringToObject(o, "target", "case");
	cJSON_AddStringToObject(o, "tag", tag);
	cJSON_AddStringToObject(o, "author", author);
	cJSON_AddStringToObject(o, "at", "2026-12-07T10:00:00.000Z");
	cJSON_AddItemToArray(cJSON_GetObjectItem(exp, "tags"), o);
	text = cJSON_Print(exp);
	fp = fopen(path, "w");
	cr_assert(fp && fputs(text, fp) >= 0 && !fclose(fp));
	free(text);
	cJSON_Delete(exp);
}

#define NOTE SCRIPT " & \"q\" 'a'"
#define TARGET "addr:0xffff:" SCRIPT

/*
 * Markup in every string of the case a user or a colleague's file can
 * set, through the batch commands: authors, note texts and targets,
 * verdicts, and a tag imported from a case export (`tag add` takes none).
 */
Test(report_html, hostile_case_runs_no_script_in_chromium)
{
	char *kase = two_reviews(IMG, SCRIPT), *page = in_dir("h.html");
	char *x = in_dir("h.json"), *q[3], *cmd[5], *dom;
	cJSON *doc;

	q[0] = quoted(NOTE);
	q[1] = quoted(TARGET);
	q[2] = quoted(SVG);
	cr_assert_geq(asprintf(&cmd[0], "note add %s", q[0]), 0);
	cr_assert_geq(asprintf(&cmd[1], "note add --on %s x", q[1]), 0);
	cr_assert_geq(asprintf(&cmd[2], "verdict set ruled-out %s", q[2]), 0);
	cr_assert_geq(asprintf(&cmd[3], "case export %s", x), 0);
	cr_assert_geq(asprintf(&cmd[4], "case import %s", x), 0);
	free(run(kase, SVG, (const char *[]){ "-c", cmd[0], "-c", cmd[1],
					      "-c", cmd[2], "-c", cmd[3],
					      NULL }));
	add_tag(x, SCRIPT, IMG);
	free(run(kase, "alice", (const char *[]){ "-c", cmd[4], NULL }));

	expect_payloads_would_run();
	doc = reports(kase, page);
	dom = dom_of(page);
	expect_inert(dom);
	expect_case(dom, doc);	// every revision, verdict and tag as text
	expect_text(dom, NOTE, "a note");
	expect_text(dom, TARGET, "a note's target");
	expect_text(dom, SVG, "a verdict");
	expect_text(dom, IMG, "an author");
	expect_text(dom, SCRIPT, "a tag");
	for (int i = 0; i < 5; i++)
		free(cmd[i]);
	for (int i = 0; i < 3; i++)
		free(q[i]);
	free(dom);
	cJSON_Delete(doc);
	free(x);
	free(page);
	free(kase);
}

/* Set string @key of @o to @s (the object must have it). */
static void poison(cJSON *o, const char *key, const char *s)
{
	cr_assert_not_null(cJSON_GetObjectItem(o, key), "no %s", key);
	cJSON_ReplaceItemInObject(o, key, cJSON_CreateString(s));
}

/*
 * Markup in the dump's strings: a task named <script>, a function, a
 * finding, a plugin's reason, and a signature (parts under markup names
 * too), rendered by kt_report_html() from the real report of the dump
 * with those strings replaced, control bytes and bad UTF-8 among them.
 */
Test(report_html, hostile_dump_strings_are_text_in_chromium)
{
	static const char bytes[] = "\x1b[2J\xff\xfe";
	char *kase = in_dir("c.ktriage"), *page = in_dir("d.html");
	char *json = in_dir("d.json"), cmd[4200], *html, *dom;
	cJSON *doc, *f, *sig, *parts;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "report %s", json);
	free(run(kase, "alice", (const char *[]){ "-c", cmd, NULL }));
	doc = parse_file(json);
	poison(cJSON_GetObjectItem(doc, "summary"), "panic_comm", SCRIPT);
	poison(cJSON_GetObjectItem(doc, "backtrace"), "comm", SCRIPT);
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "backtrace"),
				    "segments"), 0), "frames"), 0);
	poison(f, "function", IMG);
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
	poison(f, "title", SVG SCRIPT);
	poison(f, "explanation", SCRIPT "\xe2\x80\xae" IMG);
	poison(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0),
	       "label", IMG);
	cJSON_AddStringToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc,
		"plugins"), 0), "why", SCRIPT);
	cJSON_DeleteItemFromObject(doc, "signature");
	sig = cJSON_AddObjectToObject(doc, "signature");
	cJSON_AddStringToObject(sig, "id", "0123456789abcdef");
	cJSON_AddStringToObject(sig, "text", SVG);
	parts = cJSON_AddObjectToObject(sig, "parts");
	cJSON_AddStringToObject(parts, IMG, SCRIPT);
	cJSON_AddStringToObject(parts, "bytes", bytes);
	html = kt_report_html(doc);
	cr_assert_not_null(html);
	fp = fopen(page, "w");
	cr_assert(fp && fputs(html, fp) >= 0 && !fclose(fp));

	dom = dom_of(page);
	expect_inert(dom);
	expect_text(dom, SCRIPT, "the task");
	expect_text(dom, IMG, "the function");
	expect_text(dom, SVG SCRIPT, "the title");
	expect_text(dom, SCRIPT "\\u202e" IMG, "the explanation");
	expect_text(dom, "0123456789abcdef", "the signature id");
	expect_text(dom, "\\x1b[2J\\xff\\xfe", "bytes, as \\xNN");
	free(dom);
	free(html);
	cJSON_Delete(doc);
	free(json);
	free(page);
	free(kase);
}
