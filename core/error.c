// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sanitize.h"

struct kt_error kt_error_nomem = {
	.code = KT_ERR_NOMEM,
	.message = "out of memory",
};

/*
 * Messages quote file names, command words, symbol names and strings read
 * from dumps and case files: whatever they hold, the message is printable
 * text on one line. When memory is short for that, the bytes that could
 * drive a terminal become '?' in place.
 */
static void clean_message(char **message)
{
	char *clean;

	if (!kt_sanitize_needed(*message, false))
		return;
	clean = kt_sanitize_dup(*message, false);
	if (clean) {
		free(*message);
		*message = clean;
		return;
	}
	for (unsigned char *p = (unsigned char *)*message; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
}

static struct kt_error *error_vcreate(enum kt_error_code code, int errnum,
				      const char *fmt, va_list ap)
{
	struct kt_error *err = calloc(1, sizeof(*err));

	if (!err)
		return &kt_error_nomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &kt_error_nomem;
	}
	clean_message(&err->message);
	err->code = code;
	err->errnum = errnum;
	return err;
}

struct kt_error *kt_error_create(enum kt_error_code code, const char *fmt, ...)
{
	struct kt_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vcreate(code, 0, fmt, ap);
	va_end(ap);
	return err;
}

struct kt_error *kt_error_os(int errnum, const char *fmt, ...)
{
	struct kt_error *err;
	char *msg;
	va_list ap;

	if (errnum == ENOMEM)
		return &kt_error_nomem;
	va_start(ap, fmt);
	err = error_vcreate(KT_ERR_OS, errnum, fmt, ap);
	va_end(ap);
	if (err == &kt_error_nomem)
		return err;
	if (asprintf(&msg, "%s: %s", err->message, strerror(errnum)) >= 0) {
		free(err->message);
		err->message = msg;
		clean_message(&err->message);
	}
	return err;
}

struct kt_error *kt_error_fault(uint64_t address, bool phys,
				enum kt_fault fault)
{
	struct kt_error *err;

	err = kt_error_create(KT_ERR_FAULT, "reading %s0x%016" PRIx64 ": %s",
			      phys ? "physical " : "", address,
			      kt_fault_str(fault));
	if (err == &kt_error_nomem)
		return err;
	err->fault = fault;
	err->address = address;
	err->address_phys = phys;
	return err;
}

struct kt_error *kt_error_wrap(struct kt_error *err, const char *fmt, ...)
{
	char *ctx, *msg;
	va_list ap;
	int r;

	if (err == &kt_error_nomem)
		return err;
	va_start(ap, fmt);
	r = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (r < 0)
		return err;
	if (asprintf(&msg, "%s: %s", ctx, err->message) >= 0) {
		free(err->message);
		err->message = msg;
		clean_message(&err->message);
	}
	free(ctx);
	return err;
}

void kt_error_destroy(struct kt_error *err)
{
	if (!err || err == &kt_error_nomem)
		return;
	free(err->message);
	free(err);
}

bool kt_error_catch(struct kt_error **errp, enum kt_error_code code)
{
	if (!*errp || (*errp)->code != code)
		return false;
	kt_error_destroy(*errp);
	*errp = NULL;
	return true;
}

bool kt_error_catch_any(struct kt_error *err)
{
	kt_error_destroy(err);
	return err != NULL;
}

const char *kt_fault_str(enum kt_fault fault)
{
	switch (fault) {
	case KT_FAULT_EXCLUDED:
		return "page excluded from dump";
	case KT_FAULT_NOT_RAM:
		return "not RAM";
	case KT_FAULT_NOT_MAPPED:
		return "address not mapped";
	case KT_FAULT_NON_CANONICAL:
		return "non-canonical address";
	case KT_FAULT_READ:
		return "dump file unreadable";
	case KT_FAULT_NONE:
		break;
	}
	return "unreadable";
}

void kt_freep(void *p)
{
	free(*(void **)p);
}
