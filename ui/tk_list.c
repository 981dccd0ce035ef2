/*
 * tk_list.c - the list widget's selection and scrolling (see tk.h).
 */
#include <string.h>

#include "tk.h"

void ui_list_fit(ui_list *l, int rows)
{
    if (rows < 1) rows = 1;
    if (l->sel >= l->n) l->sel = l->n - 1;
    if (l->sel < 0) l->sel = 0;
    if (l->sel < l->top) l->top = l->sel;
    if (l->sel >= l->top + rows) l->top = l->sel - rows + 1;
    if (l->top > l->n - rows) l->top = l->n - rows;
    if (l->top < 0) l->top = 0;
}

bool ui_list_key(ui_list *l, const ui_event *e, int rows)
{
    const char *k = e->key;
    if (!strcmp(k, "Down") || !strcmp(k, "j")) l->sel++;
    else if (!strcmp(k, "Up") || !strcmp(k, "k")) l->sel--;
    else if (!strcmp(k, "PgDn")) l->sel += rows > 1 ? rows - 1 : 1;
    else if (!strcmp(k, "PgUp")) l->sel -= rows > 1 ? rows - 1 : 1;
    else if (!strcmp(k, "Home") || !strcmp(k, "g")) l->sel = 0;
    else if (!strcmp(k, "End") || !strcmp(k, "G")) l->sel = l->n - 1;
    else return false;
    ui_list_fit(l, rows);
    return true;
}

int ui_list_mouse(ui_list *l, const ui_event *e, int row, int rows)
{
    if (e->mouse == M_WHEEL_UP || e->mouse == M_WHEEL_DOWN) {
        int d = e->mouse == M_WHEEL_UP ? -3 : 3;
        l->top += d;
        if (l->top > l->n - rows) l->top = l->n - rows;
        if (l->top < 0) l->top = 0;
        if (l->sel < l->top) l->sel = l->top;
        if (l->sel >= l->top + rows) l->sel = l->top + rows - 1;
        ui_list_fit(l, rows);
        return -1;
    }
    if (e->mouse != M_PRESS || row < 0 || row >= rows) return -1;
    int item = l->top + row;
    if (item >= l->n) return -1;
    l->sel = item;
    return item;
}
