// SPDX-License-Identifier: GPL-2.0-or-later
#include "db/case_private.h"
const struct kt_case_ops kt_case_pg_ops = { .name = "postgresql" };
struct kt_error *kt_case_pg_open(struct kt_case *c, const char *url,
				 const struct kt_case_identity *id,
				 enum kt_case_mode mode)
{
	return kt_error_create(KT_ERR_UNSUPPORTED, "no postgresql yet");
}
