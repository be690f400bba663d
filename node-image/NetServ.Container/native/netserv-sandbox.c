/*
 * netserv-sandbox: confine one per-user netserv-container process, then exec it.
 *
 * netservd runs as root and must hand each NetServ user a process that runs under
 * the user's own uid, inside the user's cgroups, with only the capabilities its
 * modules need (typically CAP_NET_ADMIN for NFQUEUE) and only the files and TCP
 * ports it was granted.  Doing this in a tiny C program keeps the privileged
 * window short and auditable, and runs before the .NET runtime starts, so the
 * runtime never has more privilege than the user's modules.
 *
 *   netserv-sandbox [options] -- PROGRAM [ARGS...]     (see usage() below)
 *
 * Exit codes: 126 for any confinement or usage failure, 127 if execv fails.
 * We never exec with half-applied confinement; the one documented exception is
 * "--landlock optional" on a kernel without Landlock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/magic.h>

/* Debian 12's linux-libc-dev (6.1) knows Landlock ABI 2 only; the constants below
 * are kernel ABI, so defining them here lets us use newer kernels' features. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#define NS_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define NS_RULE_NET_PORT 2

/* Own copies of the ABI-4 structs, so the code compiles against any header. The
 * kernel accepts a larger ruleset_attr from older ABIs as long as the extra field
 * is zero, which it is when the kernel lacks network rules. */
struct ns_ruleset_attr { uint64_t handled_access_fs; uint64_t handled_access_net; };
struct ns_net_port_attr { uint64_t allowed_access; uint64_t port; };

#define FS_ALL ((LANDLOCK_ACCESS_FS_IOCTL_DEV << 1) - 1) /* bits 0..15 */
#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_READ_EXEC (LANDLOCK_ACCESS_FS_EXECUTE | FS_READ)
/* The kernel rejects rules on non-directories that carry directory rights. */
#define FS_FILE_ONLY (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                      LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
                      LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define EXIT_CONFINE 126
#define EXIT_EXEC 127

