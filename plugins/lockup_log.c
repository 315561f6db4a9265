// SPDX-License-Identifier: GPL-2.0-or-later
/* The lockup detectors' reports in the kernel log (see lockup_log.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/lockup_log.h"

#define LINE_MAX_LEN 512
/* how far after a report its stall lines and its CPU's stack dump are */
#define RCU_LINES 64
#define HEADER_LINES 400
/* a CPU number past this is garbage */
#define MAX_CPU 65535

const char *kt_lockup_kind_name(enum kt_lockup_kind kind)
{
	switch (kind) {
	case KT_LOCKUP_SOFT:
		return "soft lockup";
	case KT_LOCKUP_HARD:
		return "hard lockup";
	case KT_LOCKUP_RCU:
		return "RCU stall";
	}
	return "lockup";
}

/* Record @i as a C string (cut at LINE_MAX_LEN - 1 bytes). */
static const char *line(const struct kt_log_record *recs, size_t i,
			char *buf)
{
	size_t len = recs[i].len < LINE_MAX_LEN - 1 ? recs[i].len :
		     LINE_MAX_LEN - 1;

	memcpy(buf, recs[i].text, len);
	buf[len] = 0;
	// a NUL inside a record ends it here
	return buf;
}

/* A decimal number at *@p (advanced past it); false when none. */
static bool number(const char **p, long *ret)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**p))
		return false;
	v = strtol(*p, &end, 10);
	if (v < 0)
		return false;
	*p = end;
	*ret = v;
	return true;
}

/* @s at *@p: skip it and return true. */
static bool skip(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n))
		return false;
	*p += n;
	return true;
}

static void init_report(struct kt_lockup_report *r, enum kt_lockup_kind kind,
			size_t record)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->cpu = r->detector = r->pid = -1;
	r->seconds = r->ticks = r->jiffies = -1;
	r->record = record;
}

/* "BUG: soft lockup - CPU#1 stuck for 13s! [kt_merge_peer:126]" */
static bool soft_lockup(const char *s, size_t rec, struct kt_lockup_report *r)
{
	const char *p = strstr(s, "BUG: soft lockup - CPU#");
	const char *open, *close, *colon;
	long cpu, secs, pid;

	if (!p)
		return false;
	p += strlen("BUG: soft lockup - CPU#");
	if (!number(&p, &cpu) || cpu > MAX_CPU || !skip(&p, " stuck for ") ||
	    !number(&p, &secs) || !skip(&p, "s!"))
		return false;
	init_report(r, KT_LOCKUP_SOFT, rec);
	r->cpu = (int)cpu;
	r->seconds = secs;
	// [comm:pid]: the comm may hold ':' or ']', the pid is the last
	open = strchr(p, '[');
	close = strrchr(p, ']');
	colon = close ? memrchr(p, ':', (size_t)(close - p)) : NULL;
	if (open && colon && colon > open) {
		const char *q = colon + 1;

		if (number(&q, &pid) && q == close) {
			r->pid = (int)pid;
			snprintf(r->comm, sizeof(r->comm), "%.*s",
				 (int)(colon - open - 1), open + 1);
		}
	}
	return true;
}

/* The N of "CPUN: " just before @at, or -1. */
static int cpu_prefix(const char *s, const char *at)
{
	const char *q = at;
	long cpu;

	if (q - s < 6 || q[-1] != ' ' || q[-2] != ':')
		return -1;
	q -= 2;
	while (q > s && isdigit((unsigned char)q[-1]))
		q--;
	if (q - s < 3 || strncmp(q - 3, "CPU", 3) || !number(&q, &cpu))
		return -1;
	return (int)cpu;
}

/* "Watchdog detected hard LOCKUP on cpu 1", maybe after "CPU0: " */
static bool hard_lockup(const char *s, size_t rec, struct kt_lockup_report *r)
{
	static const char key[] = "Watchdog detected hard LOCKUP on cpu ";
	const char *at = strstr(s, key), *p;
	long cpu;

	if (!at)
		return false;
	p = at + strlen(key);
	if (!number(&p, &cpu) || cpu > MAX_CPU)
		return false;
	init_report(r, KT_LOCKUP_HARD, rec);
	r->cpu = (int)cpu;
	r->detector = cpu_prefix(s, at);
	return true;
}

static bool rcu_header(const char *s, bool *self)
{
	if (!strstr(s, "rcu: INFO: ") && !strstr(s, "INFO: rcu_"))
		return false;
	*self = strstr(s, "self-detected stall on CPU") != NULL;
	// "detected expedited stalls" has another layout: not parsed
	return *self || strstr(s, "detected stalls on CPUs/tasks") != NULL;
}

/* "rcu: \t1-...!: (563 ticks this GP) idle=..." */
static bool rcu_cpu_line(const char *s, long *cpu, long *ticks)
{
	const char *p = s;

	skip(&p, "rcu: ");
	while (*p == ' ' || *p == '\t')
		p++;
	if (!number(&p, cpu) || *cpu > MAX_CPU || *p++ != '-')
		return false;
	for (int i = 0; i < 4; i++)
		if (!*p++)
			return false;
	if (!skip(&p, ": ("))
		return false;
	if (!number(&p, ticks))
		return false;
	if (skip(&p, " ticks this GP)"))
		return true;
	*ticks = -1;
	return skip(&p, " GPs behind)");
}

