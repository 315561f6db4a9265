// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dis and rd: decoded facts at the shared dumps' faults, crash 8.0.6's
 * dis (tests/expected/DUMP.FUNCTION.dis.txt, from tests/oracle/crash_dis.sh), rd
 * against the core's reads.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/disasm.h"
#include "core/module.h"
#include "core/stack.h"
#include "tests/helpers.h"

static uint64_t hex(const char *s)
{
	return strtoull(s, NULL, 16);
}

/* The pc of the crashed thread's first frame, as drgn has it. */
static uint64_t crash_pc(const char *dump)
{
	cJSON *exp = kt_test_expected(dump);
	cJSON *st = cJSON_GetObjectItemCaseSensitive(exp, "crashed_stack");
	cJSON *pc = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(st, 0),
						     "pc");
	uint64_t v;

	cr_assert(cJSON_IsString(pc), "%s: no crashed_stack[0].pc", dump);
	v = hex(pc->valuestring);
	cJSON_Delete(exp);
	return v;
}

static struct kt_run run(const char *dump, bool json, const char *cmd)
{
	char *path = kt_test_dump_path(dump, ".kdump");
	const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-m", NULL,
			       "-c", cmd, json ? "--json" : NULL, NULL };
	char mods[512];
	struct kt_run r;

	snprintf(mods, sizeof(mods), "%s/modules", kt_test_env("KT_FIXTURES"));
	argv[3] = mods;
	r = kt_test_run(argv);
	free(path);
	return r;
}

Test(disasm, hctx_fq_fault_is_load_into_rdi)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	uint64_t pc = crash_pc("hctx-fq");
	struct kt_disasm_insn in;
	struct kt_disasm *d;
	int m, w;

	cr_assert_null(kt_disasm_create(&d));
	cr_assert_null(kt_disasm_read(d, prog, pc, &in));
	cr_expect_str_eq(in.mnemonic, "mov");
	cr_expect_str_eq(in.operands, "0x40(%rdi),%rdi");
	cr_expect_eq(in.len, 4);
	cr_expect_eq(in.flow, KT_FLOW_NONE);
	m = kt_disasm_mem_op(&in);
	cr_assert_eq(m, 0, "the source is the memory operand");
	cr_expect_eq(in.ops[m].mem.base, KT_REG_RDI);
	cr_expect_eq(in.ops[m].mem.index, KT_DISASM_NOREG);
	cr_expect_eq(in.ops[m].mem.disp, 0x40);
	cr_expect(in.ops[m].read && !in.ops[m].written, "a load");
	w = kt_disasm_written_op(&in);
	cr_assert_eq(w, 1);
	cr_expect_eq(in.ops[w].kind, KT_OP_REG);
	cr_expect_eq(in.ops[w].reg, KT_REG_RDI);
	cr_expect_eq(in.ops[w].size, 8);
	kt_disasm_destroy(d);
	kt_program_destroy(prog);
}

/* The interrupted frame at @pc of the crashed task, with its registers. */
static void fault_frame(struct kt_program *prog, const char *dump,
			uint64_t pc, struct kt_frame *ret)
{
	cJSON *exp = kt_test_expected(dump);
	cJSON *ct = cJSON_GetObjectItemCaseSensitive(exp, "crashed_thread");
	struct kt_trace tr;
	bool found = false;

	cr_assert_null(kt_stack_trace(prog,
		hex(cJSON_GetObjectItemCaseSensitive(ct, "task")->valuestring),
		&tr));
	for (size_t i = 0; i < tr.n && !found; i++) {
		if (tr.frames[i].pc == pc && tr.frames[i].interrupted &&
		    tr.frames[i].has_regs) {
			*ret = tr.frames[i];
			found = true;
		}
	}
	cr_assert(found, "%s: no interrupted frame at 0x%" PRIx64, dump, pc);
	kt_trace_deinit(&tr);
	cJSON_Delete(exp);
}

