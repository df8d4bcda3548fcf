/*
 * The libwayland baselines of the wayland suite (test/bench/wayland.bench.ts): the same commands
 * as our client's process (wl-client-peer.ts), through libwayland-client. Compiled by the suite
 * with `gcc -O2 ... -lwayland-client` at run time.
 *
 * Connects to WAYLAND_DISPLAY, binds wl_compositor (version ≤ 5), creates a surface, commits it
 * and round-trips, prints `ready <pid>`, then reads commands from stdin, one per line:
 *
 *   rt <k>       k wl_display_roundtrip calls (wl_display.sync + wl_callback.done), each timed
 *                with CLOCK_MONOTONIC; prints `rt` and the k durations in µs on one line.
 *   req <n> <w>  n wl_surface.damage_buffer(0, 0, 64, 64) requests in windows of w, each window
 *                followed by a wl_display.sync, at most two windows unacknowledged (the flow
 *                control keeps libwayland's non-blocking writes from failing with EAGAIN);
 *                then wl_surface.commit (the server's end-of-run marker) and a round trip;
 *                prints `done`.
 *
 * Exits 0 at the end of stdin, 1 when the connection fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

static struct wl_compositor *compositor;

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *iface, uint32_t version)
{
	(void)data;
	if (strcmp(iface, wl_compositor_interface.name) == 0)
		compositor = wl_registry_bind(registry, name, &wl_compositor_interface, version < 5 ? version : 5);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
	(void)data, (void)registry, (void)name;
}

static const struct wl_registry_listener registry_listener = { global, global_remove };

/* A window's sync callback: one window fewer in flight. */
static void window_done(void *data, struct wl_callback *callback, uint32_t serial)
{
	(void)serial;
	(*(long *)data)--;
	wl_callback_destroy(callback);
}

static const struct wl_callback_listener window_listener = { window_done };

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void fail(const char *what)
{
	fprintf(stderr, "wl-bench-client: %s failed\n", what);
	exit(1);
}

static void roundtrips(struct wl_display *display, long k)
{
	double *us = malloc(sizeof(double) * (size_t)(k > 0 ? k : 1));
	if (!us) fail("malloc");
	for (long i = 0; i < k; i++) {
		double a = now_us();
		if (wl_display_roundtrip(display) < 0) fail("wl_display_roundtrip");
		us[i] = now_us() - a;
	}
	fputs("rt", stdout);
	for (long i = 0; i < k; i++) printf(" %.2f", us[i]);
	fputs("\n", stdout);
	free(us);
}

static void requests(struct wl_display *display, struct wl_surface *surface, long n, long w)
{
	long pending = 0;
	for (long sent = 0; sent < n;) {
		long k = n - sent < w ? n - sent : w;
		for (long i = 0; i < k; i++) wl_surface_damage_buffer(surface, 0, 0, 64, 64);
		sent += k;
		wl_callback_add_listener(wl_display_sync(display), &window_listener, &pending);
		pending++;
		while (pending >= 2)
			if (wl_display_dispatch(display) < 0) fail("wl_display_dispatch");
	}
	wl_surface_commit(surface);
	if (wl_display_roundtrip(display) < 0) fail("wl_display_roundtrip");
	puts("done");
}

int main(void)
{
	struct wl_display *display = wl_display_connect(NULL);
	if (!display) fail("wl_display_connect");
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	if (wl_display_roundtrip(display) < 0) fail("wl_display_roundtrip");
	if (!compositor) fail("finding wl_compositor");
	struct wl_surface *surface = wl_compositor_create_surface(compositor);
	wl_surface_commit(surface);
	if (wl_display_roundtrip(display) < 0) fail("wl_display_roundtrip");
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	char line[128];
	while (fgets(line, sizeof line, stdin)) {
		long n, w;
		if (sscanf(line, "req %ld %ld", &n, &w) == 2 && w > 0) requests(display, surface, n, w);
		else if (sscanf(line, "rt %ld", &n) == 1) roundtrips(display, n);
		else {
			fprintf(stderr, "wl-bench-client: bad command: %s", line);
			return 2;
		}
		fflush(stdout);
	}
	wl_display_disconnect(display);
	return 0;
}
