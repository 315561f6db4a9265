// SPDX-License-Identifier: GPL-2.0-or-later
#include <dwarf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/ctype.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/value.h"

/* A char pointer's string is shown up to this many bytes. */
#define STRING_PEEK 64

const char *kt_value_kind_name(enum kt_value_kind kind)
{
	static const char *const names[] = {
		[KT_VALUE_STRUCT] = "struct",	[KT_VALUE_UNION] = "union",
		[KT_VALUE_ARRAY] = "array",	[KT_VALUE_POINTER] = "pointer",
		[KT_VALUE_FUNC_PTR] = "func-ptr", [KT_VALUE_ENUM] = "enum",
		[KT_VALUE_BASE] = "base",	[KT_VALUE_FUNC] = "function",
		[KT_VALUE_VOID] = "void",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
								   "?";
}

/* @die without typedefs and qualifiers; false for void or a cycle. */
static bool underlying(const Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Die d = *die;

	return !kt_error_catch_any(kt_dwarf_underlying(&d, ret));
}

/* The count of subrange @k of array @arr; false when there is none. */
static bool subrange(Dwarf_Die *arr, unsigned k, uint64_t *count)
{
	Dwarf_Die sub;
	unsigned i = 0;

	if (dwarf_child(arr, &sub))
		return false;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word v;

		if (dwarf_tag(&sub) != DW_TAG_subrange_type || i++ != k)
			continue;
		*count = 0;	// flexible array member
		if (dwarf_attr(&sub, DW_AT_count, &attr) &&
		    !dwarf_formudata(&attr, &v))
			*count = v;
		else if (dwarf_attr(&sub, DW_AT_upper_bound, &attr) &&
			 !dwarf_formudata(&attr, &v))
			*count = v + 1;
		return true;
	} while (dwarf_siblingof(&sub, &sub) == 0);
	return false;
}

static bool is_func_type(Dwarf_Die *type)
{
	Dwarf_Die u;

	return underlying(type, &u) &&
	       (dwarf_tag(&u) == DW_TAG_subroutine_type ||
		dwarf_tag(&u) == DW_TAG_subprogram);
}

static enum kt_value_kind kind_of(const struct kt_value *v)
{
	Dwarf_Die u, t;

	if (v->indirect)
		return v->indirect == 1 && v->has_type &&
		       is_func_type((Dwarf_Die *)&v->type) ?
			       KT_VALUE_FUNC_PTR : KT_VALUE_POINTER;
	if (!v->has_type || !underlying(&v->type, &u))
		return KT_VALUE_VOID;
	switch (dwarf_tag(&u)) {
	case DW_TAG_structure_type:
		return KT_VALUE_STRUCT;
	case DW_TAG_union_type:
		return KT_VALUE_UNION;
	case DW_TAG_array_type:
		return KT_VALUE_ARRAY;
	case DW_TAG_pointer_type:
		return kt_ctype_target(&u, &t) && is_func_type(&t) ?
			       KT_VALUE_FUNC_PTR : KT_VALUE_POINTER;
	case DW_TAG_enumeration_type:
		return KT_VALUE_ENUM;
	case DW_TAG_base_type:
		return KT_VALUE_BASE;
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
		return KT_VALUE_FUNC;
	}
	return KT_VALUE_VOID;
}

/* The element type of array node @v, as a node type (type + dim). */
static bool element_type(const struct kt_value *v, Dwarf_Die *type,
			 unsigned *dim)
{
	Dwarf_Die u;
	uint64_t count;

	if (!underlying(&v->type, &u))
		return false;
	if (subrange(&u, v->dim + 1, &count)) {
		*type = v->type;
		*dim = v->dim + 1;
		return true;
	}
	*dim = 0;
	return kt_ctype_target(&u, type);
}