Test(disasm, list_poison_base_holds_the_poison)
{
	struct kt_program *prog = kt_test_open("list-poison");
	uint64_t pc = crash_pc("list-poison"), addr;
	const struct kt_module_list *mods;
	struct kt_symbol_hit hit;
	struct kt_disasm_insn in;
	struct kt_disasm *d;
	struct kt_frame f;
	int m, base;

	cr_assert_null(kt_modules_load(prog, &mods));
	cr_assert(kt_symbol_lookup(prog, pc, &hit));
	cr_expect_str_eq(hit.name, "kt_sum_from");
	cr_expect_str_eq(hit.module, "ktscen");
	cr_assert_null(kt_disasm_create(&d));
	cr_assert_null(kt_disasm_read(d, prog, pc, &in));
	cr_expect_str_eq(in.mnemonic, "add");
	m = kt_disasm_mem_op(&in);
	cr_assert_geq(m, 0, "%s %s has no memory operand", in.mnemonic,
		      in.operands);
	base = in.ops[m].mem.base;
	cr_assert_neq(base, KT_DISASM_NOREG);
	fault_frame(prog, "list-poison", pc, &f);
	cr_assert(f.regs.known & (1U << base));
	// The oops: "general protection fault, probably for non-canonical
	// address 0xdead000000000110" = LIST_POISON1 + 0x10.
	addr = f.regs.r[base] + in.ops[m].mem.disp;
	cr_expect_eq(f.regs.r[base], 0xdead000000000100ULL,
		     "%s = 0x%" PRIx64, kt_disasm_reg_name(base),
		     f.regs.r[base]);
	cr_expect_eq(addr, 0xdead000000000110ULL);
	kt_disasm_destroy(d);
	kt_program_destroy(prog);
}

/* One line of dis output, normalised for comparing with crash. */
struct dis_line {
	uint64_t addr;
	char mnemonic[32];
	char operands[128];	/* spaces removed */
	char target[128];	/* the <symbol> after a branch target, or "" */
	char note[128];		/* a RIP-relative "# 0xADDR <symbol>", or "" */
};

/*
 * "0xADDR <sym+off>:\tmnem   ops <target>" or "... # 0xADDR <sym>".
 * gdb's old "callq"/"retq" spellings and trailing blanks do not count.
 */
static bool parse_dis_line(const char *line, struct dis_line *ret)
{
	const char *tab = strchr(line, '\t'), *p, *lt;
	char rest[256], *sp, *c;

	memset(ret, 0, sizeof(*ret));
	if (strncmp(line, "0x", 2) || !tab)
		return false;
	ret->addr = hex(line);
	snprintf(rest, sizeof(rest), "%s", tab + 1);
	rest[strcspn(rest, "\n")] = 0;
	if ((c = strstr(rest, " [FTRACE NOP]")))
		*c = 0;
	if ((c = strstr(rest, "        #"))) {
		snprintf(ret->note, sizeof(ret->note), "%s", c + 8);
		*c = 0;
	}
	sp = strchr(rest, ' ');
	if (!strncmp(rest, "lock ", 5) || !strncmp(rest, "rep", 3))
		sp = sp ? strchr(sp + 1, ' ') : NULL;
	p = sp ? sp : rest + strlen(rest);
	snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%.*s",
		 (int)(p - rest), rest);
	if (!strcmp(ret->mnemonic, "callq") || !strcmp(ret->mnemonic, "retq") ||
	    !strcmp(ret->mnemonic, "jmpq"))
		ret->mnemonic[strlen(ret->mnemonic) - 1] = 0;
	lt = strchr(p, '<');
	if (lt) {
		snprintf(ret->target, sizeof(ret->target), "%s", lt);
		ret->target[strcspn(ret->target, ">") + 1] = 0;
	}
	for (size_t n = 0; *p && (!lt || p < lt); p++)
		if (*p != ' ' && n + 1 < sizeof(ret->operands))
			ret->operands[n++] = *p;
	return true;
}

