/** The first bytes of one direction per TCP app label (tcp-apps.ts), in a fixed order, plus Kerberos as a datagram. */
import { ascii, concat, hex, u16be } from './builders.ts';

/** A Kerberos AS-REQ-shaped message: [APPLICATION 10] { SEQUENCE { pvno [1] 5 } }. */
export const KERBEROS_MESSAGE = hex('6a0730053003020105');

export const TCP_APP_SEEDS: Uint8Array[] = [
  concat(hex('13'), ascii('BitTorrent protocol'), new Uint8Array(8), new Uint8Array(20).fill(7), ascii('-XX0001-123456789012')),
  // MQTT 3.1.1 CONNECT: protocol "MQTT" level 4, clean session, keep-alive 60, client id "test".
  concat(hex('1010'), u16be(4), ascii('MQTT'), hex('0402003c'), u16be(4), ascii('test')),
  // SMB2 NEGOTIATE after the NetBIOS session header (64-byte header, 4 bytes of body).
  concat(hex('00000044'), hex('fe534d42'), new Uint8Array(64)),
  concat(hex('00000009'), KERBEROS_MESSAGE),
];
