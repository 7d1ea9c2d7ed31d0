/* The full-screen console. The only code that includes <curses.h> lives in tui/. */
#ifndef OD_TUI_H
#define OD_TUI_H

#include "src/cli.h"

/* Runs the console until the operator quits; returns the exit code. */
int tui_main(struct cli *cli);

#endif