static uint64_t size_of(const struct kt_value *v)
{
	Dwarf_Die u = v->type;
	uint64_t size = 0, count;

	if (v->indirect)
		return 8;
	if (!v->has_type)
		return 0;
	if (v->kind == KT_VALUE_ARRAY && v->dim) {
		struct kt_value elem = *v;
		unsigned dim;

		if (!underlying(&v->type, &u) || !subrange(&u, v->dim, &count) ||
		    !element_type(v, &elem.type, &dim))
			return 0;
		elem.dim = dim;
		elem.kind = dim ? KT_VALUE_ARRAY : kind_of(&elem);
		return count * size_of(&elem);
	}
	if (kt_error_catch_any(kt_dwarf_type_size(&u, &size)))
		return 0;
	return size;
}

static void init(struct kt_value *v, Dwarf_Die *type, unsigned indirect,
		 unsigned dim)
{
	memset(v, 0, sizeof(*v));
	if (type) {
		v->type = *type;
		v->has_type = true;
	}
	v->indirect = indirect;
	v->dim = dim;
	v->kind = dim ? KT_VALUE_ARRAY : kind_of(v);
	v->size = size_of(v);
}

struct kt_error *kt_value_at(Dwarf_Die *type, unsigned indirect,
			     uint64_t addr, struct kt_value *ret)
{
	init(ret, type, indirect, 0);
	ret->addr = addr;
	ret->in_memory = true;
	return NULL;
}

struct kt_error *kt_value_rvalue(Dwarf_Die *type, unsigned indirect,
				 uint64_t raw, struct kt_value *ret)
{
	init(ret, type, indirect, 0);
	ret->raw = raw;
	return NULL;
}

/* The array node's own dims as a type: "[4][8]" from subrange dim on. */
static void dims_from(const struct kt_value *v, char *buf, size_t size)
{
	Dwarf_Die u;
	uint64_t count;
	size_t n = 0;

	*buf = 0;
	if (!underlying(&v->type, &u))
		return;
	for (unsigned k = v->dim; subrange(&u, k, &count) && n < size; k++)
		n += snprintf(buf + n, size - n, "[%" PRIu64 "]", count);
}

static char *declare(const struct kt_value *v, const char *decl, char *buf,
		     size_t size)
{
	char inner[KT_CTYPE_NAME], dims[64];
	Dwarf_Die u, elem;

	if (!v->dim)
		return kt_ctype_declare(v->has_type ? (Dwarf_Die *)&v->type :
						      NULL,
					v->indirect, decl, buf, size);
	// A sub-array of a multi-dimensional array has no DIE of its own.
	dims_from(v, dims, sizeof(dims));
	snprintf(inner, sizeof(inner), "%s%s", decl ?: "", dims);
	if (!underlying(&v->type, &u) || !kt_ctype_target(&u, &elem))
		return kt_ctype_declare(NULL, 0, inner, buf, size);
	return kt_ctype_declare(&elem, 0, inner, buf, size);
}

char *kt_value_type_name(const struct kt_value *v, char *buf, size_t size)
{
	size_t n;

	declare(v, NULL, buf, size);
	n = strlen(buf);
	if (v->bit_size && n < size)
		snprintf(buf + n, size - n, ":%u", v->bit_size);
	return buf;
}

char *kt_value_declaration(const struct kt_value *v, char *buf, size_t size)
{
	size_t n;

	declare(v, v->name ?: "", buf, size);
	n = strlen(buf);
	if (v->bit_size && n < size)
		snprintf(buf + n, size - n, " : %u", v->bit_size);
	return buf;
}

/* ---- scalars ---- */

static bool is_signed(const struct kt_value *v)
{
	Dwarf_Die u, t;
	Dwarf_Attribute attr;
	Dwarf_Word enc;

	if (v->indirect || !underlying(&v->type, &u))
		return false;
	// An enum is as signed as the type it is stored in.
	if (dwarf_tag(&u) == DW_TAG_enumeration_type) {
		if (!kt_ctype_target(&u, &t) || !underlying(&t, &u))
			return false;
	}
	if (dwarf_tag(&u) != DW_TAG_base_type ||
	    !dwarf_attr(&u, DW_AT_encoding, &attr) ||
	    dwarf_formudata(&attr, &enc))
		return false;
	return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
}

