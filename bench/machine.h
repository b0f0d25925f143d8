/*
 * machine.h -- what every benchmark prints first: the machine it ran on and
 * the command that ran it, so that a figure can be read and repeated.
 */
#ifndef CAVEAT_BENCH_MACHINE_H
#define CAVEAT_BENCH_MACHINE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void print_machine(int argc, char **argv) {
  char model[256] = "unknown", line[512];
  FILE *f = fopen("/proc/cpuinfo", "r");
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "model name", 10) == 0) {
      char *colon = strchr(line, ':');
      snprintf(model, sizeof model, "%.200s", colon ? colon + 2 : line);
      model[strcspn(model, "\n")] = '\0';
      break;
    }
  if (f) fclose(f);
  printf("machine: %s, %ld cores online; one core used\ncommand:", model,
         sysconf(_SC_NPROCESSORS_ONLN));
  for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
  printf("\n");
}

#endif
