// The hardware's core-to-core round trip, as a floor for the engine's: two threads pinned to CPUs 0 and 1 pass a
// counter back and forth through two cache lines of their own (release stores, acquire loads, PAUSE while waiting).
// Prints the mean round trip in ns of each round.
//
//   gcc -O2 -pthread bench/scripts/pingpong.c -o /tmp/pingpong && /tmp/pingpong ROUNDS ROUND_TRIPS_PER_ROUND
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(128) atomic_long ping;
static _Alignas(128) atomic_long pong;
static long iters;

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *echo(void *arg)
{
    pin(*(int *)arg);
    for (long i = 1; i <= iters; i++)
    {
        while (atomic_load_explicit(&ping, memory_order_acquire) != i)
        {
            __builtin_ia32_pause();
        }
        atomic_store_explicit(&pong, i, memory_order_release);
    }
    return 0;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 3)
    {
        fprintf(stderr, "usage: %s ROUNDS ROUND_TRIPS_PER_ROUND\n", argv[0]);
        return 2;
    }
    const int rounds = atoi(argv[1]);
    iters = atol(argv[2]);
    int requester = 0, echoer = 1;
    for (int r = 0; r < rounds; r++)
    {
        atomic_store(&ping, 0);
        atomic_store(&pong, 0);
        pthread_t thread;
        pthread_create(&thread, 0, echo, &echoer);
        pin(requester);
        const double start = now_ns();
        for (long i = 1; i <= iters; i++)
        {
            atomic_store_explicit(&ping, i, memory_order_release);
            while (atomic_load_explicit(&pong, memory_order_acquire) != i)
            {
                __builtin_ia32_pause();
            }
        }
        const double end = now_ns();
        pthread_join(thread, 0);
        printf("%.1f ", (end - start) / iters);
        fflush(stdout);
    }
    printf("\n");
    return 0;
}