/* Returns how many calls were compared. */
static size_t expect_same_as_crash(const char *dump, const char *fn)
{
	char path[512], cmd[128], *exp, *line, *save = NULL;
	struct kt_run r;
	size_t len, n = 0, calls = 0;
	const char *ours;

	snprintf(path, sizeof(path), "%s/tests/expected/%s.%s.dis.txt",
		 KT_SOURCE_DIR, dump, fn);
	exp = kt_test_slurp(path, &len);
	cr_assert_not_null(exp, "no %s: run tests/oracle/crash_dis.sh", path);
	snprintf(cmd, sizeof(cmd), "dis %s", fn);
	r = run(dump, false, cmd);
	cr_assert_eq(r.status, 0, "%s: %s", cmd, r.err);
	ours = r.out;
	for (line = strtok_r(exp, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct dis_line want, got;
		const char *nl = strchr(ours, '\n');
		char mine[512];

		cr_assert(parse_dis_line(line, &want), "crash: %s", line);
		cr_assert_not_null(nl, "%s: ktriage stops before %s", fn, line);
		snprintf(mine, sizeof(mine), "%.*s", (int)(nl - ours), ours);
		ours = nl + 1;
		cr_assert(parse_dis_line(mine, &got), "ktriage: %s", mine);
		cr_expect_eq(got.addr, want.addr, "%s / %s", mine, line);
		cr_expect_str_eq(got.mnemonic, want.mnemonic, "%s / %s", mine,
				 line);
		cr_expect_str_eq(got.operands, want.operands, "%s / %s", mine,
				 line);
		cr_expect_str_eq(got.target, want.target, "%s / %s", mine,
				 line);
		cr_expect_str_eq(got.note, want.note, "%s / %s", mine, line);
		calls += !strcmp(want.mnemonic, "call");
		n++;
	}
	cr_expect_eq(*ours, 0, "%s: ktriage has more: %s", fn, ours);
	cr_expect_gt(n, 5);
	kt_run_free(&r);
	free(exp);
	return calls;
}

Test(disasm, dis_agrees_with_crash)
{
	// Calls resolve to crash's names in vmlinux (kfree) and from a
	// module into vmlinux (msleep); RIP-relative operands too.
	cr_expect_gt(expect_same_as_crash("hctx-fq", "blk_free_flush_queue"), 0);
	cr_expect_gt(expect_same_as_crash("hctx-fq", "blk_mq_exit_hctx"), 0);
	expect_same_as_crash("list-poison", "kt_sum_from");
	cr_expect_gt(expect_same_as_crash("list-poison", "kt_list_thread"), 0);
}

Test(disasm, dis_reverse_ends_at_addr)
{
	struct kt_run r = run("hctx-fq", false,
			      "dis -r blk_free_flush_queue+14");
	const char *last;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(!strncmp(r.out, "0xffffffffa89463c0 <blk_free_flush_queue>:",
			   42), "%s", r.out);
	last = strstr(r.out, "<blk_free_flush_queue+14>:");
	cr_assert_not_null(last, "%s", r.out);
	cr_expect_eq(strchr(last, '\n')[1], 0, "nothing after ADDR: %s", r.out);
	kt_run_free(&r);
}

Test(disasm, dis_lines_vmlinux_and_module)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_inline in[8];
	size_t n = kt_disasm_source(prog, crash_pc("hctx-fq"), in, 8);
	struct kt_run r;

	cr_assert_geq(n, 1);
	cr_expect_str_eq(in[0].file, "block/blk-flush.c");
	cr_expect_eq(in[0].line, 506, "drgn: block/blk-flush.c:506");
	kt_program_destroy(prog);

	r = run("hctx-fq", false, "dis -l blk_free_flush_queue+14");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "block/blk-flush.c: 506\n"
		"0xffffffffa89463ce <blk_free_flush_queue+14>:\t"
		"mov    0x40(%rdi),%rdi\n");
	kt_run_free(&r);

	// drgn: /usr/src/ktscen/////////////ktscen.c:133 at the fault.
	r = run("list-poison", false, "dis -l kt_sum_from+28");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(!strncmp(r.out, "/usr/src/ktscen/ktscen.c: 133\n", 30),
		  "%s", r.out);
	kt_run_free(&r);

	r = run("list-poison", true, "dis -l kt_sum_from");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_not_null(strstr(r.out, "\"file\":\t\"/usr/src/ktscen/ktscen.c\""),
			   "%s", r.out);
	kt_run_free(&r);
}

Test(disasm, dis_json_has_facts)
{
	struct kt_run r = run("hctx-fq", true, "dis blk_free_flush_queue");
	cJSON *doc = cJSON_Parse(r.out), *insns, *call = NULL, *it;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc, "not JSON: %s", r.out);
	insns = cJSON_GetObjectItemCaseSensitive(doc, "instructions");
	cr_assert_eq(cJSON_GetArraySize(insns), 15);
	cJSON_ArrayForEach(it, insns) {
		cJSON *flow = cJSON_GetObjectItemCaseSensitive(it, "flow");

		if (!call && !strcmp(flow->valuestring, "call"))
			call = it;
	}
	cr_assert_not_null(call);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(call, "target_symbol")->valuestring,
			 "kfree");
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(call, "bytes")->valuestring,
			 "e8 99 28 d6 ff");
	it = cJSON_GetArrayItem(insns, 5);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(it, "writes")->valuestring,
			 "rdi");
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it, "memory"), 0),
		"base")->valuestring, "rdi");
	cJSON_Delete(doc);
	kt_run_free(&r);
}

