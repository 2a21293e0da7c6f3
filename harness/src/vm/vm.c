#include "vm.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestagent.h"
#include "threadstats.h"
#include "util.h"

struct argbuf {
	char **v;
	int n;
	int cap;
};

static void add(struct argbuf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct argbuf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = realloc(a->v, (size_t)a->cap * sizeof(char *));
		if (!a->v)
			abort();
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

char **vm_argv(const struct vm_config *c, const struct vm *v)
{
	struct argbuf a = { 0 };

	add(&a, "%s", c->qemu);
	add(&a, "-name");
	add(&a, "pvmig-%s,debug-threads=on", c->name);
	/* Debian's source tarball has no firmware blobs: SeaBIOS and the
	 * option roms (pvh.bin for the vmlinux boot) come from Debian's
	 * seabios and qemu-system-data packages, built from the same source. */
	add(&a, "-L");
	add(&a, "/usr/share/seabios");
	add(&a, "-L");
	add(&a, "/usr/share/qemu");
	add(&a, "-M");
	add(&a, "pc");
	add(&a, "-accel");
	add(&a, "%s", c->accel);
	add(&a, "-cpu");
	add(&a, "%s", strcmp(c->accel, "kvm") ? "max" : "host");
	add(&a, "-smp");
	add(&a, "1");
	add(&a, "-m");
	add(&a, "%ld", c->mem_mib);
	if (c->prealloc)
		add(&a, "-mem-prealloc");
	add(&a, "-nodefaults");
	add(&a, "-no-user-config");
	add(&a, "-display");
	add(&a, "none");
	add(&a, "-no-reboot");
	add(&a, "-kernel");
	add(&a, "%s", c->kernel);
	add(&a, "-initrd");
	add(&a, "%s", c->initrd);
	add(&a, "-append");
	add(&a, "console=ttyS0 quiet panic=-1 %s", c->cmdline_extra ? c->cmdline_extra : "");
	add(&a, "-serial");
	add(&a, "file:%s", v->serial_path);
	add(&a, "-qmp");
	add(&a, "unix:%s,server=on,wait=off", v->qmp_path);
	add(&a, "-chardev");
	add(&a, "socket,id=ga0,path=%s,server=on,wait=off", v->ga_path);
	add(&a, "-device");
	add(&a, "virtio-serial-pci,id=vser0");
	add(&a, "-device");
	add(&a, "virtserialport,bus=vser0.0,chardev=ga0,name=org.qemu.guest_agent.0");
	for (int i = 0; i < c->nextra; i++)
		add(&a, "%s", c->extra[i]);
	if (c->incoming) {
		add(&a, "-incoming");
		add(&a, "defer");
	}
	return a.v;
}

void vm_argv_free(char **argv)
{
	for (char **p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

static void host_file(const struct vm_config *c, const char *suffix, char *out, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", c->name, suffix);
	host_path(c->host, name, out, len);
}

int vm_start(struct vm *v, const struct vm_config *c, int timeout_ms,
             char *err, size_t errlen)
{
	int64_t deadline = now_ms() + timeout_ms;
	char **argv;

	memset(v, 0, sizeof(*v));
	v->qmp.fd = v->ga.fd = -1;
	v->host = c->host;
	host_file(c, ".qmp", v->qmp_path, sizeof(v->qmp_path));
	host_file(c, ".ga", v->ga_path, sizeof(v->ga_path));
	host_file(c, "-qemu.log", v->log_path, sizeof(v->log_path));
	host_file(c, "-serial.log", v->serial_path, sizeof(v->serial_path));
	if (host_is_local(c->host)) {
		unlink(v->qmp_path);
		unlink(v->ga_path);
	}

	argv = vm_argv(c, v);
	for (char **p = argv; *p; p++) {
		size_t n = strlen(v->cmdline);

		snprintf(v->cmdline + n, sizeof(v->cmdline) - n, "%s%s", n ? " " : "", *p);
	}
	/* On an ssh host the command line is in run.json only. */
	if (host_is_local(c->host)) {
		FILE *f = fopen(v->log_path, "a");

		if (f) {
			fprintf(f, "#");
			for (char **p = argv; *p; p++)
				fprintf(f, " %s", *p);
			fprintf(f, "\n");
			fclose(f);
		}
	}
	if (host_spawn(c->host, c->name, argv, v->log_path, &v->proc, err, errlen)) {
		vm_argv_free(argv);
		return -1;
	}
	vm_argv_free(argv);
	if (host_forward(c->host, v->qmp_path, timeout_ms, v->qmp_local, sizeof(v->qmp_local),
			 err, errlen))
		return -1;
	if (qmp_open(&v->qmp, c->name, v->qmp_local, true, (int)(deadline - now_ms()))) {
		snprintf(err, errlen, "%s: QMP not reachable: %s%s", c->name, v->qmp.error,
			 vm_alive(v) ? "" : " (QEMU exited; see its log)");
		return -1;
	}
	v->qmp_up = true;
	return 0;
}

int vm_wait_agent(struct vm *v, int timeout_ms, char *err, size_t errlen)
{
	char name[40];

	snprintf(name, sizeof(name), "%s-ga", v->qmp.name);
	if (!v->ga_local[0] &&
	    host_forward(v->host, v->ga_path, timeout_ms, v->ga_local, sizeof(v->ga_local),
			 err, errlen))
		return -1;
	if (ga_connect(&v->ga, name, v->ga_local, timeout_ms) || ga_ping(&v->ga, 5000)) {
		snprintf(err, errlen, "%s: guest agent did not answer within %d ms: %s",
			 v->qmp.name, timeout_ms, v->ga.error);
		return -1;
	}
	v->ga_up = true;
	return 0;
}

bool vm_alive(const struct vm *v)
{
	return v->host && host_alive(v->host, &v->proc);
}

static void close_channels(struct vm *v)
{
	if (v->ga.fd >= 0 || v->ga.events)
		qmp_close(&v->ga);
	if (v->qmp.fd >= 0 || v->qmp.events)
		qmp_close(&v->qmp);
	v->ga_up = v->qmp_up = false;
}

static void drop_forwards(struct vm *v)
{
	if (v->qmp_local[0])
		host_unforward(v->host, v->qmp_local);
	if (v->ga_local[0])
		host_unforward(v->host, v->ga_local);
	v->qmp_local[0] = v->ga_local[0] = '\0';
}

void vm_stop(struct vm *v)
{
	if (!v->host || v->proc.pid <= 0)
		return;
	if (v->qmp_up && !pvmig_interrupted)
		qmp_exec(&v->qmp, "quit", NULL, 2000, NULL);
	close_channels(v);
	if (host_wait_exit(v->host, &v->proc, 3000))
		host_forget(v->host, &v->proc);
	else
		host_stop(v->host, &v->proc, 3000);
	drop_forwards(v);
	if (host_is_local(v->host)) {
		unlink(v->qmp_path);
		unlink(v->ga_path);
	}
}

void vm_kill(struct vm *v)
{
	if (!v->host || v->proc.pid <= 0)
		return;
	host_kill(v->host, &v->proc);
	close_channels(v);
	drop_forwards(v);
}

int64_t vm_proc_kb(struct vm *v, const char *file, const char *key)
{
	char path[64], *s, *p;
	int64_t kb = -1;	/* record.h's NA */

	if (v->proc.pid <= 0)
		return kb;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)v->proc.pid, file);
	s = host_read_file(v->host, path);
	if (s && (p = strstr(s, key)))
		kb = strtoll(p + strlen(key), NULL, 10);
	free(s);
	return kb;
}

int vm_proc_cpu_ms(struct vm *v, int64_t *user_ms, int64_t *sys_ms)
{
	char path[64], *s;
	struct stat_fields sf;
	long hz = sysconf(_SC_CLK_TCK);
	int rc = -1;

	if (v->proc.pid <= 0 || hz <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)v->proc.pid);
	s = host_read_file(v->host, path);
	if (s && threadstats_parse_stat(s, &sf) == 0) {
		*user_ms = (int64_t)(sf.utime * 1000 / (unsigned long long)hz);
		*sys_ms = (int64_t)(sf.stime * 1000 / (unsigned long long)hz);
		rc = 0;
	}
	free(s);
	return rc;
}