static const char *const cap_names[] = {
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
    "setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
    "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
    "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
    "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
    "sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
    "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
    "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};
#define CAP_NAME_COUNT ((int)(sizeof cap_names / sizeof cap_names[0]))

static const struct { const char *name; int resource; } rlimit_names[] = {
    {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC}, {"as", RLIMIT_AS},
    {"core", RLIMIT_CORE}, {"fsize", RLIMIT_FSIZE}, {"memlock", RLIMIT_MEMLOCK},
    {"stack", RLIMIT_STACK},
};

struct rlimit_opt { int resource; struct rlimit value; };

/* A failed system call: report which one and why, and never go on. */
static _Noreturn void die(const char *call)
{
    fprintf(stderr, "netserv-sandbox: %s: %s\n", call, strerror(errno));
    exit(EXIT_CONFINE);
}

/* The same for calls on a named file, e.g. "open /sys/fs/cgroup/x/cgroup.procs". */
static _Noreturn void die_on(const char *call, const char *path)
{
    fprintf(stderr, "netserv-sandbox: %s %s: %s\n", call, path, strerror(errno));
    exit(EXIT_CONFINE);
}

/* A bad command line or policy: the caller (netservd) has a bug; say what it is. */
__attribute__((format(printf, 1, 2)))
static _Noreturn void fail(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fputs("netserv-sandbox: ", stderr);
    vfprintf(stderr, fmt, args);
    fputs("\n", stderr);
    va_end(args);
    exit(EXIT_CONFINE);
}

static void usage(FILE *out)
{
    fputs("usage: netserv-sandbox [options] -- PROGRAM [ARGS...]\n"
          "  --uid N --gid N            run PROGRAM as this uid/gid (required unless --probe)\n"
          "  --cap NAME                 keep this capability, e.g. net_admin (repeatable)\n"
          "  --cgroup DIR               join this cgroup before dropping privileges (repeatable)\n"
          "  --rlimit NAME=SOFT[:HARD]  nofile|nproc|as|core|fsize|memlock|stack; number or unlimited\n"
          "  --ro PATH / --rx PATH / --rw PATH\n"
          "                             Landlock: read / read+execute / full access under PATH (repeatable)\n"
          "  --tcp-bind PORT            Landlock ABI>=4: allow TCP bind to PORT (repeatable)\n"
          "  --landlock required|optional|off   (default optional)\n"
          "  --nice N                   scheduling priority for PROGRAM\n"
          "  --probe                    print landlock-abi=N and cgroup=v1|v2|hybrid, then exit\n",
          out);
}

/* Strict decimal parsing: a typo in a uid must not become uid 0. */
static unsigned long long parse_number(const char *text, unsigned long long max, const char *what)
{
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (text[0] == '\0' || text[0] == '-' || *end != '\0' || errno != 0 || value > max)
        fail("invalid %s '%s'", what, text);
    return value;
}

static rlim_t parse_rlim(const char *text)
{
    if (strcmp(text, "unlimited") == 0)
        return RLIM_INFINITY;
    return (rlim_t)parse_number(text, RLIM_INFINITY - 1, "--rlimit value");
}

static void parse_rlimit(char *spec, struct rlimit_opt *out)
{
    char *eq = strchr(spec, '=');
    if (eq == NULL)
        fail("--rlimit needs NAME=SOFT[:HARD], got '%s'", spec);
    *eq = '\0';
    out->resource = -1;
    for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
        if (strcmp(spec, rlimit_names[i].name) == 0)
            out->resource = rlimit_names[i].resource;
    if (out->resource < 0)
        fail("unknown rlimit '%s'", spec);
    char *colon = strchr(eq + 1, ':');
    if (colon != NULL)
        *colon = '\0';
    out->value.rlim_cur = parse_rlim(eq + 1);
    /* Without an explicit HARD the limit is fixed: the user cannot raise it back. */
    out->value.rlim_max = colon != NULL ? parse_rlim(colon + 1) : out->value.rlim_cur;
}

static int parse_cap(const char *name)
{
    if (strncasecmp(name, "cap_", 4) == 0)
        name += 4;
    for (int i = 0; i < CAP_NAME_COUNT; i++)
        if (strcasecmp(name, cap_names[i]) == 0)
            return i;
    fail("unknown capability '%s'", name);
}

/* 0 when the kernel lacks Landlock (ENOSYS) or it is disabled at boot (EOPNOTSUPP). */
static int landlock_abi(void)
{
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

static int is_cgroup2(const char *path)
{
    struct statfs st;
    return statfs(path, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* netservd uses this to choose cgroup paths and to tell the operator what
 * confinement the node can really enforce. */
static int probe(void)
{
    const char *layout = "v1";
    if (is_cgroup2("/sys/fs/cgroup"))
        layout = "v2";
    else if (is_cgroup2("/sys/fs/cgroup/unified"))
        layout = "hybrid"; /* v1 controllers plus a v2 tree (systemd "hybrid") */
    printf("landlock-abi=%d\ncgroup=%s\n", landlock_abi(), layout);
    return fflush(stdout) == 0 ? 0 : EXIT_CONFINE;
}

static void join_cgroup(const char *dir)
{
    char path[4096], pid[32];
    if (snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= (int)sizeof path)
        fail("cgroup path too long: %s", dir);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        die_on("open", path);
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    /* cgroup files take the whole pid in one write; a short write means failure. */
    if (write(fd, pid, (size_t)len) != len)
        die_on("write", path);
    if (close(fd) != 0)
        die_on("close", path);
}

static void set_caps(uint64_t keep)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(keep >> (32 * i));
        data[i].permitted = data[i].effective = data[i].inheritable = word;
    }
    if (syscall(SYS_capset, &hdr, data) != 0)
        die("capset");
}

/* Fail early with a clear message instead of a bare EPERM from capset later. */
static void check_caps_held(uint64_t keep)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) != 0)
        die("capget");
    uint64_t permitted = data[0].permitted | ((uint64_t)data[1].permitted << 32);
    for (int cap = 0; cap < CAP_NAME_COUNT; cap++)
        if ((keep & (1ULL << cap)) && !(permitted & (1ULL << cap)))
            fail("capability '%s' is not held by the launcher", cap_names[cap]);
}

static void add_path_rule(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            /* Node images differ (/lib64 exists on some only); a missing path grants nothing. */
            fprintf(stderr, "netserv-sandbox: warning: %s does not exist, skipped\n", path);
            return;
        }
        die_on("open", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0)
        die_on("fstat", path);
    if (!S_ISDIR(st.st_mode))
        access &= FS_FILE_ONLY;
    struct landlock_path_beneath_attr rule = { .allowed_access = access & handled, .parent_fd = fd };
    if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
        die("landlock_add_rule");
    close(fd);
}

/* Returns 0 without confining only for "--landlock optional" on a kernel without
 * Landlock; returns 1 once the ruleset is enforced. */
