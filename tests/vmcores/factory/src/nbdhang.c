// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nbdhang - make /dev/nbd0 live on unix-domain sockets that nobody answers,
 * so that readers of the device hang in D state.  The socket ends handed to
 * the kernel with NBD_SET_SOCK are closed in userspace afterwards, so their
 * struct file is held only by the nbd config ("orphaned").
 *
 * usage: nbdhang /dev/nbd0 [ndead]
 *   parent: keeps the peer end(s) open, never reads, sleeps forever
 *   child : NBD_DO_IT (blocks in the kernel)
 * Build: gcc -static -O2 -o nbdhang nbdhang.c
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nbd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "nbdhang: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/nbd0";
	int ndead = argc > 2 ? atoi(argv[2]) : 1;
	int live[2], dead[2], nbd, i;
	pid_t pid;

	nbd = open(dev, O_RDWR);
	if (nbd < 0)
		die("open");
	if (ioctl(nbd, NBD_SET_BLKSIZE, 4096UL) < 0)
		die("NBD_SET_BLKSIZE");
	if (ioctl(nbd, NBD_SET_SIZE_BLOCKS, 16384UL) < 0)	/* 64 MiB */
		die("NBD_SET_SIZE_BLOCKS");
	if (ioctl(nbd, NBD_SET_TIMEOUT, 0UL) < 0)
		die("NBD_SET_TIMEOUT");
	/* more than one NBD_SET_SOCK needs a "server" that allows multi-conn */
	if (ndead > 0 &&
	    ioctl(nbd, NBD_SET_FLAGS, NBD_FLAG_HAS_FLAGS | NBD_FLAG_CAN_MULTI_CONN) < 0)
		die("NBD_SET_FLAGS");

	/* connection 0: live, peer kept open by us, never answered */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, live) < 0)
		die("socketpair");
	if (ioctl(nbd, NBD_SET_SOCK, live[0]) < 0)
		die("NBD_SET_SOCK live");
	close(live[0]);		/* now only the kernel holds this file */

	/* extra connections whose peer is gone: become dead nbd_socks */
	for (i = 0; i < ndead; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, dead) < 0)
			die("socketpair");
		if (ioctl(nbd, NBD_SET_SOCK, dead[0]) < 0)
			die("NBD_SET_SOCK dead");
		close(dead[0]);
		shutdown(dead[1], SHUT_RDWR);
		close(dead[1]);
	}

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_NAME, "nbd-doit");
		close(live[1]);
		if (ioctl(nbd, NBD_DO_IT) < 0)
			die("NBD_DO_IT");
		return 0;
	}
	close(nbd);
	printf("nbdhang: %s live, DO_IT pid %d, peer fd %d kept unanswered\n",
	       dev, pid, live[1]);
	fflush(stdout);
	for (;;)
		pause();
}
