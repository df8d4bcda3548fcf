/*
 * A libwayland client of the NovaDE shell protocol (idl/shell.nidl), built by the tests with gcc
 * against wayland-scanner's output for the XML nova-gen writes. It is the independent peer of our
 * TypeScript server: it binds nova_shell_v1 and wl_compositor, makes a layer surface and waits for
 * its configure, lists the launcher's applications and launches one, and prints one line per
 * result on stdout. Exit 0 when every step got its event, 1 on a protocol error (printed as
 * `error <interface> <code>`), 2 when a step is missing.
 *
 * Usage: nova-shell-client [--bad-layer]   (the display comes from WAYLAND_DISPLAY / WAYLAND_SOCKET)
 *   --bad-layer  ends with set_layer(99): the server must answer with a protocol error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>
#include "nova-shell-client-protocol.h"

struct state {
	struct wl_compositor *compositor;
	struct nova_shell_v1 *shell;
	uint32_t shell_version;
	int configured;
	uint32_t serial, width, height;
	int apps, listed, launched;
};

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version)
{
	struct state *s = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		s->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, min_u32(version, 4));
	} else if (strcmp(interface, nova_shell_v1_interface.name) == 0) {
		s->shell_version = min_u32(version, (uint32_t)nova_shell_v1_interface.version);
		s->shell = wl_registry_bind(registry, name, &nova_shell_v1_interface, s->shell_version);
	}
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name) { (void)data; (void)registry; (void)name; }

static const struct wl_registry_listener registry_listener = { global, global_remove };

static void configure(void *data, struct nova_layer_surface_v1 *surface, uint32_t serial, uint32_t width, uint32_t height)
{
	struct state *s = data;
	s->configured = 1;
	s->serial = serial;
	s->width = width;
	s->height = height;
	printf("configure %u %u\n", width, height);
	nova_layer_surface_v1_ack_configure(surface, serial);
}

static void closed(void *data, struct nova_layer_surface_v1 *surface) { (void)data; (void)surface; printf("closed\n"); }

static const struct nova_layer_surface_v1_listener layer_listener = { configure, closed };

static void app(void *data, struct nova_launcher_v1 *launcher, const char *app_id, const char *name, const char *icon, const char *categories, uint32_t flags)
{
	struct state *s = data;
	(void)launcher;
	s->apps++;
	printf("app %s|%s|%s|%s|%u\n", app_id, name, icon, categories, flags);
}

static void done(void *data, struct nova_launcher_v1 *launcher) { struct state *s = data; (void)launcher; s->listed = 1; printf("done %d\n", s->apps); }

static void changed(void *data, struct nova_launcher_v1 *launcher) { (void)data; (void)launcher; printf("changed\n"); }

static void launched(void *data, struct nova_launcher_v1 *launcher, const char *app_id, uint32_t pid)
{
	struct state *s = data;
	(void)launcher;
	s->launched = 1;
	printf("launched %s %u\n", app_id, pid);
}

static const struct nova_launcher_v1_listener launcher_listener = { app, done, changed, launched };

/* Round trips until *flag is set; 0 on success, -1 when the connection failed (a protocol error). */
static int wait_for(struct wl_display *display, const int *flag)
{
	for (int i = 0; i < 100 && !*flag; i++)
		if (wl_display_roundtrip(display) < 0) return -1;
	return *flag ? 0 : 1;
}

static int report_error(struct wl_display *display)
{
	const struct wl_interface *interface = NULL;
	uint32_t id = 0;
	uint32_t code = wl_display_get_protocol_error(display, &interface, &id);
	printf("error %s %u\n", interface ? interface->name : "?", code);
	wl_display_disconnect(display);
	return 1;
}

int main(int argc, char **argv)
{
	int bad_layer = argc > 1 && strcmp(argv[1], "--bad-layer") == 0;
	struct state s = { 0 };
	struct wl_display *display = wl_display_connect(NULL);
	if (!display) { fprintf(stderr, "cannot connect\n"); return 2; }
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, &s);
	if (wl_display_roundtrip(display) < 0) return report_error(display);
	if (!s.shell || !s.compositor) { fprintf(stderr, "nova_shell_v1 or wl_compositor missing\n"); return 2; }
	printf("bound nova_shell_v1 %u\n", s.shell_version);

	struct wl_surface *surface = wl_compositor_create_surface(s.compositor);
	struct nova_layer_surface_v1 *layer = nova_shell_v1_get_layer_surface(s.shell, surface, NULL, NOVA_SHELL_V1_LAYER_TOP, "panel");
	nova_layer_surface_v1_add_listener(layer, &layer_listener, &s);
	nova_layer_surface_v1_set_size(layer, 0, 32);
	nova_layer_surface_v1_set_anchor(layer, NOVA_LAYER_SURFACE_V1_ANCHOR_TOP | NOVA_LAYER_SURFACE_V1_ANCHOR_LEFT | NOVA_LAYER_SURFACE_V1_ANCHOR_RIGHT);
	nova_layer_surface_v1_set_exclusive_zone(layer, 32);
	nova_layer_surface_v1_set_margin(layer, 0, 0, 0, 0);
	nova_layer_surface_v1_set_keyboard_interactivity(layer, NOVA_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
	wl_surface_commit(surface);
	int r = wait_for(display, &s.configured);
	if (r < 0) return report_error(display);
	if (r > 0) { fprintf(stderr, "no configure\n"); return 2; }

	if (s.shell_version >= 2) {
		struct nova_launcher_v1 *launcher = nova_shell_v1_get_launcher(s.shell);
		nova_launcher_v1_add_listener(launcher, &launcher_listener, &s);
		nova_launcher_v1_list_apps(launcher);
		r = wait_for(display, &s.listed);
		if (r < 0) return report_error(display);
		if (r > 0) { fprintf(stderr, "no done\n"); return 2; }
		nova_launcher_v1_launch(launcher, "org.novade.Terminal", "token-1");
		r = wait_for(display, &s.launched);
		if (r < 0) return report_error(display);
		if (r > 0) { fprintf(stderr, "no launched\n"); return 2; }
		nova_launcher_v1_destroy(launcher);
	}
	if (bad_layer) {
		nova_layer_surface_v1_set_layer(layer, 99);
		if (wl_display_roundtrip(display) < 0) return report_error(display);
		fprintf(stderr, "set_layer(99) was accepted\n");
		return 2;
	}
	nova_layer_surface_v1_destroy(layer);
	wl_surface_destroy(surface);
	nova_shell_v1_destroy(s.shell);
	wl_compositor_destroy(s.compositor);
	wl_registry_destroy(registry);
	if (wl_display_roundtrip(display) < 0) return report_error(display);
	printf("ok\n");
	wl_display_disconnect(display);
	return 0;
}
