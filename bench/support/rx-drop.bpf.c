/*
 * The capture benches' receive-side drop (bench code only): a tc ingress program that drops every IPv4 frame. Packet
 * sockets (the capturers under test) get their copy before tc ingress runs, so the capture is unchanged, while the
 * receiving namespace's IP and UDP stack (route lookups and ICMP "port unreachable" for every datagram of the flood,
 * all of it on the sender's CPU) stop limiting the flood's rate. ARP passes, so the UDP sender's neighbour resolves.
 */

/* The leading fields of the kernel's struct __sk_buff (uapi linux/bpf.h), as far as this program reads. */
struct __sk_buff {
	unsigned int len, pkt_type, mark, queue_mapping, protocol;
};

#define ETH_P_IP_BE 0x0008 /* htons(0x0800) on a little-endian machine */

__attribute__((section("tc"), used)) int drop_ipv4(struct __sk_buff *skb)
{
	return skb->protocol == ETH_P_IP_BE ? 2 /* TC_ACT_SHOT */ : 0 /* TC_ACT_OK */;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