/* "\t(t=751 jiffies g=..." or "\t(detected by 0, t=5252 jiffies, ..." */
static bool rcu_end_line(const char *s, long *jiffies, long *by)
{
	const char *p = strstr(s, "(detected by "), *t;

	*by = -1;
	if (p) {
		p += strlen("(detected by ");
		if (!number(&p, by))
			*by = -1;
	}
	t = strstr(s, "t=");
	if (!t || (!p && !strstr(s, "(t=")))
		return false;
	t += 2;
	return number(&t, jiffies) && skip(&t, " jiffies");
}

/* "CPU: 1 PID: 125 Comm: kt_stall_hold Kdump: ..." (UID: 0 from 6.10) */
static bool cpu_header(const char *s, long *cpu, long *pid, char *comm,
		       size_t len)
{
	static const char *const ends[] = { " Kdump: ", " Tainted: ",
					     " Not tainted" };
	const char *p = s, *c, *e;
	size_t n;

	while (*p == ' ')
		p++;
	if (!skip(&p, "CPU: ") || !number(&p, cpu) ||
	    !(p = strstr(p, " PID: ")))
		return false;
	p += strlen(" PID: ");
	if (!number(&p, pid) || !(c = strstr(p, " Comm: ")))
		return false;
	c += strlen(" Comm: ");
	e = c + strlen(c);
	for (size_t i = 0; i < sizeof(ends) / sizeof(*ends); i++) {
		const char *x = strstr(c, ends[i]);

		if (x && x < e)
			e = x;
	}
	n = (size_t)(e - c) < len - 1 ? (size_t)(e - c) : len - 1;
	memcpy(comm, c, n);
	comm[n] = 0;
	return true;
}

/* The task of the first stack dump of @r's CPU after the report. */
static void name_task(const struct kt_log_record *recs, size_t n,
		      struct kt_lockup_report *r)
{
	char buf[LINE_MAX_LEN];

	for (size_t i = r->record + 1; i < n && i <= r->record + HEADER_LINES;
	     i++) {
		long cpu, pid;

		if (cpu_header(line(recs, i, buf), &cpu, &pid, r->comm,
			       sizeof(r->comm)) &&
		    cpu == r->cpu) {
			r->pid = (int)pid;
			return;
		}
		r->comm[0] = 0;
	}
}

/* Add @r, or replace the earlier report of its CPU and kind. */
static size_t add(struct kt_lockup_report *ret, size_t n, size_t max,
		  const struct kt_lockup_report *r)
{
	for (size_t i = 0; i < n; i++) {
		if (ret[i].kind != r->kind || ret[i].cpu != r->cpu)
			continue;
		size_t count = ret[i].count;

		ret[i] = *r;
		ret[i].count = count + 1;
		return n;
	}
	if (n == max)
		return n;
	ret[n] = *r;
	ret[n].count = 1;
	return n + 1;
}

/* The CPU lines after an RCU header at @i: one report each. */
static size_t rcu_stall(const struct kt_log_record *recs, size_t n, size_t i,
			bool self, struct kt_lockup_report *ret, size_t nret,
			size_t max)
{
	struct kt_lockup_report found[16];
	size_t nf = 0;
	long jiffies = -1, by = -1;
	char buf[LINE_MAX_LEN];

	for (size_t k = i + 1; k < n && k <= i + RCU_LINES; k++) {
		const char *s = line(recs, k, buf);
		long cpu, ticks;
		bool dummy;

		if (rcu_header(s, &dummy))
			break;
		if (rcu_cpu_line(s, &cpu, &ticks) &&
		    nf < sizeof(found) / sizeof(*found)) {
			init_report(&found[nf], KT_LOCKUP_RCU, i);
			found[nf].cpu = (int)cpu;
			found[nf++].ticks = ticks;
		} else if (rcu_end_line(s, &jiffies, &by)) {
			break;
		}
	}
	for (size_t k = 0; k < nf; k++) {
		found[k].jiffies = jiffies;
		found[k].detector = self ? found[k].cpu : (int)by;
		name_task(recs, n, &found[k]);
		nret = add(ret, nret, max, &found[k]);
	}
	return nret;
}

size_t kt_lockup_log_scan(const struct kt_log_record *recs, size_t n,
			  struct kt_lockup_report *ret, size_t max)
{
	char buf[LINE_MAX_LEN];
	size_t nret = 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = line(recs, i, buf);
		struct kt_lockup_report r;
		bool self;

		if (soft_lockup(s, i, &r)) {
			nret = add(ret, nret, max, &r);
		} else if (hard_lockup(s, i, &r)) {
			name_task(recs, n, &r);
			nret = add(ret, nret, max, &r);
		} else if (rcu_header(s, &self)) {
			nret = rcu_stall(recs, n, i, self, ret, nret, max);
		}
	}
	return nret;
}
