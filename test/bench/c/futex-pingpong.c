/*
 * The physical limit of a shared-memory round trip on this machine, for the
 * shm bench suite (test/bench/shm.bench.ts compiles this with `cc -O2` at run
 * time and runs it):
 *
 *   futex-pingpong <futex|spin> <round trips> [<parent cpu> <child cpu>]
 *
 * Two processes (fork) share one MAP_SHARED anonymous page holding a 32-bit
 * turn word. The parent stores 1 ("ping") and the child answers with 2
 * ("pong"); a round trip is the time from the parent's store of 1 until it
 * sees 2. In `futex` mode each side wakes the other with FUTEX_WAKE after
 * its store and parks in FUTEX_WAIT (shared, not private: two processes)
 * while the word is not yet its turn: two wake-ups through the kernel
 * scheduler per round trip, as a transport that parks its reader pays. In
 * `spin` mode both sides busy-wait on the word (no system call at all): the
 * cache-line transfer alone.
 *
 * With the two CPU numbers, parent and child pin themselves there
 * (sched_setaffinity) before the first round trip: on one CPU a wake-up is a
 * context switch; on two, it is an inter-processor interrupt to a CPU that
 * may be idle (on a VM, a halted vCPU the hypervisor must resume), which can
 * cost ten times more.
 *
 * Every round trip is timed with clock_gettime(CLOCK_MONOTONIC) (vDSO, tens
 * of ns). A tenth of the count runs first, untimed. Prints one line of JSON
 * on stdout: {"mode":..., "count":..., "mean_us":..., "p50_us":...,
 * "p95_us":..., "p99_us":...}; exit status 0 on success.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int use_futex;

static void futex_wait(_Atomic uint32_t *word, uint32_t seen) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Waits until *word == want: parks on the futex (futex mode) or spins. */
static void await_turn(_Atomic uint32_t *word, uint32_t want) {
  for (;;) {
    uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
    if (seen == want) return;
    if (use_futex) futex_wait(word, seen);
  }
}

static void give_turn(_Atomic uint32_t *word, uint32_t value) {
  atomic_store_explicit(word, value, memory_order_release);
  if (use_futex) futex_wake(word);
}

/* Pins the calling process to `cpu` (no-op when cpu < 0); exits on failure. */
static void pin(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    perror("futex-pingpong: sched_setaffinity");
    _exit(1);
  }
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if ((argc != 3 && argc != 5) || (strcmp(argv[1], "futex") != 0 && strcmp(argv[1], "spin") != 0) || atol(argv[2]) <= 0) {
    fprintf(stderr, "usage: futex-pingpong <futex|spin> <round trips> [<parent cpu> <child cpu>]\n");
    return 2;
  }
  int parent_cpu = argc == 5 ? atoi(argv[3]) : -1;
  int child_cpu = argc == 5 ? atoi(argv[4]) : -1;
  use_futex = strcmp(argv[1], "futex") == 0;
  long count = atol(argv[2]);
  long warmup = count / 10;

  _Atomic uint32_t *turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  uint64_t *rtt = malloc(sizeof(uint64_t) * (size_t)count);
  if (turn == MAP_FAILED || rtt == NULL) {
    perror("futex-pingpong: mmap/malloc");
    return 1;
  }
  atomic_store(turn, 0);

  pid_t child = fork();
  if (child < 0) {
    perror("futex-pingpong: fork");
    return 1;
  }
  if (child == 0) {
    pin(child_cpu);
    for (long i = 0; i < warmup + count; i++) {
      await_turn(turn, 1);
      give_turn(turn, 2);
    }
    _exit(0);
  }

  pin(parent_cpu);
  for (long i = 0; i < warmup + count; i++) {
    uint64_t t = now_ns();
    give_turn(turn, 1);
    await_turn(turn, 2);
    if (i >= warmup) rtt[i - warmup] = now_ns() - t;
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "futex-pingpong: the child failed\n");
    return 1;
  }

  double sum = 0;
  for (long i = 0; i < count; i++) sum += (double)rtt[i];
  qsort(rtt, (size_t)count, sizeof(uint64_t), compare_u64);
#define PCT(q) ((double)rtt[(long)((q) * (double)count) < count ? (long)((q) * (double)count) : count - 1] / 1000.0)
  printf("{\"mode\":\"%s\",\"count\":%ld,\"mean_us\":%.4f,\"p50_us\":%.4f,\"p95_us\":%.4f,\"p99_us\":%.4f}\n", argv[1], count,
         sum / (double)count / 1000.0, PCT(0.5), PCT(0.95), PCT(0.99));
  return 0;
}
