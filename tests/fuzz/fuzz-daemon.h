/*
 * The daemon inside a fuzzer: meetd's globals set up as its main() sets
 * them up, a fresh node for every input and nothing of it left after,
 * so that a harness can play a control session (control.c) or a node
 * link against the real code and LeakSanitizer sees what the code leaks.
 *
 *	fuzz_daemon_init();		once, from LLVMFuzzerInitialize
 *	fuzz_daemon_start();		each input: a new node
 *	... client_accept(fd, uid, &cause) or remote_accept(fd, addr) ...
 *	fuzz_daemon_settle();		after each thing the input does
 *	fuzz_daemon_stop();		as meetd stops on SIGTERM
 *
 * The node runs in a network namespace of its own with only loopback up,
 * so that whatever address an input names, nothing leaves the process's
 * namespace and nothing reaches another program's port; its spool, its
 * recordings and its key live in a private temporary folder.
 */
#ifndef MEET_FUZZ_DAEMON_H
#define MEET_FUZZ_DAEMON_H

void	fuzz_daemon_init(const char *);
void	fuzz_daemon_start(void);
void	fuzz_daemon_settle(void);
void	fuzz_daemon_stop(void);

#endif
