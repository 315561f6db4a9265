// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The report page: its head (the policy and the style), the summary, the
 * signature, the findings and the plugins. The page is markup from the
 * literals here with the document's strings escaped into it
 * (kt_html_escape()); nothing of the data ever becomes a tag, an
 * attribute name or a class.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/html.h"
#include "app/report_html.h"

/*
 * Even markup that escaped escaping could neither run nor fetch: no
 * script, no frame, no font, no request, images only from data: URLs.
 */
#define CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;color:#1b1b1b;"
	"max-width:75rem;margin:1.5rem auto;padding:0 1rem}\n"
	"h1{font-size:1.45rem;margin:0 0 .2rem}\n"
	"h2{font-size:1.15rem;border-bottom:1px solid #ccc;"
	"margin:2rem 0 .6rem;padding-bottom:.15rem}\n"
	"h3{font-size:1rem;margin:.2rem 0 .4rem}\n"
	"h4{font-size:.9rem;margin:.7rem 0 .2rem;color:#444}\n"
	"nav a{margin-right:.8rem;color:#1d4ed8}\n"
	"code,.mono,table.bt,table.regs{font-family:ui-monospace,"
	"'DejaVu Sans Mono',monospace;font-size:12.5px}\n"
	"table{border-collapse:collapse}\n"
	"th,td{padding:.12rem .55rem;text-align:left;vertical-align:top}\n"
	"td.mono,td.src{overflow-wrap:anywhere}\n"
	"table.bt td{white-space:nowrap}table.bt td.src{white-space:normal}\n"
	"table.kv th{color:#555;white-space:nowrap;font-weight:600}\n"
	"table.list th,table.bt th{border-bottom:1px solid #bbb}\n"
	"table.bt tr.seg th{font-family:system-ui,sans-serif;font-size:14px;"
	"padding-top:.6rem}\n"
	"table.bt tr.frame td{border-top:1px solid #e4e4e4}\n"
	"table.regs td{padding:0 .5rem 0 0}\n"
	"table.regs td.r{color:#666}\n"
	".muted{color:#666}\n"
	".text{white-space:pre-wrap}\n"
	".finding,.note{border-left:.3rem solid #888;background:#fafafa;"
	"margin:.9rem 0;padding:.35rem .8rem;break-inside:avoid}\n"
	".badge{display:inline-block;padding:0 .35rem;border-radius:.2rem;"
	"color:#fff;background:#666;font-size:.75rem;"
	"text-transform:uppercase;margin-right:.4rem}\n"
	".critical{border-color:#b3261e}.critical .badge{background:#b3261e}\n"
	".error{border-color:#c2410c}.error .badge{background:#c2410c}\n"
	".warning{border-color:#a16207}.warning .badge{background:#a16207}\n"
	".info{border-color:#1d4ed8}.info .badge{background:#1d4ed8}\n"
	".ran{color:#15803d}.skipped{color:#a16207}.failed{color:#b3261e}\n"
	".head{background:#15803d}\n"
	"@media print{body{max-width:none;margin:0;font-size:11px}"
	"nav{display:none}.finding,.note{background:none}}\n";

/* Most severe first; a severity not known to this page comes last. */
static const char *const severities[] = { "critical", "error", "warning",
					  "info" };
#define NSEV (sizeof(severities) / sizeof(severities[0]))