struct kt_error *kt_value_read_scalar(struct kt_program *prog,
				      const struct kt_value *v, uint64_t *ret)
{
	uint8_t buf[16] = { 0 };
	uint64_t x = 0;
	size_t n = v->size;
	struct kt_error *err;

	if (!v->in_memory) {
		*ret = v->raw;
		return NULL;
	}
	if (v->bit_size)
		n = (v->bit_offset + v->bit_size + 7) / 8;
	if (n == 0 || n > 9)
		return kt_error_create(KT_ERR_INVALID,
				       "a value of %zu bytes is not a scalar",
				       n);
	err = kt_read(prog, v->addr, buf, n);
	if (err)
		return err;
	for (size_t i = 0; i < 8 && i < n; i++)
		x |= (uint64_t)buf[i] << (8 * i);
	if (v->bit_size) {
		if (v->bit_offset)
			x = x >> v->bit_offset | (uint64_t)buf[8]
				<< (64 - v->bit_offset);
		if (v->bit_size < 64)
			x &= (1ULL << v->bit_size) - 1;
		n = 0;
		if (is_signed(v) && v->bit_size < 64 &&
		    x >> (v->bit_size - 1))
			x |= ~0ULL << v->bit_size;
	} else if (n < 8 && is_signed(v) && x >> (8 * n - 1)) {
		x |= ~0ULL << (8 * n);
	}
	*ret = x;
	return NULL;
}

static void fault_text(struct kt_error *err, struct kt_value_desc *d)
{
	d->readable = false;
	d->fault = err->fault;
	snprintf(d->text, sizeof(d->text), "<%s>",
		 err->code == KT_ERR_FAULT ? kt_fault_str(err->fault) :
					     err->message);
	kt_error_destroy(err);
}

/* Sanitise @len raw bytes (to a NUL) into @out as text. */
static void set_string(struct kt_value_desc *d, const char *raw, size_t len)
{
	char clean[KT_VALUE_TEXT];

	kt_sanitize(raw, len, clean, sizeof(clean), false);
	d->is_string = true;
	snprintf(d->string, sizeof(d->string), "%s", clean);
	snprintf(d->text, sizeof(d->text), "\"%.*s\"",
		 (int)sizeof(d->text) - 3, clean);
}

static bool char_type(Dwarf_Die *type)
{
	Dwarf_Die u;
	Dwarf_Attribute attr;
	Dwarf_Word enc, size;

	if (!underlying(type, &u) || dwarf_tag(&u) != DW_TAG_base_type ||
	    !dwarf_attr(&u, DW_AT_encoding, &attr) ||
	    dwarf_formudata(&attr, &enc) ||
	    !dwarf_attr(&u, DW_AT_byte_size, &attr) ||
	    dwarf_formudata(&attr, &size))
		return false;
	return size == 1 && (enc == DW_ATE_signed_char ||
			     enc == DW_ATE_unsigned_char);
}

bool kt_value_is_char_array(const struct kt_value *v)
{
	Dwarf_Die t;
	unsigned dim;

	return v->kind == KT_VALUE_ARRAY && element_type(v, &t, &dim) &&
	       !dim && char_type(&t);
}

uint64_t kt_value_array_count(const struct kt_value *v)
{
	Dwarf_Die u;
	uint64_t count;

	if (v->kind != KT_VALUE_ARRAY || !underlying(&v->type, &u) ||
	    !subrange(&u, v->dim, &count))
		return 0;
	return count;
}

static void describe_char_array(struct kt_program *prog,
				const struct kt_value *v,
				struct kt_value_desc *d)
{
	char raw[KT_VALUE_TEXT / 4];
	size_t n = v->size < sizeof(raw) ? v->size : sizeof(raw);
	struct kt_error *err;

