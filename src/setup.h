/* Start-up shared by the console and the headless commands. */
#ifndef OD_SETUP_H
#define OD_SETUP_H

#include "src/cli.h"
#include "src/config.h"

/* Finds and loads the config for cli; on failure prints the reason to stderr and
 * returns EXIT_USAGE, else 0. */
int setup_config(const struct cli *cli, struct config *cfg);

#endif
