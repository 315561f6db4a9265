// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * app/tui_keys.c: a ktriagerc ("bind KEY ACTION", "color ROLE FG ..." and
 * "theme NAME" lines), then the help text made from the bindings. Bad lines
 * are collected, never fatal; every colour stays one a terminal can take.
 */
#include <stdlib.h>
#include <string.h>

#include "app/tui_keys.h"
#include "fuzz/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_keymap km;
	char *text = malloc(size + 1), *help, name[32];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	kt_keymap_load(&km, "/nonexistent/ktriagerc", 0);
	kt_keymap_parse(&km, text, "fuzz");
	for (int k = 0; k < KT_TUI_MAX_KEY; k++) {
		KT_FUZZ_CHECK(km.action[k] < KT_NR_ACTIONS, "ktriagerc: action");
		kt_key_name(k, name, sizeof(name));
		kt_keymap_lookup(&km, k);
	}
	for (int s = 0; s < KT_NR_STYLES; s++) {
		const struct kt_theme_style *st = &km.theme.style[s];

		KT_FUZZ_CHECK(st->fg >= KT_COLOR_DEFAULT && st->fg < 256 &&
			      st->bg >= KT_COLOR_DEFAULT && st->bg < 256,
			      "ktriagerc: colour");
	}
	help = kt_keymap_help(&km);
	free(help);
	kt_keymap_deinit(&km);
	free(text);
	return 0;
}