	// An array of unknown size (extern char banner[]): up to its NUL.
	if (!v->size)
		err = kt_read_cstr(prog, v->addr, raw, sizeof(raw));
	else
		err = kt_read(prog, v->addr, raw, n);
	if (err)
		return fault_text(err, d);
	set_string(d, raw, v->size ? n : strlen(raw));
	// Say when the array goes on past what is shown.
	if (((v->size > n && strnlen(raw, n) == n) ||
	     (!v->size && strlen(raw) == sizeof(raw) - 1)) &&
	    strlen(d->text) + 4 < sizeof(d->text))
		strcat(d->text, "...");
}

/* Enumerator name of @x, or "A|B" for a flag enum; false if none fits. */
static bool enum_text(Dwarf_Die *type, uint64_t x, uint64_t size, char *buf,
		      size_t bufsize)
{
	uint64_t mask = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	uint64_t covered = 0;
	bool flags = true;
	Dwarf_Die u, e;
	size_t n = 0;

	if (!underlying(type, &u) || dwarf_child(&u, &e))
		return false;
	x &= mask;
	*buf = 0;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word val;
		Dwarf_Sword sval;

		if (dwarf_tag(&e) != DW_TAG_enumerator ||
		    !dwarf_attr(&e, DW_AT_const_value, &attr))
			continue;
		if (dwarf_formudata(&attr, &val)) {
			if (dwarf_formsdata(&attr, &sval))
				continue;
			val = (uint64_t)sval;
		}
		val &= mask;
		if (val == x) {
			snprintf(buf, bufsize, "%s", dwarf_diename(&e) ?: "?");
			return true;
		}
		// gdb's flag enum: every enumerator one bit (or zero).
		if (val & (val - 1))
			flags = false;
		if (flags && val && (x & val) == val && n < bufsize) {
			n += snprintf(buf + n, bufsize - n, "%s%s",
				      n ? "|" : "", dwarf_diename(&e) ?: "?");
			covered |= val;
		}
	} while (dwarf_siblingof(&e, &e) == 0);
	return flags && x && covered == x && n < bufsize;
}

static void describe_base(const struct kt_value *v, uint64_t x,
			  struct kt_value_desc *d)
{
	Dwarf_Die u;
	Dwarf_Attribute attr;
	Dwarf_Word enc = 0;

	if (underlying(&v->type, &u) && dwarf_attr(&u, DW_AT_encoding, &attr))
		dwarf_formudata(&attr, &enc);
	if (enc == DW_ATE_boolean) {
		snprintf(d->text, sizeof(d->text), "%s",
			 x == 1 ? "true" : x ? "<bad bool>" : "false");
	} else if (enc == DW_ATE_float && v->size == 8) {
		double f;

		memcpy(&f, &x, sizeof(f));
		snprintf(d->text, sizeof(d->text), "%g", f);
	} else if (d->is_signed) {
		snprintf(d->text, sizeof(d->text), "%" PRId64, (int64_t)x);
	} else {
		snprintf(d->text, sizeof(d->text), "%" PRIu64, x);
	}
	// gdb's 65 'A' for chars that print as themselves.
	if (v->size == 1 && !v->bit_size && char_type((Dwarf_Die *)&v->type) &&
	    x >= 0x20 && x < 0x7f && x != '\'' && x != '\\') {
		size_t n = strlen(d->text);

		snprintf(d->text + n, sizeof(d->text) - n, " '%c'", (int)x);
	}
}

static void describe_pointer(struct kt_program *prog,
			     const struct kt_value *v, uint64_t x,
			     struct kt_value_desc *d)
{
	struct kt_symbol_hit h;
	Dwarf_Die u, t;

