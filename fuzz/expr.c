// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/expr.c: `p` and `whatis` expressions and type names, evaluated on
 * the real dump with its vmlinux (symbols, casts, ->, [i], NAME:CPU).
 */
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"
#include "core/program.h"
#include "fuzz/common.h"

#define MAX_TEXT 1024	/* what kt_cmd_p() passes at most */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	kt_fuzz_program();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_program *prog = kt_fuzz_program();
	char text[MAX_TEXT], decl[512];
	struct kt_type_ref t;
	struct kt_value v;
	struct kt_error *err;

	if (size >= MAX_TEXT)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	err = kt_expr_eval(prog, text, &v);
	if (!err) {
		v.name = text;
		kt_value_declaration(&v, decl, sizeof(decl));
		kt_value_type_name(&v, decl, sizeof(decl));
		KT_FUZZ_CHECK(strlen(decl) < sizeof(decl), "expr: decl");
	}
	kt_fuzz_drop(err);
	kt_fuzz_drop(kt_expr_parse_type(prog, text, &t));
	return 0;
}