static int apply_landlock(const char *mode, char **ro, int nro, char **rx, int nrx, char **rw, int nrw,
                           const uint16_t *ports, int nports)
{
    int abi = landlock_abi();
    if (abi <= 0) {
        if (strcmp(mode, "required") == 0) {
            fputs("netserv-sandbox: Landlock is required but this kernel does not support it "
                  "(CONFIG_SECURITY_LANDLOCK, lsm= boot parameter)\n", stderr);
            exit(EXIT_CONFINE);
        }
        fputs("netserv-sandbox: warning: kernel lacks Landlock; filesystem and port "
              "rules are NOT enforced\n", stderr);
        return 0;
    }
    /* Handle every right the kernel knows (deny by default), dropping newer ones
     * the running ABI would reject -- the compatibility pattern of the Landlock docs.
     * Only TCP bind is handled for the network: outgoing connects stay free. */
    struct ns_ruleset_attr attr = { .handled_access_fs = FS_ALL,
                                    .handled_access_net = NS_ACCESS_NET_BIND_TCP };
    switch (abi) {
    case 1:
        attr.handled_access_fs &= ~LANDLOCK_ACCESS_FS_REFER;
        __attribute__((fallthrough));
    case 2:
        attr.handled_access_fs &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
        __attribute__((fallthrough));
    case 3:
        attr.handled_access_net = 0;
        __attribute__((fallthrough));
    case 4:
        attr.handled_access_fs &= ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
        break;
    default:
        break;
    }
    if (nports > 0 && attr.handled_access_net == 0)
        fprintf(stderr, "netserv-sandbox: warning: Landlock ABI %d has no network rules; "
                "--tcp-bind is not enforced\n", abi);

    int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0)
        die("landlock_create_ruleset");
    /* Execution is granted only where --rx says (the runtime, its loader and libraries):
     * a module cannot run a shell or any other program. */
    for (int i = 0; i < nro; i++)
        add_path_rule(ruleset, ro[i], FS_READ, attr.handled_access_fs);
    for (int i = 0; i < nrx; i++)
        add_path_rule(ruleset, rx[i], FS_READ_EXEC, attr.handled_access_fs);
    for (int i = 0; i < nrw; i++)
        add_path_rule(ruleset, rw[i], attr.handled_access_fs, attr.handled_access_fs);
    for (int i = 0; i < nports && attr.handled_access_net != 0; i++) {
        struct ns_net_port_attr rule = { .allowed_access = NS_ACCESS_NET_BIND_TCP, .port = ports[i] };
        if (syscall(__NR_landlock_add_rule, ruleset, NS_RULE_NET_PORT, &rule, 0) != 0)
            die("landlock_add_rule(net)");
    }
    if (syscall(__NR_landlock_restrict_self, ruleset, 0) != 0)
        die("landlock_restrict_self");
    close(ruleset);
    return 1;
}