	d->is_pointer = true;
	d->pointer = x;
	snprintf(d->text, sizeof(d->text), "0x%" PRIx64, x);
	if (!x)
		return;
	if (v->kind == KT_VALUE_FUNC_PTR) {
		if (kt_symbol_lookup(prog, x, &h)) {
			char mod[KT_SANITIZED_SIZE(64)];

			if (h.module)
				kt_sanitize(h.module, 64, mod, sizeof(mod),
					    false);
			snprintf(d->symbol, sizeof(d->symbol),
				 h.offset ? "%s+0x%" PRIx64 "%s%s%s" :
					    "%s%.0" PRIx64 "%s%s%s",
				 h.name, h.offset, h.module ? " [" : "",
				 h.module ? mod : "", h.module ? "]" : "");
		}
		return;
	}
	kt_owner_brief(prog, x, d->owner, sizeof(d->owner));
	// char * as gdb shows it: the string it points to.
	if ((v->indirect == 1 && char_type((Dwarf_Die *)&v->type)) ||
	    (!v->indirect && underlying(&v->type, &u) &&
	     kt_ctype_target(&u, &t) && char_type(&t))) {
		char raw[STRING_PEEK + 1];

		if (!kt_error_catch_any(kt_read_cstr(prog, x, raw,
						     sizeof(raw)))) {
			size_t n = strlen(d->text);

			set_string(d, raw, strlen(raw));
			// keep the address first: 0x... "text"
			memmove(d->text + n + 1, d->text,
				strnlen(d->text, sizeof(d->text) - n - 2) + 1);
			snprintf(d->text, n + 1, "0x%" PRIx64, x);
			d->text[n] = ' ';
			d->text[sizeof(d->text) - 1] = 0;
		}
	}
}

struct kt_error *kt_value_describe(struct kt_program *prog,
				   const struct kt_value *v,
				   struct kt_value_desc *ret)
{
	struct kt_error *err;
	uint64_t x;

	memset(ret, 0, sizeof(*ret));
	ret->readable = true;
	switch (v->kind) {
	case KT_VALUE_STRUCT:
	case KT_VALUE_UNION:
	case KT_VALUE_ARRAY:
		if (kt_value_is_char_array(v) && v->in_memory)
			return describe_char_array(prog, v, ret), NULL;
		ret->composite = true;
		if (v->in_memory && v->size) {
			uint8_t b;

			err = kt_read(prog, v->addr, &b, 1);
			if (err)
				fault_text(err, ret);
		}
		return NULL;
	case KT_VALUE_VOID:
		snprintf(ret->text, sizeof(ret->text), "<void>");
		return NULL;
	case KT_VALUE_FUNC:
		ret->is_pointer = true;
		ret->pointer = v->addr;
		snprintf(ret->text, sizeof(ret->text), "0x%" PRIx64, v->addr);
		return NULL;
	default:
		break;
	}
	err = kt_value_read_scalar(prog, v, &x);
	if (err) {
		if (err->code != KT_ERR_FAULT && err->code != KT_ERR_INVALID)
			return err;
		fault_text(err, ret);
		return NULL;
	}
	ret->has_number = true;
	ret->number = x;
	ret->is_signed = is_signed(v);
	switch (v->kind) {
	case KT_VALUE_POINTER:
	case KT_VALUE_FUNC_PTR:
		describe_pointer(prog, v, x, ret);
		break;
	case KT_VALUE_ENUM:
		if (!enum_text((Dwarf_Die *)&v->type, x, v->size, ret->text,
			       sizeof(ret->text)))
			snprintf(ret->text, sizeof(ret->text),
				 ret->is_signed ? "%" PRId64 : "%" PRIu64, x);
		break;
	default:
		describe_base(v, x, ret);
	}
	return NULL;
}

/* ---- children ---- */

