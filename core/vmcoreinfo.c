// SPDX-License-Identifier: GPL-2.0-or-later
/* VMCOREINFO values, parsed strictly and bounded; see vmcoreinfo.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/sanitize.h"
#include "core/vmcoreinfo.h"

#define KERNEL_HALF 0xff00000000000000ULL	/* 5-level paging's too */
#define KASLR_ALIGN (2ULL << 20)	/* CONFIG_PHYSICAL_ALIGN's minimum */
#define KASLR_MAX (1ULL << 30)		/* KERNEL_IMAGE_SIZE */
#define MAX_LENGTH (1LL << 24)
#define MAX_CRASHTIME (1LL << 40)

enum syntax { DEC, SDEC, HEX, RELEASE };

/* What the values of the keys that start with @prefix can be. */
struct rule {
	const char *prefix;
	bool whole;		/* the key is the prefix itself */
	enum syntax syntax;
	uint64_t min, max;	/* for SDEC: int64_t */
	uint64_t align;		/* 0: any */
	const char *what;
	bool bit;		/* 0 or a single bit from 2^32 up */
};

#define PREFIX(p, ...) { .prefix = p, __VA_ARGS__ }
#define WHOLE(p, ...) { .prefix = p, .whole = true, __VA_ARGS__ }

static const struct rule rules[] = {
	PREFIX("OFFSET(", .syntax = DEC, .max = KT_VMCOREINFO_MAX_SIZE - 1,
	       .what = "a member offset"),
	PREFIX("SIZE(", .syntax = DEC, .min = 1, .max = KT_VMCOREINFO_MAX_SIZE,
	       .what = "a type size"),
	PREFIX("LENGTH(", .syntax = DEC, .min = 1, .max = MAX_LENGTH,
	       .what = "an array length"),
	// Those libkdumpfile lays out the kernel with, before the rest.
	WHOLE("NUMBER(phys_base)", .syntax = SDEC, .min = (uint64_t)INT64_MIN,
	      .max = INT64_MAX, .align = KASLR_ALIGN,
	      .what = "a physical offset in 2 MiB steps"),
	WHOLE("NUMBER(pgtable_l5_enabled)", .syntax = DEC, .max = 1,
	      .what = "0 or 1"),
	// AMD SME's C-bit, which libkdumpfile clears from every PTE: bit 47
	// or 51 on the parts there are, above any PTE flag and RAM address.
	WHOLE("NUMBER(sme_mask)", .syntax = DEC, .max = 1ULL << 51, .bit = true,
	      .what = "an SME mask (0 or one bit from 2^32 to 2^51)"),
	PREFIX("NUMBER(", .syntax = SDEC, .min = (uint64_t)INT64_MIN,
	       .max = INT64_MAX, .what = "a number"),
	PREFIX("SYMBOL(", .syntax = HEX, .min = KERNEL_HALF, .max = UINT64_MAX,
	       .what = "a kernel address"),
	WHOLE("KERNELOFFSET", .syntax = HEX, .max = KASLR_MAX - KASLR_ALIGN,
	      .align = KASLR_ALIGN,
	      .what = "an x86-64 KASLR offset (2 MiB steps below 1 GiB)"),
	WHOLE("PAGESIZE", .syntax = DEC, .min = 4096, .max = 4096,
	      .what = "x86-64's page size (4096)"),
	WHOLE("CRASHTIME", .syntax = DEC, .max = MAX_CRASHTIME,
	      .what = "a time in seconds"),
	WHOLE("OSRELEASE", .syntax = RELEASE, .what = "a kernel release"),
};

static const struct rule *rule_of(const char *key)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];

		if (r->whole ? !strcmp(key, r->prefix) :
			       !strncmp(key, r->prefix, strlen(r->prefix)))
			return r;
	}
	return NULL;
}

