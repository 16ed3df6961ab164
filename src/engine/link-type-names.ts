/** Names of pcap link types (the LINKTYPE_ registry without its prefix), for the read summary's undecoded counts. */
const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'ETHERNET', 3: 'AX25', 6: 'IEEE802_5', 7: 'ARCNET_BSD', 8: 'SLIP', 9: 'PPP', 10: 'FDDI', 50: 'PPP_HDLC',
  51: 'PPP_ETHER', 100: 'ATM_RFC1483', 101: 'RAW', 104: 'C_HDLC', 105: 'IEEE802_11', 107: 'FRELAY', 108: 'LOOP',
  113: 'LINUX_SLL', 114: 'LTALK', 117: 'PFLOG', 119: 'IEEE802_11_PRISM', 122: 'IP_OVER_FC', 123: 'SUNATM',
  127: 'IEEE802_11_RADIOTAP', 129: 'ARCNET_LINUX', 138: 'APPLE_IP_OVER_IEEE1394', 139: 'MTP2_WITH_PHDR', 140: 'MTP2',
  141: 'MTP3', 142: 'SCCP', 143: 'DOCSIS', 144: 'LINUX_IRDA', 163: 'IEEE802_11_AVS', 165: 'BACNET_MS_TP', 166: 'PPP_PPPD',
  169: 'GPRS_LLC', 177: 'LINUX_LAPD', 187: 'BLUETOOTH_HCI_H4', 189: 'USB_LINUX', 192: 'PPI', 195: 'IEEE802_15_4_WITHFCS',
  196: 'SITA', 197: 'ERF', 201: 'BLUETOOTH_HCI_H4_WITH_PHDR', 202: 'AX25_KISS', 203: 'LAPD', 204: 'PPP_WITH_DIR',
  205: 'C_HDLC_WITH_DIR', 209: 'IPMB_LINUX', 215: 'IEEE802_15_4_NONASK_PHY', 220: 'USB_LINUX_MMAPPED', 224: 'FC_2',
  226: 'IPNET', 227: 'CAN_SOCKETCAN', 228: 'IPV4', 229: 'IPV6', 230: 'IEEE802_15_4_NOFCS', 231: 'DBUS', 235: 'DVB_CI',
  239: 'NFLOG', 240: 'NETANALYZER', 241: 'NETANALYZER_TRANSPARENT', 242: 'IPOIB', 243: 'MPEG_2_TS', 247: 'INFINIBAND',
  248: 'SCTP', 249: 'USBPCAP', 251: 'BLUETOOTH_LE_LL', 252: 'WIRESHARK_UPPER_PDU', 253: 'NETLINK',
  254: 'BLUETOOTH_LINUX_MONITOR', 256: 'BLUETOOTH_LE_LL_WITH_PHDR', 258: 'PKTAP', 259: 'EPON', 266: 'USB_DARWIN',
  271: 'VSOCK', 272: 'NORDIC_BLE', 274: 'ETHERNET_MPACKET', 276: 'LINUX_SLL2', 279: 'EBHSCR', 281: 'DSA_TAG_BRCM',
  283: 'IEEE802_15_4_TAP', 284: 'DSA_TAG_DSA', 285: 'DSA_TAG_EDSA', 288: 'USB_2_0',
};

/** The registry name, the number as text when it has none, "unknown" for a pcapng packet of no known interface. */
export function linkTypeName(linktype: number): string {
  if (linktype < 0) return 'unknown';
  return NAMES[linktype] ?? String(linktype);
}
