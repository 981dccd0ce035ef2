/*
 * tk_int.h - what the toolkit's files share among themselves (not part of
 * tk.h): the curses attributes of a role, and the colors under them.
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
/* The curses attributes of UI_* attributes. */
attr_t tk_attrs(int ui_attrs);
/* The color the terminal can show for xterm color c (the nearest of its 16
 * or 8 on smaller terminals; -1, the default, stays -1). */
int tk_color_fit(int c);
/* The theme's colors of normal text (xterm indices, -1: the terminal's). */
void tk_normal_colors(int *fg, int *bg);
/* Forgets the color pairs ui_cell allocated (the screen or theme changed). */
void tk_cell_pairs_reset(void);

#endif
