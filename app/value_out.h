/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Printing typed values (core/value.h) as crash and gdb do, or as nested
 * JSON: used by `struct`, `union` and `p`.
 */
#ifndef KT_APP_VALUE_OUT_H
#define KT_APP_VALUE_OUT_H

#include <cjson/cJSON.h>

#include "app/output.h"
#include "core/value.h"

/** Elements of an array shown before "...N more". */
#define KT_VALUE_OUT_ELEMENTS 16

/**
 * Print @v with its members (nested, indented by @indent spaces), as
 * "name = value" when @name is given, else as "TYPE {...}" at the top.
 */
void kt_value_out_print(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			const char *name, int indent);

/**
 * @v as a JSON object: name, type, offset, size, kind, value, and number,
 * pointer, owner, symbol, string, fault when they apply; members or
 * elements (with "elided") nested. NULL when memory runs out.
 */
cJSON *kt_value_out_json(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			 const char *name);

#endif /* KT_APP_VALUE_OUT_H */