void kt_report_html_section(FILE *fp, const char *id, const char *title)
{
	fprintf(fp, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
}

static size_t severity_rank(const cJSON *finding)
{
	const char *s = kt_html_str(finding, "severity");

	for (size_t i = 0; s && i < NSEV; i++)
		if (!strcmp(s, severities[i]))
			return i;
	return NSEV;
}

static void crash_time(FILE *fp, const cJSON *seconds)
{
	double d = cJSON_GetNumberValue(seconds);	// NaN when not a number
	struct tm tm;
	char buf[64];
	time_t t;

	// a time_t that gmtime_r() takes, from whatever the document holds
	if (!(d >= 0 && d < 1e12))
		return;
	t = (time_t)d;
	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		return;
	fprintf(fp, "<tr><th>Crash time</th><td>%s</td></tr>\n", buf);
}

static void panic_task(FILE *fp, const cJSON *s)
{
	fputs("<tr><th>Panic task</th><td>", fp);
	kt_report_html_task(fp, s, "panic_");
	fputs("</td></tr>\n", fp);
}

static void findings_count(FILE *fp, const cJSON *findings)
{
	size_t n[NSEV + 1] = { 0 };
	const cJSON *f;
	const char *sep = " (";

	cJSON_ArrayForEach(f, findings)
		n[severity_rank(f)]++;
	fprintf(fp, "<tr><th>Findings</th><td>%d", cJSON_GetArraySize(findings));
	for (size_t i = 0; i < NSEV; i++) {
		if (!n[i])
			continue;
		fprintf(fp, "%s%zu %s", sep, n[i], severities[i]);
		sep = ", ";
	}
	fputs(*sep == ',' ? ")</td></tr>\n" : "</td></tr>\n", fp);
}

static void summary(FILE *fp, const cJSON *doc)
{
	const cJSON *s = cJSON_GetObjectItem(doc, "summary");
	const cJSON *id = cJSON_GetObjectItem(doc, "identity");

	kt_report_html_section(fp, "summary", "Summary");
	fputs("<table class=\"kv\">\n", fp);
	kt_html_kv(fp, "Panic", cJSON_GetObjectItem(s, "panic"));
	kt_html_kv(fp, "Cause", cJSON_GetObjectItem(s, "cause"));
	panic_task(fp, s);
	crash_time(fp, cJSON_GetObjectItem(s, "crash_time"));
	kt_html_kv(fp, "Release", cJSON_GetObjectItem(s, "release"));
	kt_html_kv(fp, "Dump id", cJSON_GetObjectItem(id, "dump_id"));
	kt_html_kv(fp, "Build id", cJSON_GetObjectItem(id, "build_id"));
	kt_html_kv(fp, "vmlinux", cJSON_GetObjectItem(id, "vmlinux"));
	findings_count(fp, cJSON_GetObjectItem(doc, "findings"));
	fputs("</table>\n</section>\n", fp);
}

/* Every part shown as it comes: the page needs no list of them. */
static void signature(FILE *fp, const cJSON *sig)
{
	const cJSON *part;

	if (!cJSON_IsObject(sig))
		return;
	kt_report_html_section(fp, "signature", "Signature");
	fputs("<table class=\"kv\">\n", fp);
	kt_html_kv(fp, "Id", cJSON_GetObjectItem(sig, "id"));
	kt_html_kv(fp, "Signature", cJSON_GetObjectItem(sig, "text"));
	cJSON_ArrayForEach(part, cJSON_GetObjectItem(sig, "parts"))
		kt_html_kv(fp, part->string ?: "?", part);
	fputs("</table>\n</section>\n", fp);
}

/* A reference's members but its kind and label, "key value" apart. */
static void evidence_row(FILE *fp, const cJSON *ref)
{
	const char *sep = "";
	const cJSON *m;

	fputs("<tr>", fp);
	kt_html_elem(fp, "td", NULL, kt_html_str(ref, "label") ?: "");
	kt_html_elem(fp, "td", NULL, kt_html_str(ref, "kind") ?: "");
	fputs("<td class=\"mono\">", fp);
	cJSON_ArrayForEach(m, ref) {
		if (!m->string || !strcmp(m->string, "kind") ||
		    !strcmp(m->string, "label"))
			continue;
		fputs(sep, fp);
		kt_html_elem(fp, "span", "muted", m->string);
		fputc(' ', fp);
		kt_html_value(fp, m);
		sep = " &middot; ";
	}
	fputs("</td></tr>\n", fp);
}

static void finding(FILE *fp, const cJSON *f, size_t rank)
{
	const char *sev = rank < NSEV ? severities[rank] : "other";
	const cJSON *e;

	fprintf(fp, "<article class=\"finding %s\">\n<h3>", sev);
	kt_html_elem(fp, "span", "badge", kt_html_str(f, "severity") ?: "?");
	kt_html_escape(fp, kt_html_str(f, "title") ?: "");
	fputs("</h3>\n<div class=\"muted\">", fp);
	kt_html_elem(fp, "code", NULL, kt_html_str(f, "id") ?: "");
	fputs(" from ", fp);
	kt_html_elem(fp, "code", NULL, kt_html_str(f, "plugin") ?: "");
	fputs("</div>\n", fp);
	kt_html_elem(fp, "p", "text", kt_html_str(f, "explanation") ?: "");
	fputs("\n<h4>Evidence</h4>\n<table class=\"list\">\n"
	      "<tr><th>what</th><th>kind</th><th>reference</th></tr>\n", fp);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(f, "evidence"))
		evidence_row(fp, e);
	fputs("</table>\n<h4>Derivation</h4>\n<ol>\n", fp);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(f, "derivation")) {
		kt_html_elem(fp, "li", "text", cJSON_GetStringValue(e) ?: "");
		fputc('\n', fp);
	}
	fputs("</ol>\n</article>\n", fp);
}

