// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * app/commands.c's tokenizer: a command line split into words. Checked:
 * each word is made of the line's bytes, in order, quotes removed, and
 * lies inside the line.
 */
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "fuzz/common.h"

#define MAX_WORDS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *words[MAX_WORDS + 1];
	int n;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	n = kt_command_split(line, words, MAX_WORDS);
	KT_FUZZ_CHECK(n >= -1 && n <= MAX_WORDS, "split: word count");
	for (int i = 0; i < n; i++) {
		size_t len = strlen(words[i]);

		KT_FUZZ_CHECK(words[i] >= line && words[i] + len <= line + size,
			      "split: a word outside the line");
		KT_FUZZ_CHECK(len > 0 || memchr(data, '\'', size) ||
			      memchr(data, '"', size), "split: empty word");
		KT_FUZZ_CHECK(!strpbrk(words[i], " \t") ||
			      memchr(data, '\'', size) || memchr(data, '"', size),
			      "split: a blank in an unquoted word");
		if (i)
			KT_FUZZ_CHECK(words[i] > words[i - 1],
				      "split: words out of order");
	}
	free(line);
	return 0;
}
