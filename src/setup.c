#include "src/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int setup_config(const struct cli *cli, struct config *cfg)
{
	char *err = NULL;
	char *path = config_find(cli->config_path, &err);
	if (!path) {
		fprintf(stderr, "opsdeck: %s\n", err ? err : "no config file");
		free(err);
		return EXIT_USAGE;
	}
	memset(cfg, 0, sizeof(*cfg));
	if (config_load(cfg, path, cli->env, &err) < 0) {
		fprintf(stderr, "opsdeck: %s\n", err ? err : "cannot read the config");
		free(err);
		free(path);
		config_done(cfg);
		return EXIT_USAGE;
	}
	free(path);
	return 0;
}