/* Decoding without a dump: what the fault analyzer will lean on. */
Test(disasm, decode_facts)
{
	static const uint8_t cmpxchg[] = { 0xf0, 0x48, 0x0f, 0xb1, 0x31 };
	static const uint8_t gs_load[] = { 0x65, 0x48, 0x8b, 0x04, 0x25,
					   0x28, 0x00, 0x00, 0x00 };
	static const uint8_t rip_load[] = { 0x48, 0x8b, 0x05, 0x10, 0x00,
					    0x00, 0x00 };
	static const uint8_t call_rax[] = { 0xff, 0xd0 };
	static const uint8_t indexed[] = { 0x4a, 0x8b, 0x3c, 0xe0 };
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct kt_disasm_insn in;
	struct kt_disasm *d;
	struct kt_error *err;

	cr_assert_null(kt_disasm_create(&d));
	cr_assert_null(kt_disasm_decode(d, 0x1000, cmpxchg, sizeof(cmpxchg), &in));
	cr_expect_str_eq(in.mnemonic, "lock cmpxchg");
	cr_expect_str_eq(in.operands, "%rsi,(%rcx)");
	cr_expect_eq(kt_disasm_written_op(&in), 1);
	cr_expect_eq(in.ops[1].mem.base, KT_REG_RCX);

	cr_assert_null(kt_disasm_decode(d, 0x1000, gs_load, sizeof(gs_load), &in));
	cr_expect_str_eq(in.operands, "%gs:0x28,%rax");
	cr_expect_eq(in.ops[0].mem.segment, KT_REG_GS);
	cr_expect_eq(in.ops[0].mem.base, KT_DISASM_NOREG);
	cr_expect_eq(in.ops[0].mem.disp, 0x28);

	cr_assert_null(kt_disasm_decode(d, 0x1000, rip_load, sizeof(rip_load), &in));
	cr_expect(in.ops[0].mem.rip_relative);
	cr_expect_eq(in.ops[0].mem.base, KT_REG_RIP);
	cr_expect_eq(in.ops[0].mem.rip_addr, 0x1000 + 7 + 0x10);

	cr_assert_null(kt_disasm_decode(d, 0x1000, call_rax, sizeof(call_rax), &in));
	cr_expect_eq(in.flow, KT_FLOW_CALL);
	cr_expect(!in.has_target, "indirect");
	cr_expect_str_eq(in.operands, "*%rax");

	cr_assert_null(kt_disasm_decode(d, 0x1000, indexed, sizeof(indexed), &in));
	cr_expect_str_eq(in.operands, "(%rax,%r12,8),%rdi");
	cr_expect_eq(in.ops[0].mem.index, KT_REG_R12);
	cr_expect_eq(in.ops[0].mem.scale, 8);

	cr_assert_null(kt_disasm_decode(d, 0x1000, ud2, sizeof(ud2), &in));
	cr_expect_eq(in.flow, KT_FLOW_TRAP);
	err = kt_disasm_decode(d, 0x1000, cmpxchg, 2, &in);
	cr_expect_not_null(err, "a cut-off instruction is an error");
	kt_error_destroy(err);
	kt_disasm_destroy(d);
}

/* The words of `rd ADDR COUNT` text output. */
static size_t rd_words(const char *out, uint64_t *addrs, uint64_t *words,
		       size_t max)
{
	size_t n = 0;

	for (const char *l = out; *l && n < max;) {
		uint64_t a = strtoull(l, NULL, 16);
		const char *p = strstr(l, ":  ");

		if (!p)
			break;
		p += 3;
		for (int i = 0; i < 2 && n < max && p[16] == ' '; i++) {
			addrs[n] = a + 8 * i;
			words[n++] = strtoull(p, NULL, 16);
			p += 17;
		}
		l = strchr(l, '\n');
		if (!l)
			break;
		l++;
	}
	return n;
}

Test(disasm, rd_words_equal_core_reads)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	uint64_t addr, phys, addrs[16], words[16], v;
	struct kt_run r;
	char cmd[96];
	size_t n;

	cr_assert_null(kt_symbol_address(prog, "init_task", &addr));
	snprintf(cmd, sizeof(cmd), "rd %" PRIx64 " 16", addr);
	r = run("hctx-fq", false, cmd);
	cr_assert_eq(r.status, 0, "%s", r.err);
	n = rd_words(r.out, addrs, words, 16);
	cr_assert_eq(n, 16, "%s", r.out);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(addrs[i], addr + 8 * i);
		cr_assert_null(kt_read_u64(prog, addr + 8 * i, &v));
		cr_expect_eq(words[i], v, "word %zu", i);
	}
	kt_run_free(&r);

	// The same words through their physical address.
	cr_assert_null(kt_dump_vtop(prog->dump, addr, &phys));
	snprintf(cmd, sizeof(cmd), "rd -p %" PRIx64 " 4", phys);
	r = run("hctx-fq", false, cmd);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(rd_words(r.out, addrs, words + 8, 4), 4, "%s", r.out);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_null(kt_read_u64(prog, addr + 8 * i, &v));
		cr_expect_eq(words[8 + i], v, "physical word %zu", i);
	}
	kt_run_free(&r);
	kt_program_destroy(prog);
}