/* Sorted again by severity here, stably: the page holds that promise. */
static void findings(FILE *fp, const cJSON *arr)
{
	const cJSON *f;

	kt_report_html_section(fp, "findings", "Findings");
	if (!cJSON_GetArraySize(arr))
		fputs("<p class=\"muted\">No analyzer found anything.</p>\n", fp);
	for (size_t rank = 0; rank <= NSEV; rank++)
		cJSON_ArrayForEach(f, arr)
			if (severity_rank(f) == rank)
				finding(fp, f, rank);
	fputs("</section>\n", fp);
}

static void plugins(FILE *fp, const cJSON *arr)
{
	static const char *const status[] = { "ran", "skipped", "failed" };
	const char *st, *cls;
	const cJSON *p;

	kt_report_html_section(fp, "plugins", "Analyzers");
	fputs("<table class=\"list\">\n"
	      "<tr><th>analyzer</th><th>status</th><th>why</th></tr>\n", fp);
	cJSON_ArrayForEach(p, arr) {
		st = kt_html_str(p, "status") ?: "?";
		cls = "muted";
		for (size_t i = 0; i < sizeof(status) / sizeof(status[0]); i++)
			if (!strcmp(st, status[i]))
				cls = status[i];
		fputs("<tr>", fp);
		kt_html_elem(fp, "td", "mono", kt_html_str(p, "name") ?: "?");
		kt_html_elem(fp, "td", cls, st);
		kt_html_elem(fp, "td", NULL, kt_html_str(p, "why") ?: "");
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n</section>\n", fp);
}

static void head(FILE *fp, const cJSON *doc)
{
	const cJSON *s = cJSON_GetObjectItem(doc, "summary");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"" CSP
	      "\">\n<meta name=\"viewport\" "
	      "content=\"width=device-width, initial-scale=1\">\n", fp);
	fputs("<title>ktriage report: ", fp);
	kt_html_escape(fp, kt_html_str(s, "panic") ?: "");
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	fputs("<header><h1>ktriage case report</h1>\n<div class=\"muted\">", fp);
	kt_html_escape(fp, kt_html_str(s, "release") ?: "");
	fputs(" &middot; dump ", fp);
	kt_html_elem(fp, "code", NULL, kt_html_str(cJSON_GetObjectItem(doc,
			"identity"), "dump_id") ?: "?");
	fputs("</div>\n<nav><a href=\"#summary\">summary</a>", fp);
	if (cJSON_IsObject(cJSON_GetObjectItem(doc, "signature")))
		fputs("<a href=\"#signature\">signature</a>", fp);
	fputs("<a href=\"#findings\">findings</a>"
	      "<a href=\"#backtrace\">backtrace</a>"
	      "<a href=\"#plugins\">analyzers</a>"
	      "<a href=\"#notes\">notes</a>"
	      "<a href=\"#verdicts\">verdicts</a>"
	      "<a href=\"#tags\">tags</a></nav>\n</header>\n", fp);
}

char *kt_report_html(const cJSON *doc)
{
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);
	bool ok;

	if (!fp)
		return NULL;
	head(fp, doc);
	summary(fp, doc);
	signature(fp, cJSON_GetObjectItem(doc, "signature"));
	findings(fp, cJSON_GetObjectItem(doc, "findings"));
	kt_report_html_backtrace(fp, cJSON_GetObjectItem(doc, "backtrace"));
	plugins(fp, cJSON_GetObjectItem(doc, "plugins"));
	kt_report_html_case(fp, doc);
	fputs("<footer class=\"muted\"><p>ktriage-report version ", fp);
	kt_html_value(fp, cJSON_GetObjectItem(doc, "version"));
	fputs("</p></footer>\n</body>\n</html>\n", fp);
	ok = !ferror(fp);
	if (fclose(fp) || !ok) {
		free(text);
		return NULL;
	}
	return text;
}
