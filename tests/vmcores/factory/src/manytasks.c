// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * manytasks - the user side of the scale scenarios (guest/init): many
 * processes and threads in mixed states, each process with open files and
 * sockets, many small files on tmpfs (dentries and inodes) and a large one
 * (page cache). Returns once everything is in place; the processes stay.
 *
 *   manytasks PROCS THREADS FILES CACHE_MB [DIR]
 *
 * PROCS processes of THREADS threads each (the main thread included):
 * threads sleep in a pipe read, nanosleep, a futex, poll() on a socket or
 * recv() on one; every 10th process is stopped (T) and has a zombie child
 * (Z); one thread spins (R). FILES empty files on DIR (default /tmp/kt, a
 * tmpfs), a thousand a directory; a CACHE_MB file of non-zero, varied
 * bytes beside them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct proc_fds {
	int pipe[2];
	int pair[2];
	int dgram;
	int null;
	int file;
};

static struct proc_fds fds;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void die(const char *what)
{
	fprintf(stderr, "manytasks: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *sleeper(void *arg)
{
	long kind = (long)arg;
	char c;
	struct pollfd p = { .fd = fds.pair[1], .events = POLLIN };
	struct timespec ts = { .tv_sec = 1000000 };

	for (;;) {
		switch (kind % 5) {
		case 0:
			if (read(fds.pipe[0], &c, 1) < 0 && errno != EINTR)
				pause();
			break;
		case 1:
			nanosleep(&ts, NULL);
			break;
		case 2:
			pthread_mutex_lock(&mu);
			pthread_cond_wait(&never, &mu);
			pthread_mutex_unlock(&mu);
			break;
		case 3:
			poll(&p, 1, -1);
			break;
		default:
			if (recv(fds.dgram, &c, 1, 0) < 0 && errno != EINTR)
				pause();
		}
	}
	return NULL;
}

static void *spinner(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return NULL;
}

/* One process: its files, its threads; says it is ready on @ready. */
static void process(int index, int threads, int ready, const char *dir)
{
	char path[PATH_MAX];
	pthread_attr_t attr;
	pthread_t t;

	if (pipe(fds.pipe) || socketpair(AF_UNIX, SOCK_STREAM, 0, fds.pair))
		die("pipe");
	fds.dgram = socket(AF_UNIX, SOCK_DGRAM, 0);
	fds.null = open("/dev/null", O_RDWR);
	snprintf(path, sizeof(path), "%s/proc-%d", dir, index);
	fds.file = open(path, O_RDWR | O_CREAT, 0644);
	if (fds.dgram < 0 || fds.null < 0 || fds.file < 0)
		die("open");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 1; i < threads; i++)
		if (pthread_create(&t, &attr,
				   index == 0 && i == 1 ? spinner : sleeper,
				   (void *)(i + index)))
			die("pthread_create");
	if (index % 10 == 5 && fork() == 0)
		_exit(0);	/* a zombie: never reaped */
	if (write(ready, "r", 1) != 1)
		die("write");
	close(ready);
	if (index % 10 == 5)
		raise(SIGSTOP);
	for (;;)
		pause();
}

static void make_files(const char *dir, long files, long cache_mb)
{
	char path[PATH_MAX];
	uint64_t x = 0x9e3779b97f4a7c15ull, buf[8192];
	int fd;

	for (long i = 0; i < files; i++) {
		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "%s/d%ld", dir, i / 1000);
			if (mkdir(path, 0755) && errno != EEXIST)
				die("mkdir");
		}
		snprintf(path, sizeof(path), "%s/d%ld/f%ld", dir, i / 1000, i);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			die("create");
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/cache", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("cache file");
	for (long mb = 0; mb < cache_mb; mb++) {
		for (size_t k = 0; k < 1024 * 1024 / sizeof(buf); k++) {
			for (size_t w = 0; w < sizeof(buf) / 8; w++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* words of text-like bytes, never zero */
				buf[w] = (x & 0x3f3f3f3f3f3f3f3full) |
					 0x4040404040404040ull;
			}
			if (write(fd, buf, sizeof(buf)) != sizeof(buf))
				die("write cache");
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	int procs, threads, ready[2], n = 0;
	long files, cache_mb;
	const char *dir;
	char c;

	if (argc < 5) {
		fprintf(stderr, "usage: manytasks PROCS THREADS FILES CACHE_MB [DIR]\n");
		return 2;
	}
	procs = atoi(argv[1]);
	threads = atoi(argv[2]);
	files = atol(argv[3]);
	cache_mb = atol(argv[4]);
	dir = argc > 5 ? argv[5] : "/tmp/kt";
	if (mkdir(dir, 0755) && errno != EEXIST)
		die(dir);
	make_files(dir, files, cache_mb);
	if (pipe(ready))
		die("pipe");
	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(ready[0]);
			process(i, threads, ready[1], dir);
		}
	}
	close(ready[1]);
	while (n < procs && read(ready[0], &c, 1) == 1)
		n++;
	printf("manytasks: %d processes of %d threads, %ld files, %ld MB cache\n",
	       n, threads, files, cache_mb);
	return n == procs ? 0 : 1;
}
