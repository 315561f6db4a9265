// SPDX-License-Identifier: GPL-2.0-or-later
/* Who is writing: --author, $KTRIAGE_AUTHOR, git's user.name, $USER. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case.h"

/* git config user.name, without a shell; NULL when there is none. */
static char *git_user(void)
{
	char buf[256] = "";
	FILE *p = popen("git config user.name 2>/dev/null", "r");
	size_t n;

	if (!p)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	pclose(p);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf[0] ? strdup(buf) : NULL;
}

char *kt_case_author(const char *given)
{
	const char *env = getenv("KTRIAGE_AUTHOR"), *user = getenv("USER");
	char *git;

	if (given && *given)
		return strdup(given);
	if (env && *env)
		return strdup(env);
	git = git_user();
	if (git)
		return git;
	return strdup(user && *user ? user : "unknown");
}
