/*
 * lib/interrupt.c — signal flag and deterministic kill points for crash tests.
 */
#include "lib/interrupt.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static void (*volatile on_first_signal)(void);

static void on_signal(int sig)
{
	if (got_signal) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	got_signal = sig;
	void (*fn)(void) = on_first_signal;
	if (fn != NULL)
		fn();
}

void dr_interrupt_hook(void (*fn)(void))
{
	on_first_signal = fn;
}

void dr_interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool dr_interrupted(void)
{
	return got_signal != 0;
}

/* The signal named after the pass count ("KILL" when none). */
static int signal_of(const char *name)
{
	static const struct { const char *name; int sig; } known[] = {
		{ "KILL", SIGKILL }, { "TERM", SIGTERM }, { "INT", SIGINT }, { "STOP", SIGSTOP },
	};

	if (*name != ':')
		return SIGKILL;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name + 1, known[i].name) == 0)
			return known[i].sig;
	return SIGKILL;
}

void dr_killpoint(const char *point)
{
	static long passes;
	const char *spec = getenv("DMPREMB_KILL_AT");
	size_t n = strlen(point);
	char *end;

	if (spec == NULL || strncmp(spec, point, n) != 0 || spec[n] != ':')
		return;
	long at = strtol(spec + n + 1, &end, 10);
	if (__atomic_add_fetch(&passes, 1, __ATOMIC_SEQ_CST) == at)
		kill(getpid(), signal_of(end));
}
