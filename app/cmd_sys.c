// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "app/commands.h"
#include "core/program.h"
#include "core/sysinfo.h"
#include "triage/signature.h"

static void format_date(int64_t t, char *buf, size_t size)
{
	time_t tt = t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%a %b %e %H:%M:%S UTC %Y", &tm))
		snprintf(buf, size, "%" PRId64, t);
}

static void format_memory(uint64_t bytes, char *buf, size_t size)
{
	double mb = bytes / 1048576.0;

	if (mb >= 1024)
		snprintf(buf, size, "%.1f GB", mb / 1024);
	else
		snprintf(buf, size, "%.1f MB", mb);
}

static void dump_line(struct kt_program *prog, char *buf, size_t size)
{
	const struct kt_dump_info *di = kt_dump_info(prog->dump);

	char level[32] = "";

	if (di->dump_level >= 0)
		snprintf(level, sizeof(level), ", dump level %d",
			 di->dump_level);
	snprintf(buf, size, "%s%s  [%s%s, %" PRIu64 " of %" PRIu64
		 " RAM pages in the file]", prog->opts.dump_paths[0],
		 di->nfiles > 1 ? " ..." : "", di->description, level,
		 di->present_pages, di->ram_pages);
}

static void print_field(FILE *fp, const char *label, const char *raw)
{
	fprintf(fp, "%12s: ", label);
	kt_out_raw(fp, raw, strlen(raw), false);
	fputc('\n', fp);
}

static void print_text(struct kt_cmd_ctx *ctx, const struct kt_sysinfo *si,
		       const struct kt_signature *sig)
{
	struct kt_program *prog = ctx->prog;
	FILE *fp = ctx->out;
	char buf[4096], l[3][16];

	print_field(fp, "KERNEL", kt_vmlinux_path(prog->vmlinux));
	dump_line(prog, buf, sizeof(buf));
	print_field(fp, "DUMPFILE", buf);
	if (si->online_cpus && si->online_cpus != si->nr_cpus)
		fprintf(fp, "%12s: %u [OFFLINE: %u]\n", "CPUS", si->nr_cpus,
			si->nr_cpus - si->online_cpus);
	else
		fprintf(fp, "%12s: %u\n", "CPUS", si->nr_cpus);
	if (si->crash_time_known) {
		format_date(si->crash_time, buf, sizeof(buf));
		print_field(fp, "DATE", buf);
	}
	if (si->uptime_known) {
		kt_format_uptime(si->uptime_sec, buf, sizeof(buf));
		print_field(fp, "UPTIME", buf);
	}
	if (si->load_known) {
		for (int i = 0; i < 3; i++)
			kt_format_load(si->avenrun[i], l[i], sizeof(l[i]));
		fprintf(fp, "%12s: %s, %s, %s\n", "LOAD AVERAGE", l[0], l[1],
			l[2]);
	}
	fprintf(fp, "%12s: %" PRIu64 "\n", "TASKS", si->tasks);
	print_field(fp, "NODENAME", si->nodename);
	print_field(fp, "RELEASE", si->release);
	print_field(fp, "VERSION", si->version);
	print_field(fp, "MACHINE", si->machine);
	format_memory(si->memory_bytes, buf, sizeof(buf));
	print_field(fp, "MEMORY", buf);
	fprintf(fp, "%12s: \"", "PANIC");
	kt_out_raw(fp, si->panic, strlen(si->panic), false);
	fputs("\"\n", fp);
	if (*si->panic_cause) {
		fprintf(fp, "%12s: \"", "CAUSE");
		kt_out_raw(fp, si->panic_cause, strlen(si->panic_cause), false);
		fputs("\"\n", fp);
	}
	if (si->panic_cpu >= 0) {
		fprintf(fp, "%12s: %d\n", "PID", si->panic_pid);
		fprintf(fp, "%12s: \"", "COMMAND");
		kt_out_raw(fp, si->panic_comm, sizeof(si->panic_comm), false);
		fputs("\"\n", fp);
		fprintf(fp, "%12s: %016" PRIx64 "\n", "TASK", si->panic_task);
		fprintf(fp, "%12s: %d\n", "CPU", si->panic_cpu);
	}
	fprintf(fp, "%12s: 0x%" PRIx64 " (%s)\n", "KASLR", prog->kaslr_offset,
		prog->kaslr_source);
	print_field(fp, "VMLINUX", prog->identity.verdict);
	if (sig)
		fprintf(fp, "%12s: %s (%s)\n", "SIGNATURE", sig->id, sig->text);
	else
		fprintf(fp, "%12s: (after the analyzers: `signature`)\n",
			"SIGNATURE");
}

