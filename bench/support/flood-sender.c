/*
 * The capture benches' flood sender (bench code only, compiled by bench/support/flood-sender.ts with the installed
 * cc): sends COUNT frames as fast as the machine allows, and prints one JSON line with what it sent and how long it
 * took.
 *
 *   flood-sender packet IFACE FRAMES.pcap COUNT [linear|frags]
 *     The pcap's frames in a loop, through an AF_PACKET TX ring with PACKET_QDISC_BYPASS: the frames are built once,
 *     so a packet costs a copy into the ring, and one send() hands the kernel a whole ring of them. `frags` (not the
 *     default) leaves out the virtio-net header that keeps each frame in the skb's linear part.
 *   flood-sender udp SRC_IP DST_IP BASE_PORT SOCKETS PORTS COUNT
 *     Datagrams (18 bytes of payload, so the same 60-byte frames) from SOCKETS unconnected UDP sockets bound to
 *     SRC_IP:BASE_PORT.. to DST_IP:BASE_PORT..BASE_PORT+PORTS-1, by sendmmsg: SOCKETS x PORTS flows, sent round
 *     robin so each socket's next datagram goes to another peer (the eBPF UDP hook's per-peer dedup misses when there
 *     are more flows than it remembers: its worst case).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This process's CPU time, user and system (the kernel's send path, and the eBPF hooks that run in it, count here). */
static double cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "flood-sender: %s: %s\n", what, strerror(errno));
	exit(1);
}

#define MAX_FRAME 128

static int send_packet(const char *iface, const char *file, long count, int use_vnet)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		die(file);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *pcap = malloc(size);
	if (!pcap || fread(pcap, 1, size, f) != (size_t)size)
		die("reading the pcap");
	fclose(f);
	/* Frames stored back to back with their lengths: the ring copy reads them in order. */
	long nframes = 0;
	for (long off = 24; off + 16 <= size;) {
		uint32_t len = *(uint32_t *)(pcap + off + 8);
		off += 16 + len;
		nframes++;
	}
	unsigned char **frames = calloc(nframes, sizeof(*frames));
	uint16_t *lens = calloc(nframes, sizeof(*lens));
	long i = 0;
	for (long off = 24; off + 16 <= size && i < nframes; i++) {
		uint32_t len = *(uint32_t *)(pcap + off + 8);
		if (len > MAX_FRAME || off + 16 + len > size) {
			fprintf(stderr, "flood-sender: frame %ld too long or cut\n", i);
			return 1;
		}
		frames[i] = pcap + off + 16;
		lens[i] = len;
		off += 16 + len;
	}
	if (nframes == 0) {
		fprintf(stderr, "flood-sender: no frames in %s\n", file);
		return 1;
	}

	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET)");
	int one = 1, v2 = TPACKET_V2;
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)))
		die("PACKET_VERSION");
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS");
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(iface) };
	if (ll.sll_ifindex == 0)
		die(iface);
	/*
	 * A virtio-net header whose hdr_len covers the whole frame makes the kernel copy the frame into the skb's linear
	 * part; without it the TX ring's bytes past the Ethernet header become page fragments, which veth must copy into
	 * a freshly allocated page for every packet before the peer may keep them.
	 */
	if (use_vnet && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
		die("PACKET_VNET_HDR");
	const unsigned vnet = use_vnet ? sizeof(struct virtio_net_hdr) : 0;
	struct tpacket_req req = { .tp_block_size = 1 << 16, .tp_frame_size = 256, .tp_block_nr = 64 };
	req.tp_frame_nr = req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
	if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)))
		die("PACKET_TX_RING");
	size_t ringlen = (size_t)req.tp_block_size * req.tp_block_nr;
	unsigned char *ring = mmap(NULL, ringlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED)
		die("mmap");
	if (bind(fd, (struct sockaddr *)&ll, sizeof(ll)))
		die("bind");

	const unsigned data = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
	long sent = 0, next = 0;
	unsigned slot = 0;
	double t0 = now();
	while (sent < count) {
		long queued = 0;
		for (;;) {
			struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring + (size_t)slot * req.tp_frame_size);
			if (sent + queued >= count || h->tp_status != TP_STATUS_AVAILABLE)
				break;
			if (vnet) {
				struct virtio_net_hdr v = { .hdr_len = lens[next] };
				memcpy((unsigned char *)h + data, &v, sizeof(v));
			}
			memcpy((unsigned char *)h + data + vnet, frames[next], lens[next]);
			h->tp_len = vnet + lens[next];
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			if (++next == nframes)
				next = 0;
			slot = (slot + 1) % req.tp_frame_nr;
			queued++;
		}
		if (queued == 0) {
			/* The ring is full: wait for the kernel to free slots. */
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			poll(&p, 1, 10);
		}
		if (send(fd, NULL, 0, queued ? 0 : MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ENOBUFS)
			die("send");
		sent += queued;
	}
	/* Wait until the kernel took every frame off the ring. */
	for (unsigned k = 0; k < req.tp_frame_nr; k++) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring + (size_t)k * req.tp_frame_size);
		while (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING))
			send(fd, NULL, 0, 0);
	}
	double t1 = now();
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	(void)getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	printf("{\"mode\":\"packet\",\"sent\":%ld,\"seconds\":%.6f,\"pps\":%.0f,\"frames\":%ld,\"cpu_seconds\":%.3f}\n", sent, t1 - t0, sent / (t1 - t0), nframes, cpu());
	return 0;
}

