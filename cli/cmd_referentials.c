/* cli/cmd_referentials.c — placeholder until the command lands (not wired to tests). */
#include "cli/cli.h"
#include "lib/err.h"

int cmd_referentials(struct cli *cli, int argc, char **argv)
{
	(void)cli; (void)argc; (void)argv;
	return dr_error(DR_E_INTERNAL, "referentials: not implemented yet");
}
