/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the store: shared by db/store*.c only. */
#ifndef KT_DB_STORE_PRIVATE_H
#define KT_DB_STORE_PRIVATE_H

#include <sqlite3.h>

#include "db/store.h"

struct kt_store {
	sqlite3 *db;
	char *dir;
};

/** "store DIR: WHAT: sqlite's message". */
struct kt_error *kt_store_error(struct kt_store *s, const char *what);

/** Recount the group of @sig_id (in the caller's transaction). */
int kt_store_regroup(sqlite3 *db, const char *sig_id);

/** Now, as ISO 8601 UTC to the second. */
void kt_store_now(char buf[32]);

#endif /* KT_DB_STORE_PRIVATE_H */