#define BATCH 64

static int send_udp(const char *src, const char *dst, int base, int nsock, int nports, long count)
{
	int *fds = calloc(nsock, sizeof(int));
	for (int s = 0; s < nsock; s++) {
		fds[s] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[s] < 0)
			die("socket(AF_INET)");
		int big = 4 << 20;
		setsockopt(fds[s], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(base + s) };
		if (inet_pton(AF_INET, src, &a.sin_addr) != 1 || bind(fds[s], (struct sockaddr *)&a, sizeof(a)))
			die("bind");
	}
	struct sockaddr_in *peers = calloc(nports, sizeof(*peers));
	for (int p = 0; p < nports; p++) {
		peers[p].sin_family = AF_INET;
		peers[p].sin_port = htons(base + p);
		if (inet_pton(AF_INET, dst, &peers[p].sin_addr) != 1)
			die(dst);
	}
	char payload[18] = "sandpiper-flood";
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
	struct mmsghdr msgs[BATCH];
	memset(msgs, 0, sizeof(msgs));
	long sent = 0, failed = 0, k = 0;
	double t0 = now();
	while (sent + failed < count) {
		int s = k % nsock;
		int n = count - sent - failed < BATCH ? (int)(count - sent - failed) : BATCH;
		for (int j = 0; j < n; j++) {
			/* Socket s's j-th datagram of this batch: the next of its ports, so peers differ within a batch. */
			int p = (int)((k / nsock * BATCH + j) % nports);
			msgs[j].msg_hdr.msg_name = &peers[p];
			msgs[j].msg_hdr.msg_namelen = sizeof(peers[p]);
			msgs[j].msg_hdr.msg_iov = &iov;
			msgs[j].msg_hdr.msg_iovlen = 1;
		}
		int r = sendmmsg(fds[s], msgs, n, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
				die("sendmmsg");
			failed++;
		} else {
			sent += r;
		}
		k++;
	}
	double t1 = now();
	printf("{\"mode\":\"udp\",\"sent\":%ld,\"failed\":%ld,\"seconds\":%.6f,\"pps\":%.0f,\"flows\":%ld,\"cpu_seconds\":%.3f}\n", sent, failed, t1 - t0,
	       sent / (t1 - t0), (long)nsock * nports, cpu());
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "packet") == 0)
		return send_packet(argv[2], argv[3], atol(argv[4]), argc == 5 || strcmp(argv[5], "frags") != 0);
	if (argc == 8 && strcmp(argv[1], "udp") == 0)
		return send_udp(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atol(argv[7]));
	fprintf(stderr, "usage: flood-sender packet IFACE FRAMES.pcap COUNT [linear|frags] | udp SRC_IP DST_IP BASE_PORT SOCKETS PORTS COUNT\n");
	return 2;
}
