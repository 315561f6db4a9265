// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A recursive-descent parser that evaluates as it goes:
 *
 *   expr    := unary
 *   unary   := '*' unary | '&' unary | '(' typename ')' unary | postfix
 *   postfix := primary { '->' IDENT | '.' IDENT | '[' NUMBER ']' }
 *   primary := IDENT [':' NUMBER] | NUMBER | '(' expr ')'
 *
 * IDENT:CPU is crash's spelling of a per-CPU variable's copy on CPU.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctype.h"
#include "core/expr.h"
#include "core/program.h"

#define MAX_TOKEN 128
#define MAX_DEPTH 64

enum tok {
	TOK_END,
	TOK_IDENT,
	TOK_NUMBER,
	TOK_ARROW,
	TOK_PUNCT,	/* one of * & . [ ] ( ) - : */
	TOK_BAD,
};

struct parser {
	struct kt_program *prog;
	const char *text;
	size_t pos;		/* of the current token */
	size_t next;		/* just past it */
	enum tok tok;
	char punct;
	char ident[MAX_TOKEN];
	uint64_t number;
	int depth;
};

static void lex(struct parser *p)
{
	const char *s = p->text;
	size_t i = p->next;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	p->pos = i;
	if (!s[i]) {
		p->tok = TOK_END;
	} else if (isalpha((unsigned char)s[i]) || s[i] == '_') {
		size_t n = 0;

		while ((isalnum((unsigned char)s[i]) || s[i] == '_') &&
		       n < MAX_TOKEN - 1)
			p->ident[n++] = s[i++];
		p->ident[n] = 0;
		p->tok = isalnum((unsigned char)s[i]) || s[i] == '_' ?
				 TOK_BAD : TOK_IDENT;
	} else if (isdigit((unsigned char)s[i])) {
		char *end;

		errno = 0;
		p->number = strtoull(s + i, &end, 0);
		p->tok = errno || isalnum((unsigned char)*end) || *end == '_' ?
				 TOK_BAD : TOK_NUMBER;
		i = end - s;
	} else if (s[i] == '-' && s[i + 1] == '>') {
		p->tok = TOK_ARROW;
		i += 2;
	} else if (strchr("*&.[]()-:", s[i])) {
		p->tok = TOK_PUNCT;
		p->punct = s[i++];
	} else {
		p->tok = TOK_BAD;
	}
	p->next = i;
}

static struct kt_error *syntax(struct parser *p, const char *what)
{
	const char *at = p->text + p->pos;

	if (p->tok == TOK_END)
		return kt_error_create(KT_ERR_INVALID,
				       "%s at the end of '%s'", what, p->text);
	return kt_error_create(KT_ERR_INVALID, "%s at column %zu ('%.20s')",
			       what, p->pos + 1, at);
}

static bool is_punct(const struct parser *p, char c)
{
	return p->tok == TOK_PUNCT && p->punct == c;
}