static bool member_value(const struct kt_value *parent, Dwarf_Die *m,
			 struct kt_value *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Word off = 0, bits, bitoff, bytes;
	uint64_t bit = 0;
	Dwarf_Die t;

	if (dwarf_tag(m) != DW_TAG_member || !kt_ctype_target(m, &t))
		return false;
	if (dwarf_attr(m, DW_AT_data_member_location, &attr) &&
	    dwarf_formudata(&attr, &off))
		return false;	// a location expression: not in C
	init(ret, &t, 0, 0);
	ret->name = dwarf_diename(m);
	if (dwarf_attr(m, DW_AT_bit_size, &attr) &&
	    !dwarf_formudata(&attr, &bits) && bits) {
		bit = off * 8;
		if (dwarf_attr(m, DW_AT_data_bit_offset, &attr) &&
		    !dwarf_formudata(&attr, &bitoff)) {
			bit += bitoff;
		} else if (dwarf_attr(m, DW_AT_bit_offset, &attr) &&
			   !dwarf_formudata(&attr, &bitoff)) {
			// DWARF 4 counts from the storage unit's top bit.
			bytes = ret->size;
			if (dwarf_attr(m, DW_AT_byte_size, &attr))
				dwarf_formudata(&attr, &bytes);
			bit += bytes * 8 - bitoff - bits;
		}
		off = bit / 8;
		ret->bit_offset = bit % 8;
		ret->bit_size = bits;
	}
	ret->addr = parent->addr + off;
	ret->in_memory = parent->in_memory;
	ret->offset = parent->offset + off;
	return true;
}

static bool element_value(const struct kt_value *parent, uint64_t i,
			  struct kt_value *ret)
{
	Dwarf_Die t;
	unsigned dim;

	if (!element_type(parent, &t, &dim))
		return false;
	init(ret, &t, 0, dim);
	ret->addr = parent->addr + i * ret->size;
	ret->in_memory = parent->in_memory;
	ret->offset = parent->offset + i * ret->size;
	snprintf(ret->label, sizeof(ret->label), "[%" PRIu64 "]", i);
	return true;
}

bool kt_value_next_child(const struct kt_value *v, struct kt_value_iter *it,
			 struct kt_value *ret)
{
	Dwarf_Die u;

	if (it->done)
		return false;
	if (v->kind == KT_VALUE_ARRAY) {
		if (it->index >= kt_value_array_count(v) ||
		    !element_value(v, it->index, ret)) {
			it->done = true;
			return false;
		}
		it->index++;
		return true;
	}
	if (v->kind != KT_VALUE_STRUCT && v->kind != KT_VALUE_UNION) {
		it->done = true;
		return false;
	}
	for (;;) {
		int r;

		if (!it->started) {
			it->started = true;
			r = underlying(&v->type, &u) ?
				    dwarf_child(&u, &it->member) : 1;
		} else {
			r = dwarf_siblingof(&it->member, &it->member);
		}
		if (r) {
			it->done = true;
			return false;
		}
		if (member_value(v, &it->member, ret))
			return true;
	}
}

/* ---- expressions ---- */

static bool find_member(const struct kt_value *v, const char *name,
			struct kt_value *ret, int depth)
{
	struct kt_value_iter it = { 0 };
	struct kt_value m;

	if (depth > 16)
		return false;
	while (kt_value_next_child(v, &it, &m)) {
		if (m.name && !strcmp(m.name, name)) {
			*ret = m;
			return true;
		}
		if (!m.name && find_member(&m, name, ret, depth + 1))
			return true;
	}
	return false;
}

struct kt_error *kt_value_member(struct kt_program *prog,
				 const struct kt_value *v, const char *member,
				 struct kt_value *ret)
{
	char tname[KT_CTYPE_NAME];
	struct kt_value obj;
	struct kt_error *err;

	obj = *v;
	if (v->kind == KT_VALUE_POINTER) {
		err = kt_value_deref(prog, v, &obj);
		if (err)
			return err;
	}
	if (obj.kind != KT_VALUE_STRUCT && obj.kind != KT_VALUE_UNION)
		return kt_error_create(KT_ERR_INVALID,
			"'%s' has no members: it is %s",
			member, kt_value_type_name(&obj, tname, sizeof(tname)));
	if (!find_member(&obj, member, ret, 0))
		return kt_error_create(KT_ERR_LOOKUP, "%s has no member '%s'",
			kt_value_type_name(&obj, tname, sizeof(tname)), member);
	return NULL;
}

