/*
 * nfq-accept: the conventional C baseline of the NFQUEUE path, and so the limit of what a queue
 * reader can reach on a machine. It binds one queue with libnetfilter_queue (copy mode packet,
 * fail-open, a 16 MiB receive buffer, as the container's reader does), accepts every packet with
 * batched verdicts, and prints one JSON line when it stops.
 *
 *   nfq-accept --queue N [--batch 32] [--cpu K] [--max-packets M] [--seconds S] [--maxlen 4096]
 *
 * Verdicts: one nfq_set_verdict_batch every `batch` packets, and whenever the socket is empty
 * (a receive with MSG_DONTWAIT says so), so no packet waits for a batch to fill.
 * Stops on SIGTERM or SIGINT, after M packets, or after S seconds. --maxlen sets how many packets
 * the kernel holds for a verdict before failing open (the container's default is 4096).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define DEFAULT_QUEUE_MAXLEN 4096u
#define MAX_BATCH 65536u
#define RECEIVE_BUFFER_BYTES (16u * 1024u * 1024u)
#define RECEIVE_TIMEOUT_MS 100

struct loop {
    struct nfq_q_handle *queue;
    unsigned batch;
    unsigned pending;
    uint32_t last_id;
    unsigned long long packets;
    unsigned long long max_packets;
    struct timespec first;
    struct timespec last;
    int failed;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* Accepts every packet up to the last one seen that has no verdict yet. */
static int flush(struct loop *loop)
{
    if (loop->pending == 0)
        return 0;
    if (nfq_set_verdict_batch(loop->queue, loop->last_id, NF_ACCEPT) < 0) {
        fprintf(stderr, "nfq-accept: nfq_set_verdict_batch(%u) failed: %s\n", loop->last_id, strerror(errno));
        loop->failed = 1;
        return -1;
    }
    loop->pending = 0;
    return 0;
}

static int on_packet(struct nfq_q_handle *queue, struct nfgenmsg *message, struct nfq_data *data, void *context)
{
    struct loop *loop = context;
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    (void)queue;
    (void)message;

    if (header == NULL)
        return 0;
    loop->last_id = ntohl(header->packet_id);
    loop->pending++;
    loop->packets++;
    clock_gettime(CLOCK_MONOTONIC, &loop->last);
    if (loop->packets == 1)
        loop->first = loop->last;
    if (loop->pending >= loop->batch || (loop->max_packets != 0 && loop->packets >= loop->max_packets))
        return flush(loop);
    return 0;
}

static void usage(FILE *stream)
{
    fprintf(stream, "usage: nfq-accept --queue N [--batch 32] [--cpu K] [--max-packets M] [--seconds S] [--maxlen 4096]\n");
}