static bool base_word(const char *w)
{
	static const char *const words[] = {
		"unsigned", "signed", "char", "short", "int", "long",
		"void", "_Bool", "const", "volatile",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

static bool tag_word(const char *w)
{
	return !strcmp(w, "struct") || !strcmp(w, "union") ||
	       !strcmp(w, "enum");
}

/* A type name at the current token; the stars after it are counted. */
static struct kt_error *parse_type(struct parser *p, struct kt_type_ref *ret)
{
	char name[KT_CTYPE_NAME] = "";
	size_t n = 0;
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	while (p->tok == TOK_IDENT && (!strcmp(p->ident, "const") ||
				       !strcmp(p->ident, "volatile")))
		lex(p);
	if (p->tok != TOK_IDENT)
		return syntax(p, "expected a type name");
	if (tag_word(p->ident)) {
		n = snprintf(name, sizeof(name), "%s ", p->ident);
		lex(p);
		if (p->tok != TOK_IDENT)
			return syntax(p, "expected a struct, union or enum tag");
		snprintf(name + n, sizeof(name) - n, "%s", p->ident);
		lex(p);
	} else if (base_word(p->ident)) {
		while (p->tok == TOK_IDENT && base_word(p->ident)) {
			if (strcmp(p->ident, "const") &&
			    strcmp(p->ident, "volatile") && n < sizeof(name))
				n += snprintf(name + n, sizeof(name) - n,
					      "%s%s", n ? " " : "", p->ident);
			lex(p);
		}
	} else {
		snprintf(name, sizeof(name), "%s", p->ident);
		lex(p);
	}
	while (p->tok == TOK_IDENT && (!strcmp(p->ident, "const") ||
				       !strcmp(p->ident, "volatile")))
		lex(p);
	for (; is_punct(p, '*'); lex(p))
		ret->indirect++;
	if (!strcmp(name, "void")) {
		if (!ret->indirect)
			return kt_error_create(KT_ERR_INVALID,
					       "void has no value");
		return NULL;
	}
	err = kt_ctype_find(p->prog, name, &ret->type, NULL);
	if (err)
		return err;
	ret->has_type = true;
	return NULL;
}

/* After '(': does a type name follow (a cast) or an expression? */
static bool type_follows(struct parser *p)
{
	Dwarf_Die die;
	uint64_t addr;

	if (p->tok != TOK_IDENT)
		return false;
	if (tag_word(p->ident) || base_word(p->ident))
		return true;
	// A typedef name, unless a variable has that name.
	if (!kt_error_catch_any(kt_ctype_find_variable(p->prog, p->ident,
						       &die, &addr)))
		return false;
	return !kt_error_catch_any(kt_ctype_find(p->prog, p->ident, &die,
						 NULL));
}

static struct kt_error *unary(struct parser *p, struct kt_value *ret);

static struct kt_error *literal(struct parser *p, struct kt_value *ret)
{
	Dwarf_Die die;
	bool typed = !kt_error_catch_any(kt_ctype_find(p->prog,
						       "long unsigned int",
						       &die, NULL));

	kt_value_rvalue(typed ? &die : NULL, typed ? 0 : 1, p->number, ret);
	lex(p);
	return NULL;
}

/*
 * Per-CPU variables lie in __per_cpu_start .. __per_cpu_end and need a
 * CPU: on x86-64 that was 0-based (offsets, not addresses) until 6.15
 * linked the section in the kernel image like any other.
 */
static bool is_percpu(struct kt_program *prog, uint64_t addr)
{
	uint64_t start, end;

	return !kt_error_catch_any(kt_symbol_address(prog, "__per_cpu_start",
						     &start)) &&
	       !kt_error_catch_any(kt_symbol_address(prog, "__per_cpu_end",
						     &end)) &&
	       addr >= start && addr < end;
}

static struct kt_error *variable(struct parser *p, struct kt_value *ret)
{
	char name[MAX_TOKEN];
	struct kt_error *err;
	Dwarf_Die type;
	uint64_t addr, off;

	err = kt_ctype_find_variable(p->prog, p->ident, &type, &addr);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%s", p->ident);
	lex(p);
	if (is_percpu(p->prog, addr)) {
		if (!is_punct(p, ':'))
			return kt_error_create(KT_ERR_INVALID,
				"'%s' is a per-CPU variable: give a CPU, as in "
				"%s:0", name, name);
		lex(p);
		if (p->tok != TOK_NUMBER)
			return syntax(p, "expected a CPU number");
		err = kt_percpu_offset(p->prog, p->number, &off);
		if (err)
			return kt_error_wrap(err, "%s:%lu", name,
					     (unsigned long)p->number);
		addr += off;
		lex(p);
	}
	kt_value_at(&type, 0, addr, ret);
	return NULL;
}

static struct kt_error *primary(struct parser *p, struct kt_value *ret)
{
	struct kt_error *err;

	if (p->tok == TOK_NUMBER)
		return literal(p, ret);
	if (p->tok == TOK_IDENT)
		return variable(p, ret);
	if (is_punct(p, '(')) {
		lex(p);
		err = unary(p, ret);
		if (err)
			return err;
		if (!is_punct(p, ')'))
			return syntax(p, "expected ')'");
		lex(p);
		return NULL;
	}
	return syntax(p, "expected a name, a number or '('");
}

static struct kt_error *postfix(struct parser *p, struct kt_value *ret)
{
	struct kt_error *err = primary(p, ret);
	struct kt_value v;

	while (!err) {
		if (p->tok == TOK_ARROW || is_punct(p, '.')) {
			lex(p);
			if (p->tok != TOK_IDENT)
				return syntax(p, "expected a member name");
			err = kt_value_member(p->prog, ret, p->ident, &v);
			lex(p);
		} else if (is_punct(p, '[')) {
			bool neg;

			lex(p);
			neg = is_punct(p, '-');
			if (neg)
				lex(p);
			if (p->tok != TOK_NUMBER)
				return syntax(p, "expected an index");
			err = kt_value_index(p->prog, ret,
					     neg ? -(int64_t)p->number :
						   (int64_t)p->number, &v);
			lex(p);
			if (!err && !is_punct(p, ']'))
				return syntax(p, "expected ']'");
			lex(p);
		} else {
			return NULL;
		}
		if (!err)
			*ret = v;
	}
	return err;
}

static struct kt_error *unary(struct parser *p, struct kt_value *ret)
{
	struct kt_error *err;
	struct kt_value v;

	if (++p->depth > MAX_DEPTH)
		return syntax(p, "expression nested too deeply");
	if (is_punct(p, '*') || is_punct(p, '&')) {
		char op = p->punct;

		lex(p);
		err = unary(p, &v);
		if (err)
			return err;
		return op == '*' ? kt_value_deref(p->prog, &v, ret) :
				   kt_value_address_of(&v, ret);
	}
	if (is_punct(p, '(')) {
		struct parser save = *p;
		struct kt_type_ref t;

		lex(p);
		if (type_follows(p)) {
			err = parse_type(p, &t);
			if (err)
				return err;
			if (!is_punct(p, ')'))
				return syntax(p, "expected ')' after the type");
			lex(p);
			err = unary(p, &v);
			if (err)
				return err;
			return kt_value_cast(p->prog, &v,
					     t.has_type ? &t.type : NULL,
					     t.indirect, ret);
		}
		*p = save;
	}
	return postfix(p, ret);
}

/* crash's "struct T ADDR": the object of type T at ADDR. */
static bool typed_address(struct parser *p, struct kt_value *ret,
			  struct kt_error **err)
{
	struct parser save = *p;
	struct kt_type_ref t;

	if (p->tok != TOK_IDENT || !tag_word(p->ident))
		return false;
	*err = parse_type(p, &t);
	if (*err)
		return true;
	if (p->tok != TOK_NUMBER) {
		*p = save;
		*err = syntax(p, "a type name must be followed by an address");
		return true;
	}
	kt_value_at(t.has_type ? &t.type : NULL, t.indirect, p->number, ret);
	lex(p);
	return true;
}

struct kt_error *kt_expr_eval(struct kt_program *prog, const char *text,
			      struct kt_value *ret)
{
	struct parser p = { .prog = prog, .text = text };
	struct kt_error *err = NULL;

	lex(&p);
	if (p.tok == TOK_END)
		return kt_error_create(KT_ERR_INVALID, "empty expression");
	if (!typed_address(&p, ret, &err))
		err = unary(&p, ret);
	if (!err && p.tok != TOK_END)
		err = syntax(&p, "unexpected text");
	return err;
}

struct kt_error *kt_expr_parse_type(struct kt_program *prog, const char *text,
				    struct kt_type_ref *ret)
{
	struct parser p = { .prog = prog, .text = text };
	struct kt_error *err;

	lex(&p);
	err = parse_type(&p, ret);
	if (!err && p.tok != TOK_END)
		err = syntax(&p, "unexpected text after the type name");
	return err;
}