static int digit(char c, enum syntax syntax)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (syntax == HEX && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (syntax == HEX && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * "MAJOR.MINOR" then printable ASCII, as libkdumpfile needs to find the
 * version, and under the 64 bytes of utsname.release.
 */
static bool release(const char *s)
{
	size_t n = strlen(s);

	if (n >= 65 || !(s[0] >= '1' && s[0] <= '9') ||
	    !strchr(s, '.') || s[strspn(s, "0123456789")] != '.' ||
	    !(s[strspn(s, "0123456789") + 1] >= '0' &&
	      s[strspn(s, "0123456789") + 1] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return false;
	return true;
}

/* @s as a number of @syntax, whole, without wrapping; false if not. */
static bool parse(const char *s, enum syntax syntax, uint64_t *ret)
{
	unsigned base = syntax == HEX ? 16 : 10;
	bool neg = syntax == SDEC && *s == '-';
	uint64_t v = 0, limit;
	int d;

	s += neg;
	// a NUMBER() the kernel prints with %lx (x86's VMALLOC_START from
	// 6.x): "0x" and a 64-bit pattern
	if (syntax == SDEC && !neg && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X'))
		syntax = HEX, base = 16;
	if (syntax == HEX && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		d = digit(*s, syntax);
		if (d < 0 || !kt_mul(v, base, &v) || !kt_add(v, d, &v))
			return false;
	}
	if (syntax == SDEC) {
		limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		if (v > limit)
			return false;
		v = neg ? -v : v;
	}
	*ret = v;
	return true;
}

static bool in_rule(const struct rule *r, uint64_t v)
{
	int64_t align = r->align ? (int64_t)r->align : 1;

	if (r->syntax == SDEC)
		return (int64_t)v >= (int64_t)r->min &&
		       (int64_t)v <= (int64_t)r->max && (int64_t)v % align == 0;
	return v >= r->min && v <= r->max && v % align == 0 &&
	       (!r->bit || !v || (!(v & (v - 1)) && v >> 32));
}

static struct kt_error *bad_value(const char *key, const char *value,
				  const char *what)
{
	char shown[KT_SANITIZED_SIZE(40)];

	kt_sanitize(value, 40, shown, sizeof(shown), false);
	return kt_error_create(KT_ERR_CORRUPT,
		"VMCOREINFO %s=%s%s is not %s: the dump's VMCOREINFO is "
		"corrupt", key, shown, strlen(value) > 40 ? "..." : "", what);
}

/* "struct page" -> "page": VMCOREINFO names types bare. */
static const char *bare(const char *type)
{
	if (!strncmp(type, "struct ", 7))
		return type + 7;
	if (!strncmp(type, "union ", 6))
		return type + 6;
	return type;
}

/* An OFFSET(T.m) must lie inside T when SIZE(T) is given (and good). */
static struct kt_error *offset_in_type(struct kt_dump *dump, const char *key,
				       uint64_t off)
{
	const char *dot = strchr(key, '.');
	char size_key[256];
	uint64_t size;

	if (!dot || snprintf(size_key, sizeof(size_key), "SIZE(%.*s)",
			     (int)(dot - key - 7), key + 7) >=
			    (int)sizeof(size_key) ||
	    kt_error_catch_any(kt_vmcoreinfo_value(dump, size_key, &size)) ||
	    off < size)
		return NULL;
	return kt_error_create(KT_ERR_CORRUPT,
		"VMCOREINFO %s=%" PRIu64 " is past the end of the type (%s=%"
		PRIu64 "): the dump's VMCOREINFO is corrupt", key, off,
		size_key, size);
}

/* @value of @key by the key's rule; NULL when it keeps it. */
static struct kt_error *check_value(struct kt_dump *dump, const char *key,
				    const char *value, uint64_t *ret)
{
	const struct rule *r = rule_of(key);
	uint64_t n;

	if (!r)
		return kt_error_create(KT_ERR_INVALID,
				       "VMCOREINFO %s has no rule", key);
	if (r->syntax == RELEASE) {
		*ret = 0;
		return release(value) ? NULL : bad_value(key, value, r->what);
	}
	if (!parse(value, r->syntax, &n) || !in_rule(r, n))
		return bad_value(key, value, r->what);
	if (!strncmp(key, "OFFSET(", 7)) {
		struct kt_error *err = offset_in_type(dump, key, n);

		if (err)
			return err;
	}
	*ret = n;
	return NULL;
}

struct kt_error *kt_vmcoreinfo_value(struct kt_dump *dump, const char *key,
				     uint64_t *ret)
{
	const char *v = kt_dump_vmcoreinfo(dump, key);

	if (!v)
		return kt_error_create(KT_ERR_LOOKUP, "no VMCOREINFO %s", key);
	return check_value(dump, key, v, ret);
}

struct kt_error *kt_vmcoreinfo_number(struct kt_dump *dump, const char *key,
				      int64_t min, int64_t max, int64_t *ret)
{
	struct kt_error *err;
	uint64_t n;
	char what[96];

	err = kt_vmcoreinfo_value(dump, key, &n);
	if (err)
		return err;
	if ((int64_t)n < min || (int64_t)n > max) {
		snprintf(what, sizeof(what), "in [%" PRId64 ", %" PRId64 "]",
			 min, max);
		return bad_value(key, kt_dump_vmcoreinfo(dump, key), what);
	}
	*ret = (int64_t)n;
	return NULL;
}

struct kt_error *kt_vmcoreinfo_offset(struct kt_dump *dump, const char *type,
				      const char *member, uint64_t *ret)
{
	char key[256];

	if (snprintf(key, sizeof(key), "OFFSET(%s.%s)", bare(type), member) >=
	    (int)sizeof(key))
		return kt_error_create(KT_ERR_LOOKUP, "no VMCOREINFO %s", key);
	return kt_vmcoreinfo_value(dump, key, ret);
}

struct kt_error *kt_vmcoreinfo_size(struct kt_dump *dump, const char *type,
				    uint64_t *ret)
{
	char key[256];

	if (snprintf(key, sizeof(key), "SIZE(%s)", bare(type)) >=
	    (int)sizeof(key))
		return kt_error_create(KT_ERR_LOOKUP, "no VMCOREINFO %s", key);
	return kt_vmcoreinfo_value(dump, key, ret);
}

static void append(char **out, size_t *len, const char *line, size_t n)
{
	char *p = realloc(*out, *len + n + 2);

	if (!p)
		return;
	memcpy(p + *len, line, n);
	p[*len + n] = '\n';
	p[*len + n + 1] = 0;
	*out = p;
	*len += n + 1;
}

/* Whether line [@p, @p + @n) keeps its key's rule; else append why. */
/*
 * KEY=VALUE as the kernel writes it: a key of letters, digits, '_', '-'
 * and '.', or NAME(ARG) of those; a printable ASCII value. libkdumpfile's
 * parser is not safe on other shapes (an unbalanced "LENGTH(x=" crashed
 * it under the fuzzer).
 */
static bool shape_ok(const char *p, size_t k, size_t n, bool value_too)
{
	const char *open = memchr(p, '(', k), *close = memchr(p, ')', k);

	if (!k || k >= n)
		return false;
	for (size_t i = 0; i < k; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || strchr("_-.()", p[i])))
			return false;
	if (open || close) {
		if (!open || !close || open == p || close != p + k - 1 ||
		    close <= open + 1 || memchr(open + 1, '(', k - (open - p) - 1) ||
		    memchr(p, ')', close - p))
			return false;
	}
	for (size_t i = k + 1; value_too && i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			return false;
	return true;
}

bool kt_vmcoreinfo_line_ok(const char *line, size_t n)
{
	size_t k = 0;

	while (k < n && line[k] != '=')
		k++;
	return shape_ok(line, k, n, false);
}

static bool line_good(struct kt_dump *dump, const char *p, size_t n,
		      char **problems, size_t *plen)
{
	size_t k = strcspn(p, "=\n");
	char key[256], value[64], shown[KT_SANITIZED_SIZE(40)];
	struct kt_error *err;
	uint64_t v;

	if (!n)
		return true;
	if (!shape_ok(p, k, n, true) || k >= sizeof(key)) {
		kt_sanitize(p, n < 40 ? n : 40, shown, sizeof(shown), false);
		err = kt_error_create(KT_ERR_CORRUPT, "VMCOREINFO line \"%s%s\" "
				      "is not KEY=VALUE: the dump's VMCOREINFO "
				      "is corrupt", shown, n > 40 ? "..." : "");
		append(problems, plen, err->message, strlen(err->message));
		kt_error_destroy(err);
		return false;
	}
	memcpy(key, p, k);
	key[k] = 0;
	if (!rule_of(key))
		return true;
	// No value of a rule needs more than 20 characters.
	if (n - k - 1 < sizeof(value)) {
		snprintf(value, sizeof(value), "%.*s", (int)(n - k - 1),
			 p + k + 1);
		err = check_value(dump, key, value, &v);
	} else {
		err = kt_error_create(KT_ERR_CORRUPT,
			"VMCOREINFO %s has a value of %zu characters: the "
			"dump's VMCOREINFO is corrupt", key, n - k - 1);
	}
	if (err)
		append(problems, plen, err->message, strlen(err->message));
	kt_error_destroy(err);
	return !err;
}

static void unfiled_line(const char *p, size_t n, char **problems,
			 size_t *plen)
{
	char shown[KT_SANITIZED_SIZE(40)];
	struct kt_error *err;

	kt_sanitize(p, n < 40 ? n : 40, shown, sizeof(shown), false);
	err = kt_error_create(KT_ERR_CORRUPT, "VMCOREINFO line \"%s%s\" has a "
			      "key the kernel does not write (an empty part "
			      "between dots, or under another line's key): the "
			      "dump's VMCOREINFO is corrupt", shown,
			      n > 40 ? "..." : "");
	append(problems, plen, err->message, strlen(err->message));
	kt_error_destroy(err);
}

char *kt_vmcoreinfo_check_all(struct kt_dump *dump, char **good)
{
	const char *p = kt_dump_vmcoreinfo_raw(dump);
	char *problems = NULL, *kept = NULL;
	size_t plen = 0, klen = 0, nlines = 0, line = 0;
	bool *unfiled = p ? kt_vmcoreinfo_unfiled(p, strlen(p), &nlines) : NULL;

	if (p && !unfiled) {
		if (good)
			*good = NULL;
		return strdup("out of memory checking VMCOREINFO");
	}
	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (line < nlines && unfiled[line])
			unfiled_line(p, n, &problems, &plen);
		else if (line_good(dump, p, n, &problems, &plen))
			append(&kept, &klen, p, n);
		p += n + (p[n] == '\n');
		line++;
	}
	free(unfiled);
	if (problems && good)
		*good = kept;
	else
		free(kept);
	return problems;
}
