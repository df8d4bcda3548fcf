/*
 * The libwayland baseline of the bench (wayland_roundtrip_p95_us's reference): times N
 * wl_display_roundtrip calls (a wl_display.sync and its wl_callback.done) against whatever server
 * WAYLAND_DISPLAY names, after a warm-up, and prints `n`, `p50_us` and `p95_us` lines.
 *
 * Usage: roundtrip-bench [N]   (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wayland-client.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	if (n < 1) n = 1;
	struct wl_display *display = wl_display_connect(NULL);
	if (!display) { fprintf(stderr, "cannot connect\n"); return 2; }
	double *us = malloc(sizeof(double) * (size_t)n);
	if (!us) return 2;
	for (int i = 0; i < n / 10 + 10; i++)
		if (wl_display_roundtrip(display) < 0) return 1;
	for (int i = 0; i < n; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (wl_display_roundtrip(display) < 0) return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		us[i] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	}
	qsort(us, (size_t)n, sizeof(double), cmp);
	printf("n %d\np50_us %.1f\np95_us %.1f\n", n, us[(n - 1) / 2], us[(int)((n - 1) * 0.95)]);
	free(us);
	wl_display_disconnect(display);
	return 0;
}