/* What a pointer node points to, as a node type. */
static bool pointee(const struct kt_value *v, Dwarf_Die *type, bool *has,
		    unsigned *indirect)
{
	Dwarf_Die u;

	if (v->indirect) {
		*type = v->type;
		*has = v->has_type;
		*indirect = v->indirect - 1;
		return true;
	}
	if (!underlying(&v->type, &u) || dwarf_tag(&u) != DW_TAG_pointer_type)
		return false;
	*indirect = 0;
	*has = kt_ctype_target(&u, type);
	return true;
}

struct kt_error *kt_value_index(struct kt_program *prog,
				const struct kt_value *v, int64_t i,
				struct kt_value *ret)
{
	char tname[KT_CTYPE_NAME];
	struct kt_error *err;
	unsigned indirect;
	Dwarf_Die t;
	uint64_t p;
	bool has;

	if (v->kind == KT_VALUE_ARRAY) {
		if (!v->in_memory || !element_value(v, 0, ret))
			return kt_error_create(KT_ERR_INVALID,
					       "cannot index this array");
		ret->addr = v->addr + i * ret->size;
		ret->offset = v->offset + i * ret->size;
		snprintf(ret->label, sizeof(ret->label), "[%" PRId64 "]", i);
		return NULL;
	}
	if (v->kind != KT_VALUE_POINTER || !pointee(v, &t, &has, &indirect))
		return kt_error_create(KT_ERR_INVALID,
			"cannot dereference %s",
			kt_value_type_name(v, tname, sizeof(tname)));
	if (!has && !indirect)
		return kt_error_create(KT_ERR_INVALID,
				       "cannot dereference a void *");
	err = kt_value_read_scalar(prog, v, &p);
	if (err)
		return kt_error_wrap(err, "reading the pointer");
	kt_value_at(has ? &t : NULL, indirect, 0, ret);
	if (ret->kind == KT_VALUE_FUNC)
		return kt_error_create(KT_ERR_INVALID,
				       "cannot dereference a function pointer");
	ret->addr = p + i * ret->size;
	return NULL;
}

struct kt_error *kt_value_deref(struct kt_program *prog,
				const struct kt_value *v, struct kt_value *ret)
{
	return kt_value_index(prog, v, 0, ret);
}

struct kt_error *kt_value_address_of(const struct kt_value *v,
				     struct kt_value *ret)
{
	if (!v->in_memory || v->bit_size || v->dim)
		return kt_error_create(KT_ERR_INVALID,
			v->bit_size ? "cannot take the address of a bitfield" :
				      "cannot take the address of this value");
	kt_value_rvalue(v->has_type ? (Dwarf_Die *)&v->type : NULL,
			v->indirect + 1, v->addr, ret);
	return NULL;
}

struct kt_error *kt_value_cast(struct kt_program *prog,
			       const struct kt_value *v, Dwarf_Die *type,
			       unsigned indirect, struct kt_value *ret)
{
	char tname[KT_CTYPE_NAME];
	struct kt_error *err;
	uint64_t x;

	kt_value_rvalue(type, indirect, 0, ret);
	if (ret->kind == KT_VALUE_STRUCT || ret->kind == KT_VALUE_UNION ||
	    ret->kind == KT_VALUE_ARRAY || ret->kind == KT_VALUE_VOID ||
	    ret->kind == KT_VALUE_FUNC)
		return kt_error_create(KT_ERR_INVALID,
			"cannot cast to %s; cast to a pointer and dereference",
			kt_value_type_name(ret, tname, sizeof(tname)));
	if (v->kind == KT_VALUE_ARRAY && v->in_memory) {
		x = v->addr;	// an array decays to its address
	} else if (v->kind == KT_VALUE_STRUCT || v->kind == KT_VALUE_UNION ||
		   v->kind == KT_VALUE_VOID) {
		return kt_error_create(KT_ERR_INVALID, "cannot cast %s",
			kt_value_type_name(v, tname, sizeof(tname)));
	} else {
		err = kt_value_read_scalar(prog, v, &x);
		if (err)
			return err;
	}
	if (ret->size && ret->size < 8)
		x &= (1ULL << (8 * ret->size)) - 1;
	ret->raw = x;
	return NULL;
}