static cJSON *to_json(struct kt_cmd_ctx *ctx, const struct kt_sysinfo *si,
		      const struct kt_signature *sig)
{
	struct kt_program *prog = ctx->prog;
	const struct kt_dump_info *di = kt_dump_info(prog->dump);
	cJSON *doc = cJSON_CreateObject(), *load, *task;
	char buf[64];

	cJSON_AddStringToObject(doc, "kernel", kt_vmlinux_path(prog->vmlinux));
	cJSON_AddStringToObject(doc, "dumpfile", prog->opts.dump_paths[0]);
	cJSON_AddStringToObject(doc, "dump_format", di->description);
	if (di->dump_level >= 0)
		cJSON_AddNumberToObject(doc, "dump_level", di->dump_level);
	else
		cJSON_AddNullToObject(doc, "dump_level");
	cJSON_AddNumberToObject(doc, "dump_files", di->nfiles);
	cJSON_AddNumberToObject(doc, "ram_pages", di->ram_pages);
	cJSON_AddNumberToObject(doc, "present_pages", di->present_pages);
	cJSON_AddNumberToObject(doc, "cpus", si->nr_cpus);
	cJSON_AddNumberToObject(doc, "online_cpus", si->online_cpus);
	if (si->crash_time_known)
		cJSON_AddNumberToObject(doc, "crash_time", si->crash_time);
	else
		cJSON_AddNullToObject(doc, "crash_time");
	if (si->uptime_known)
		cJSON_AddNumberToObject(doc, "uptime_seconds", si->uptime_sec);
	load = cJSON_AddArrayToObject(doc, "load_average");
	for (int i = 0; si->load_known && i < 3; i++) {
		kt_format_load(si->avenrun[i], buf, sizeof(buf));
		cJSON_AddItemToArray(load, cJSON_CreateString(buf));
	}
	cJSON_AddNumberToObject(doc, "tasks", si->tasks);
	kt_json_add_raw(doc, "nodename", si->nodename, sizeof(si->nodename));
	kt_json_add_raw(doc, "release", si->release, sizeof(si->release));
	kt_json_add_raw(doc, "version", si->version, sizeof(si->version));
	kt_json_add_raw(doc, "machine", si->machine, sizeof(si->machine));
	cJSON_AddNumberToObject(doc, "memory_bytes", si->memory_bytes);
	kt_json_add_raw(doc, "panic", si->panic, sizeof(si->panic));
	kt_json_add_raw(doc, "panic_cause", si->panic_cause,
			sizeof(si->panic_cause));
	if (si->panic_cpu >= 0) {
		task = cJSON_AddObjectToObject(doc, "panic_task");
		cJSON_AddNumberToObject(task, "pid", si->panic_pid);
		kt_json_add_raw(task, "comm", si->panic_comm,
				sizeof(si->panic_comm));
		kt_json_add_addr(task, "task", si->panic_task);
		cJSON_AddNumberToObject(task, "cpu", si->panic_cpu);
	} else {
		cJSON_AddNullToObject(doc, "panic_task");
	}
	kt_json_add_addr(doc, "kaslr_offset", prog->kaslr_offset);
	cJSON_AddStringToObject(doc, "kaslr_source", prog->kaslr_source);
	cJSON_AddStringToObject(doc, "vmlinux_match", prog->identity.verdict);
	if (sig)
		cJSON_AddItemToObject(doc, "signature", kt_signature_json(sig));
	else
		cJSON_AddNullToObject(doc, "signature");
	if (si->warnings)
		cJSON_AddStringToObject(doc, "warnings", si->warnings);
	return doc;
}

int kt_cmd_sys(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	struct kt_signature sig, *psig;
	struct kt_sysinfo si;
	struct kt_error *err;

	if (argc > 1)
		return kt_cmd_usage(ctx, "sys", "sys");
	err = kt_sysinfo_load(ctx->prog, &si);
	if (err)
		return kt_cmd_fail(ctx, "sys", err);
	/*
	 * The signature needs the analyzers (0.5 s here, seconds on a big
	 * machine's dump): sys, as quick as crash's, shows it once they have
	 * run in this session (findings, signature, report, the workbench).
	 */
	psig = NULL;
	if (ctx->analysis) {
		err = kt_cmd_signature_of(ctx, &sig);
		if (!err)
			psig = &sig;
		else
			kt_out_error(ctx->err, "sys: no signature",
				     err->message);
		kt_error_destroy(err);
	}
	if (ctx->json) {
		int ret = kt_json_print(ctx, to_json(ctx, &si, psig));

		kt_sysinfo_deinit(&si);
		return ret;
	}
	print_text(ctx, &si, psig);
	if (si.warnings) {
		fprintf(ctx->err, "ktriage: sys: some facts could not be read:\n");
		kt_out_raw(ctx->err, si.warnings, strlen(si.warnings), true);
	}
	kt_sysinfo_deinit(&si);
	return 0;
}
