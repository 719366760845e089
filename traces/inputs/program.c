/* program.c: the small C file the gcc trace compiles (traces/catalog.tsv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char name[32]; int count; };
static struct node *table[256];
static unsigned hash(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char)*s++; return h & 255; }
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct node *n = calloc(1, sizeof *n);
        strncpy(n->name, argv[i], sizeof n->name - 1);
        n->next = table[hash(n->name)];
        table[hash(n->name)] = n;
    }
    for (int b = 0; b < 256; b++)
        for (struct node *n = table[b]; n; n = n->next)
            printf("%s %d\n", n->name, n->count);
    return 0;
}
