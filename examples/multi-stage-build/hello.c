/* A tiny program in C: it must be compiled, and the compiler is big. */
#include <stdio.h>

int main(void) {
    puts("Hello from a program compiled in the build stage!");
    return 0;
}
