/*
 * tk_int.h - what the toolkit's files share among themselves (not part of
 * tk.h): the curses attributes of a role.
 */
#ifndef TARN_TK_INT_H
#define TARN_TK_INT_H

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>

#include "tk.h"

/* The curses attributes (color pair included) that draw role r, plus the
 * UI_* attributes in extra. */
attr_t tk_role_attr(ui_role r, int extra, short *pair);
/* Applies the current theme to the terminal's colors (after start_color). */
void tk_theme_apply(void);

#endif
