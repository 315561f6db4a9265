/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Errors of ktriage's core.
 *
 * Every fallible call returns a struct kt_error * (NULL on success) and
 * writes its results through out-parameters named ret, last. An error
 * carries a code, a message that grows context on the way up
 * ("reading task 42: reading 0xffff...: page excluded from dump") and, for
 * memory faults, the address and why it could not be read.
 *
 * A message is printable text on one line, whatever the bytes of a file
 * name, a command or a dump it quotes: they pass through kt_sanitize() as
 * the message is made, so it may go to a terminal as it is.
 *
 * Making an error never fails: when memory is short, the static
 * kt_error_nomem is returned instead, and kt_error_destroy() ignores it.
 */
#ifndef KT_CORE_ERROR_H
#define KT_CORE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum kt_error_code {
	KT_ERR_NOMEM = 1,
	KT_ERR_OS,		/* a system call failed; errnum is set */
	KT_ERR_FORMAT,		/* a file is not what it should be */
	KT_ERR_FAULT,		/* memory of the dump cannot be read */
	KT_ERR_LOOKUP,		/* a symbol, type or member does not exist */
	KT_ERR_MISMATCH,	/* the vmlinux does not match the dump */
	KT_ERR_NO_DWARF,	/* the command needs debuginfo that is absent */
	KT_ERR_CORRUPT,		/* data read from the dump is inconsistent */
	KT_ERR_INVALID,		/* bad argument from the user */
	KT_ERR_UNSUPPORTED,	/* a kernel feature ktriage does not handle */
	KT_ERR_STOP,		/* an iteration was stopped by its callback */
};

/** Why an address could not be read; set on KT_ERR_FAULT. */
enum kt_fault {
	KT_FAULT_NONE = 0,
	KT_FAULT_EXCLUDED,	/* RAM, but left out by the dump level */
	KT_FAULT_NOT_RAM,	/* the physical address is not RAM */
	KT_FAULT_NOT_MAPPED,	/* no page table entry maps the address */
	KT_FAULT_NON_CANONICAL,	/* x86-64 non-canonical address */
	KT_FAULT_READ,		/* the dump file itself could not be read */
};

struct kt_error {
	enum kt_error_code code;
	enum kt_fault fault;
	int errnum;		/* errno for KT_ERR_OS, else 0 */
	uint64_t address;	/* faulting address for KT_ERR_FAULT */
	bool address_phys;	/* address is physical */
	char *message;
};

/** The error returned when memory for another error cannot be had. */
extern struct kt_error kt_error_nomem;

/** Make an error; the message is printf-formatted. Never returns NULL. */
struct kt_error *kt_error_create(enum kt_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Like kt_error_create(), with errnum appended as ": strerror(errnum)". */
struct kt_error *kt_error_os(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** A KT_ERR_FAULT error at @address, with @fault as reason. */
struct kt_error *kt_error_fault(uint64_t address, bool phys,
				enum kt_fault fault);

/**
 * Prepend context to an error's message: "CONTEXT: old message".
 * Returns @err (or kt_error_nomem). @err must not be NULL.
 */
struct kt_error *kt_error_wrap(struct kt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Free an error; NULL and kt_error_nomem are accepted. */
void kt_error_destroy(struct kt_error *err);

/**
 * Catch an expected error: if *errp has @code, destroy it, set *errp to NULL
 * and return true.
 */
bool kt_error_catch(struct kt_error **errp, enum kt_error_code code);

/**
 * Drop an error that only decides a fallback; true when there was one.
 * For best-effort reads whose failure has its own, later, message.
 */
bool kt_error_catch_any(struct kt_error *err);

/** A short text for a fault reason, e.g. "page excluded from dump". */
const char *kt_fault_str(enum kt_fault fault);

/** Free the pointer a _cleanup_free_ variable holds. */
void kt_freep(void *p);
#define _cleanup_free_ __attribute__((cleanup(kt_freep)))

#endif /* KT_CORE_ERROR_H */
