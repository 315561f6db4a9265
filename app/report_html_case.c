// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The report page's part of the case: every note with every revision (who
 * wrote it, when, which revision it edits, and the heads: two engineers
 * who edited apart leave two, both kept and both shown), the verdicts and
 * the tags, each with its author and time. All of it is text from a case
 * file, perhaps a colleague's: escaped like the dump's.
 */
#include <stdbool.h>
#include <string.h>

#include "app/html.h"
#include "app/report_html.h"

/* The position (from 1) of revision @uuid among @revs, or 0. */
static int rev_number(const cJSON *revs, const char *uuid)
{
	const cJSON *r;
	int i = 0;

	cJSON_ArrayForEach(r, revs) {
		i++;
		if (uuid && !strcmp(kt_html_str(r, "uuid") ?: "", uuid))
			return i;
	}
	return 0;
}

/* A head is a revision no other revision edits. */
static bool is_head(const cJSON *revs, const char *uuid)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, revs)
		if (uuid && !strcmp(kt_html_str(r, "parent") ?: "", uuid))
			return false;
	return true;
}

static void author_time(FILE *fp, const cJSON *o, const char *time_key)
{
	kt_html_elem(fp, "strong", NULL, kt_html_str(o, "author") ?: "?");
	fputc(' ', fp);
	kt_html_elem(fp, "span", "muted", kt_html_str(o, time_key) ?: "");
}

static void revision(FILE *fp, const cJSON *revs, const cJSON *r, int heads)
{
	const char *uuid = kt_html_str(r, "uuid");
	int parent = rev_number(revs, kt_html_str(r, "parent"));

	fputs("<li><div>", fp);
	if (heads > 1 && is_head(revs, uuid))
		fputs("<span class=\"badge head\">head</span>", fp);
	author_time(fp, r, "at");
	if (parent)
		fprintf(fp, " <span class=\"muted\">edits revision %d</span>",
			parent);
	fputs("</div>\n", fp);
	kt_html_elem(fp, "div", "text", kt_html_str(r, "text") ?: "");
	fputs("</li>\n", fp);
}

static void note(FILE *fp, const cJSON *n)
{
	const cJSON *revs = cJSON_GetObjectItem(n, "revisions"), *r;
	int heads = 0;

	cJSON_ArrayForEach(r, revs)
		heads += is_head(revs, kt_html_str(r, "uuid"));
	fputs("<article class=\"note\">\n<h3>on ", fp);
	kt_html_elem(fp, "code", NULL, kt_html_str(n, "target") ?: "?");
	fputs("</h3>\n<div class=\"muted\">by ", fp);
	author_time(fp, n, "created");
	fputs(" &middot; note ", fp);
	kt_html_elem(fp, "code", NULL, kt_html_str(n, "uuid") ?: "?");
	fprintf(fp, " &middot; %d revision%s", cJSON_GetArraySize(revs),
		cJSON_GetArraySize(revs) == 1 ? "" : "s");
	if (heads > 1)
		fprintf(fp, " &middot; %d concurrent heads: edited apart, "
			"every edit kept", heads);
	fputs("</div>\n<ol>\n", fp);
	cJSON_ArrayForEach(r, revs)
		revision(fp, revs, r, heads);
	fputs("</ol>\n</article>\n", fp);
}

static void notes(FILE *fp, const cJSON *arr)
{
	const cJSON *n;

	kt_report_html_section(fp, "notes", "Notes");
	if (!cJSON_GetArraySize(arr))
		fputs("<p class=\"muted\">No notes.</p>\n", fp);
	cJSON_ArrayForEach(n, arr)
		note(fp, n);
	fputs("</section>\n", fp);
}

/*
 * A table of @arr's objects, one column a member of @keys (NULL-ended),
 * headed by @heads; column i in a fixed-width font when bit i of @mono is
 * set.
 */
static void table(FILE *fp, const cJSON *arr, const char *const *keys,
		  const char *const *heads, unsigned mono)
{
	const cJSON *o;

	if (!cJSON_GetArraySize(arr)) {
		fputs("<p class=\"muted\">None.</p>\n", fp);
		return;
	}
	fputs("<table class=\"list\">\n<tr>", fp);
	for (size_t i = 0; keys[i]; i++)
		kt_html_elem(fp, "th", NULL, heads[i]);
	fputs("</tr>\n", fp);
	cJSON_ArrayForEach(o, arr) {
		fputs("<tr>", fp);
		for (size_t i = 0; keys[i]; i++)
			kt_html_elem(fp, "td", mono & 1u << i ? "mono" : "text",
				     kt_html_str(o, keys[i]) ?: "");
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

void kt_report_html_case(FILE *fp, const cJSON *doc)
{
	static const char *const vkeys[] = { "kind", "target", "text",
					     "author", "at", NULL };
	static const char *const vheads[] = { "verdict", "on", "text",
					      "author", "time" };
	static const char *const tkeys[] = { "tag", "target", "author", "at",
					     NULL };
	static const char *const theads[] = { "tag", "on", "author", "time" };

	notes(fp, cJSON_GetObjectItem(doc, "notes"));
	kt_report_html_section(fp, "verdicts", "Verdicts");
	table(fp, cJSON_GetObjectItem(doc, "verdicts"), vkeys, vheads, 3);
	fputs("</section>\n", fp);
	kt_report_html_section(fp, "tags", "Tags");
	table(fp, cJSON_GetObjectItem(doc, "tags"), tkeys, theads, 3);
	fputs("</section>\n", fp);
}