static int parse_unsigned(const char *text, const char *name, unsigned long long max, unsigned long long *value)
{
    char *end;
    errno = 0;
    *value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || *value > max) {
        fprintf(stderr, "nfq-accept: %s must be a whole number up to %llu: '%s'\n", name, max, text);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "queue", required_argument, NULL, 'q' },
        { "batch", required_argument, NULL, 'b' },
        { "cpu", required_argument, NULL, 'c' },
        { "max-packets", required_argument, NULL, 'm' },
        { "seconds", required_argument, NULL, 's' },
        { "maxlen", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned long long queue_number = ULLONG_MAX, batch = 32, cpu = ULLONG_MAX, max_packets = 0, maxlen = DEFAULT_QUEUE_MAXLEN;
    double seconds = 0;
    int option;

    while ((option = getopt_long(argc, argv, "q:b:c:m:s:l:h", options, NULL)) != -1) {
        switch (option) {
        case 'q':
            if (parse_unsigned(optarg, "--queue", 65535, &queue_number) < 0)
                return 2;
            break;
        case 'b':
            if (parse_unsigned(optarg, "--batch", MAX_BATCH, &batch) < 0 || batch == 0) {
                fprintf(stderr, "nfq-accept: --batch must be 1..%u\n", MAX_BATCH);
                return 2;
            }
            break;
        case 'c':
            if (parse_unsigned(optarg, "--cpu", CPU_SETSIZE - 1, &cpu) < 0)
                return 2;
            break;
        case 'm':
            if (parse_unsigned(optarg, "--max-packets", ULLONG_MAX - 1, &max_packets) < 0)
                return 2;
            break;
        case 's': {
            char *end;
            seconds = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || seconds < 0) {
                fprintf(stderr, "nfq-accept: --seconds must be a number of seconds: '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'l':
            if (parse_unsigned(optarg, "--maxlen", UINT32_MAX, &maxlen) < 0 || maxlen == 0) {
                fprintf(stderr, "nfq-accept: --maxlen must be at least 1\n");
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (queue_number == ULLONG_MAX || optind != argc) {
        usage(stderr);
        return 2;
    }

    if (cpu != ULLONG_MAX) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) < 0) {
            fprintf(stderr, "nfq-accept: sched_setaffinity(cpu %llu) failed: %s\n", cpu, strerror(errno));
            return 1;
        }
    }

    /* No SA_RESTART: a signal interrupts the receive and the loop sees the request at once. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    struct loop loop;
    memset(&loop, 0, sizeof loop);
    loop.batch = (unsigned)batch;
    loop.max_packets = max_packets;

    struct nfq_handle *handle = nfq_open();
    if (handle == NULL) {
        fprintf(stderr, "nfq-accept: nfq_open failed: %s\n", strerror(errno));
        return 1;
    }

    /* Obsolete since Linux 3.8 (the kernel ignores them), harmless, kept for older kernels. */
    nfq_unbind_pf(handle, AF_INET);
    nfq_bind_pf(handle, AF_INET);

    loop.queue = nfq_create_queue(handle, (uint16_t)queue_number, on_packet, &loop);
    if (loop.queue == NULL) {
        fprintf(stderr, "nfq-accept: binding NFQUEUE %llu failed: %s (is another process bound to it?)\n", queue_number, strerror(errno));
        nfq_close(handle);
        return 1;
    }
    if (nfq_set_mode(loop.queue, NFQNL_COPY_PACKET, 0xFFFF) < 0
        || nfq_set_queue_maxlen(loop.queue, (uint32_t)maxlen) < 0
        || nfq_set_queue_flags(loop.queue, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0) {
        fprintf(stderr, "nfq-accept: configuring NFQUEUE %llu failed: %s\n", queue_number, strerror(errno));
        nfq_destroy_queue(loop.queue);
        nfq_close(handle);
        return 1;
    }

    int fd = nfq_fd(handle);
    nfnl_rcvbufsiz(nfq_nfnlh(handle), RECEIVE_BUFFER_BYTES); /* SO_RCVBUFFORCE, else SO_RCVBUF */
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
    struct timeval timeout = { .tv_sec = 0, .tv_usec = RECEIVE_TIMEOUT_MS * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    static char buffer[0x10000 + 4096] __attribute__((aligned(64)));
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    while (!stop_requested && !loop.failed && (max_packets == 0 || loop.packets < max_packets)) {
        if (seconds > 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (seconds_between(&start, &now) >= seconds)
                break;
        }

        ssize_t received = recv(fd, buffer, sizeof buffer, loop.pending != 0 ? MSG_DONTWAIT : 0);
        if (received < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                flush(&loop); /* the socket is empty: answer what we hold */
                continue;
            }
            if (errno == EINTR || errno == ENOBUFS)
                continue;
            fprintf(stderr, "nfq-accept: recv failed: %s\n", strerror(errno));
            status = 1;
            break;
        }
        nfq_handle_packet(handle, buffer, (int)received);
    }
    flush(&loop);
    clock_gettime(CLOCK_MONOTONIC, &now);

    nfq_destroy_queue(loop.queue);
    nfq_close(handle);

    printf("{\"packets\":%llu,\"seconds\":%.6f,\"first_to_last_seconds\":%.6f}\n",
           loop.packets, seconds_between(&start, &now),
           loop.packets > 0 ? seconds_between(&loop.first, &loop.last) : 0.0);
    fflush(stdout);
    return status != 0 || loop.failed ? 1 : 0;
}
