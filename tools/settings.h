/* settings.h: `--sysctl NAME=VALUE`: struct synack_settings fields by name, so tests can
 * shorten what Linux's sysctls would (tcp_retries2, keepalive times, syn retries).
 * Read include/synack.h (struct synack_settings) before changing. */
#ifndef SYNACK_TOOLS_SETTINGS_H
#define SYNACK_TOOLS_SETTINGS_H

#include <stdio.h>

#include "synack.h"

/* Sets the field named before '=' to the number after it.  Returns 0, -ENOENT (no such
 * field) or -EINVAL (not a number, or out of the field's range). */
int settings_set(struct synack_settings *s, const char *assignment);
/* The i-th settable field (from 0): its name and value in s.  Returns 0, or -1 past
 * the last. */
int settings_get(const struct synack_settings *s, int i, const char **name,
                 unsigned long long *value);
/* Prints every name with its value in s, one a line. */
void settings_list(FILE *f, const struct synack_settings *s);

#endif