int main(int argc, char **argv)
{
    long long uid = -1, gid = -1;
    int nice_set = 0, nice_value = 0, do_probe = 0, prog = -1;
    uint64_t keep = 0;
    const char *landlock = "optional";
    /* No option list can be longer than argv, so argc-sized arrays always suffice. */
    char **cgroups = calloc((size_t)argc, sizeof *cgroups);
    char **ro = calloc((size_t)argc, sizeof *ro);
    char **rx = calloc((size_t)argc, sizeof *rx);
    char **rw = calloc((size_t)argc, sizeof *rw);
    uint16_t *ports = calloc((size_t)argc, sizeof *ports);
    struct rlimit_opt *rlimits = calloc((size_t)argc, sizeof *rlimits);
    int ncg = 0, nro = 0, nrx = 0, nrw = 0, nports = 0, nrl = 0;
    if (!cgroups || !ro || !rx || !rw || !ports || !rlimits)
        die("calloc");

    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--") == 0) { prog = i + 1; break; }
        if (strcmp(opt, "--probe") == 0) { do_probe = 1; continue; }
        if (strcmp(opt, "--help") == 0) { usage(stdout); return 0; }
        static const char *const valued[] = { "--uid", "--gid", "--cap", "--cgroup", "--rlimit",
                                              "--ro", "--rx", "--rw", "--tcp-bind", "--nice", "--landlock" };
        int known = 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known |= strcmp(opt, valued[k]) == 0;
        if (!known)
            fail("unknown option '%s' (see --help)", opt);
        if (i + 1 >= argc)
            fail("option '%s' needs a value", opt);
        char *val = argv[++i];
        if (strcmp(opt, "--uid") == 0) uid = (long long)parse_number(val, 0xfffffffeULL, "--uid");
        else if (strcmp(opt, "--gid") == 0) gid = (long long)parse_number(val, 0xfffffffeULL, "--gid");
        else if (strcmp(opt, "--cap") == 0) keep |= 1ULL << parse_cap(val);
        else if (strcmp(opt, "--cgroup") == 0) cgroups[ncg++] = val;
        else if (strcmp(opt, "--rlimit") == 0) parse_rlimit(val, &rlimits[nrl++]);
        else if (strcmp(opt, "--ro") == 0) ro[nro++] = val;
        else if (strcmp(opt, "--rx") == 0) rx[nrx++] = val;
        else if (strcmp(opt, "--rw") == 0) rw[nrw++] = val;
        else if (strcmp(opt, "--tcp-bind") == 0)
            ports[nports++] = (uint16_t)parse_number(val, 65535, "--tcp-bind port");
        else if (strcmp(opt, "--nice") == 0) {
            /* Accept the full -20..19 range; parse the magnitude, then apply the sign. */
            int negative = val[0] == '-';
            nice_value = (int)parse_number(val + negative, 20, "--nice value") * (negative ? -1 : 1);
            nice_set = 1;
        } else if (strcmp(opt, "--landlock") == 0) {
            if (strcmp(val, "required") && strcmp(val, "optional") && strcmp(val, "off"))
                fail("--landlock must be required, optional or off, got '%s'", val);
            landlock = val;
        }
    }
    if (do_probe)
        return probe();
    if (prog < 0 || prog >= argc)
        fail("%s", "missing '-- PROGRAM [ARGS...]'");
    if (uid < 0 || gid < 0)
        fail("%s", "--uid and --gid are required");
    check_caps_held(keep);

    /* Join cgroups while still root: cgroup.procs is root-owned, and a process
     * must be inside its limits before it can allocate anything as the user. */
    for (int i = 0; i < ncg; i++)
        join_cgroup(cgroups[i]);
    /* Root may raise hard limits; the user may not, so set them now. */
    for (int i = 0; i < nrl; i++)
        if (setrlimit(rlimits[i].resource, &rlimits[i].value) != 0)
            die("setrlimit");
    if (nice_set && setpriority(PRIO_PROCESS, 0, nice_value) != 0)
        die("setpriority");

    /* KEEPCAPS keeps the permitted set across setresuid; without it, leaving uid 0
     * wipes every capability and there would be nothing to hand to the child. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
        die("prctl(PR_SET_KEEPCAPS)");
    /* Shrinking the bounding set needs CAP_SETPCAP, so it happens before setuid.
     * Afterwards no exec (setuid binary, file caps) can regain a dropped capability. */
    for (int cap = 0; cap < 64; cap++) {
        int in_bounding = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in_bounding < 0) {
            if (errno == EINVAL)
                break; /* past the kernel's last capability */
            die("prctl(PR_CAPBSET_READ)");
        }
        if (in_bounding && !(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            die("prctl(PR_CAPBSET_DROP)");
    }
    /* Supplementary groups first (needs CAP_SETGID), then gid, then uid last,
     * since after setresuid we could no longer change the others. */
    if (setgroups(0, NULL) != 0)
        die("setgroups");
    if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0)
        die("setresgid");
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0)
        die("setresuid");

    /* A non-root exec recomputes capabilities from file caps, which the .NET host
     * has none of; only the ambient set carries capabilities across such an exec.
     * Ambient caps must be in permitted and inheritable, hence capset first. */
    set_caps(keep);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        die("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    for (int cap = 0; cap < 64; cap++)
        if ((keep & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            die("prctl(PR_CAP_AMBIENT_RAISE)");

    /* Required by landlock_restrict_self for an unprivileged caller, and it stops
     * setuid binaries from undoing any of the above. Ambient caps are unaffected. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        die("prctl(PR_SET_NO_NEW_PRIVS)");
    int confined = strcmp(landlock, "off") != 0 &&
                   apply_landlock(landlock, ro, nro, rx, nrx, rw, nrw, ports, nports);

    execv(argv[prog], &argv[prog]);
    int err = errno;
    fprintf(stderr, "netserv-sandbox: execv %s: %s\n", argv[prog], strerror(err));
    /* Landlock denies by default: the program, its loader and libraries need --rx. */
    if (err == EACCES && confined)
        fputs("netserv-sandbox: hint: Landlock allows execution only under --rx/--rw paths\n", stderr);
    return EXIT_EXEC;
}
