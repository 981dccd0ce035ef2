/*
 * main.c - the tarn program: hands the command line to the CLI (cli.c).
 */
#include <locale.h>

#include "cli.h"

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    return cli_main(argc, argv);
}