Test(disasm, rd_symbols_on_the_stack)
{
	// crash 8.0.6: "ffffd0070039bd98:  ffff8d76018b5b90
	// blk_mq_hw_sysfs_release+21" for `rd -s` at the fault's RSP.
	struct kt_run r = run("hctx-fq", false, "rd -s ffffd0070039bd98 4");

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out,
		"ffffd0070039bd98:  ffff8d76018b5b90 blk_mq_hw_sysfs_release+21 \n"
		"ffffd0070039bda8:  0000000000000000 kobject_put+138  \n");
	kt_run_free(&r);
}

Test(disasm, rd_excluded_page_says_why)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	uint64_t pfn, base, addr;
	struct kt_run r;
	char cmd[96], want[96];

	// An excluded page after a present one, to read across the edge.
	for (pfn = 0x1000; pfn < 0x20000; pfn++)
		if (kt_dump_pfn_state(prog->dump, pfn) == KT_FAULT_EXCLUDED &&
		    kt_dump_pfn_state(prog->dump, pfn - 1) == KT_FAULT_NONE)
			break;
	cr_assert_lt(pfn, 0x20000, "no excluded page in hctx-fq");
	snprintf(cmd, sizeof(cmd), "rd -p %" PRIx64 " 2", pfn << 12);
	r = run("hctx-fq", false, cmd);
	cr_assert_eq(r.status, 0, "%s", r.err);
	snprintf(want, sizeof(want), "%16" PRIx64 ":  <page excluded from dump>\n",
		 pfn << 12);
	cr_expect_str_eq(r.out, want);
	kt_run_free(&r);

	// The same page through the direct map, a line before it read.
	cr_assert_null(kt_symbol_address(prog, "page_offset_base", &addr));
	cr_assert_null(kt_read_u64(prog, addr, &base));
	addr = base + (pfn << 12) - 16;
	snprintf(cmd, sizeof(cmd), "rd %" PRIx64 " 4", addr);
	r = run("hctx-fq", false, cmd);
	cr_assert_eq(r.status, 0, "%s", r.err);
	snprintf(want, sizeof(want), "%016" PRIx64 ":  <page excluded from dump>\n",
		 addr + 16);
	cr_expect_not_null(strstr(r.out, want), "%s", r.out);
	cr_expect_eq(strchr(r.out, '\n') - r.out, 16 + 3 + 34 + 2 + 16,
		     "a whole line first: %s", r.out);
	kt_run_free(&r);
	kt_program_destroy(prog);
}

Test(disasm, bad_input)
{
	struct kt_run r = run("hctx-fq", false, "dis no_such_function");

	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "no_such_function: no such symbol"),
			   "%s", r.err);
	kt_run_free(&r);

	r = run("hctx-fq", false, "dis dead000000000100");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "non-canonical"), "%s", r.err);
	kt_run_free(&r);

	r = run("hctx-fq", false, "dis ffff8d7630382c40 4");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "reading text at 0xffff8d7630382c40"),
			   "%s", r.err);
	kt_run_free(&r);

	r = run("hctx-fq", false, "dis -r 1000");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "no function contains it"), "%s",
			   r.err);
	kt_run_free(&r);

	r = run("hctx-fq", false, "dis");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "usage: dis"), "%s", r.err);
	kt_run_free(&r);

	r = run("hctx-fq", false, "rd no_such_symbol");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "no such symbol"), "%s", r.err);
	kt_run_free(&r);

	r = run("hctx-fq", false, "rd dead000000000100 2");
	cr_expect_eq(r.status, 0, "an unreadable word is output, not an error");
	cr_expect_str_eq(r.out, "dead000000000100:  <non-canonical address>\n");
	kt_run_free(&r);

	r = run("hctx-fq", false, "rd -q 1000");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "usage: rd"), "%s", r.err);
	kt_run_free(&r);

	r = run("hctx-fq", true, "rd init_task 0");
	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.out, "\"error\""), "%s", r.out);
	kt_run_free(&r);
}
