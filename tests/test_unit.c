// SPDX-License-Identifier: GPL-2.0-or-later
/* Pieces of core that need no dump. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/list.h"
#include "core/sanitize.h"
#include "core/symtab.h"
#include "core/sysinfo.h"
#include "core/task.h"

Test(sanitize, escape_sequences_become_inert)
{
	char out[KT_SANITIZED_SIZE(32)];

	kt_sanitize("\033[2Jevil\a", 9, out, sizeof(out), false);
	cr_assert_str_eq(out, "\\x1b[2Jevil\\x07");
}

Test(sanitize, keeps_utf8_and_tabs_drops_c1_and_bad_bytes)
{
	char out[KT_SANITIZED_SIZE(32)];

	kt_sanitize("caf\xc3\xa9\t\xc2\x9b\xff", 9, out, sizeof(out), false);
	cr_assert_str_eq(out, "caf\xc3\xa9\t\\xc2\\x9b\\xff");
}

Test(sanitize, newlines_only_when_asked)
{
	char out[KT_SANITIZED_SIZE(8)];

	kt_sanitize("a\nb", 3, out, sizeof(out), true);
	cr_assert_str_eq(out, "a\nb");
	kt_sanitize("a\nb", 3, out, sizeof(out), false);
	cr_assert_str_eq(out, "a\\x0ab");
}

Test(sanitize, stops_at_nul_and_never_overflows)
{
	char out[6];

	kt_sanitize("abc\0def", 7, out, sizeof(out), false);
	cr_assert_str_eq(out, "abc");
	kt_sanitize("\x01\x02\x03", 3, out, sizeof(out), false);
	cr_assert_str_eq(out, "\\x01");
}

Test(hashmap, first_value_wins_and_grows)
{
	struct kt_hashmap map;
	static char keys[2000][8];
	uint64_t v;
	bool ins;

	kt_hashmap_init(&map);
	for (int i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		cr_assert(kt_hashmap_insert(&map, keys[i], i, &ins) && ins);
	}
	cr_assert(kt_hashmap_insert(&map, "k7", 99, &ins) && !ins);
	cr_assert(kt_hashmap_get(&map, "k7", &v) && v == 7);
	cr_assert(kt_hashmap_get(&map, "k1999", &v) && v == 1999);
	cr_assert_not(kt_hashmap_get(&map, "k2000", &v));
	kt_hashmap_deinit(&map);
}

Test(addrset, holds_zero_and_many)
{
	struct kt_addrset set;
	bool added;

	kt_addrset_init(&set);
	cr_assert(kt_addrset_add(&set, 0, &added) && added);
	cr_assert(kt_addrset_add(&set, 0, &added) && !added);
	for (uint64_t i = 1; i < 5000; i++)
		cr_assert(kt_addrset_add(&set, i * 64, &added) && added);
	cr_assert(kt_addrset_has(&set, 64 * 4999));
	cr_assert_not(kt_addrset_has(&set, 65));
	kt_addrset_deinit(&set);
}

Test(symtab, lookup_by_address_respects_sizes_and_aliases)
{
	struct kt_symtab tab;
	const struct kt_symbol *s;

	kt_symtab_init(&tab);
	cr_assert_null(kt_symtab_add(&tab, "unsized", 0x1000, 0, 't', true));
	cr_assert_null(kt_symtab_add(&tab, "func", 0x1000, 0x20, 't', true));
	cr_assert_null(kt_symtab_add(&tab, "func_alias", 0x1000, 0x20, 'T',
				     true));
	cr_assert_null(kt_symtab_add(&tab, "label", 0x1040, 0, 't', true));
	cr_assert_null(kt_symtab_add(&tab, "next", 0x1100, 0x10, 'T', true));
	cr_assert_null(kt_symtab_finish(&tab));
	s = kt_symtab_by_addr(&tab, 0x1010, 4096);
	cr_assert(s && !strcmp(s->name, "func"));
	cr_assert_null(kt_symtab_by_addr(&tab, 0x1030, 4096), "gap after a sized symbol");
	s = kt_symtab_by_addr(&tab, 0x10ff, 4096);
	cr_assert(s && !strcmp(s->name, "label"));
	cr_assert_null(kt_symtab_by_addr(&tab, 0x10ff, 0x10), "beyond max_gap");
	cr_assert_null(kt_symtab_by_addr(&tab, 0xfff, 4096));
	s = kt_symtab_by_name(&tab, "next");
	cr_assert(s && s->addr == 0x1100);
	kt_symtab_deinit(&tab);
}

Test(task, state_letters_like_crash)
{
	cr_assert_str_eq(kt_task_state_letters(0, 0), "RU");
	cr_assert_str_eq(kt_task_state_letters(1, 0), "IN");
	cr_assert_str_eq(kt_task_state_letters(2, 0), "UN");
	cr_assert_str_eq(kt_task_state_letters(0x102, 0), "UN"); // KILLABLE
	cr_assert_str_eq(kt_task_state_letters(0x402, 0), "ID"); // TASK_IDLE
	cr_assert_str_eq(kt_task_state_letters(0, 0x20), "ZO");
	cr_assert_str_eq(kt_task_state_letters(0x80, 0x10), "DE");
	cr_assert_str_eq(kt_task_state_letters(4, 0), "ST");
	cr_assert_str_eq(kt_task_state_letters(8, 0), "TR");
	cr_assert_str_eq(kt_task_state_letters(0x40, 0), "PA");
	cr_assert_str_eq(kt_task_state_letters(0x200, 0), "WA"); // WAKING
	cr_assert_str_eq(kt_task_state_letters(0x800, 0), "NE"); // NEW
}

Test(sysinfo, uptime_and_load_formats)
{
	char buf[64];

	kt_format_uptime(9, buf, sizeof(buf));
	cr_assert_str_eq(buf, "00:00:09");
	kt_format_uptime(2 * 86400 + 3723, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2 days, 01:02:03");
	kt_format_load(2048 + 1024, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1.50");
	kt_format_load(0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "0.00");
}
