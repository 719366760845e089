/* What every harness program does first: the character set of the user's
 * locale for text (LC_CTYPE only: numbers keep the C locale's decimal point,
 * as the course's report format needs), and GLib's help printed as the UTF-8
 * it is written in, so that `--help` reads "[OPTION…]" and not "[OPTION?]"
 * where the locale is plain C. */
#ifndef MSTATS_RUNNER_CLI_H
#define MSTATS_RUNNER_CLI_H

void mstats_cli_start(void);

#endif
