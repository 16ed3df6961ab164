/**
 * Which end of a TCP connection is the server, told by ports alone: for flows first seen mid-stream, when no SYN
 * says who opened the connection. A port below 1024, or one of the registered service ports below, is a service
 * port; client sockets get ephemeral ports (32768 and up on Linux, 49152 and up elsewhere), so none of these.
 */

/** Registered server ports above 1023 common enough to tell a server by. */
const SERVICE_PORTS_ABOVE_1023 = new Set<number>([
  1080, 1194, 1433, 1521, 1723, 1883, 2049, 2181, 2375, 2376, 3128, 3268, 3269, 3306, 3389, 5060, 5061, 5222, 5269,
  5432, 5671, 5672, 5900, 5985, 5986, 6379, 6443, 6667, 6697, 8000, 8008, 8080, 8443, 8883, 8888, 9042, 9092, 9200,
  9300, 9418, 11211, 27017,
]);

export function isServicePort(port: number): boolean {
  return port < 1024 || SERVICE_PORTS_ABOVE_1023.has(port);
}

export const SERVER_UNKNOWN = 0;
export const SERVER_A = 1;
export const SERVER_B = 2;

/**
 * SERVER_A or SERVER_B when the ports name the server: the one service port of the two, or the lower port when both
 * are; SERVER_UNKNOWN when neither is or they are equal.
 */
export function serverByPorts(a: number, b: number): number {
  if (a === b) return SERVER_UNKNOWN;
  const sa = isServicePort(a);
  const sb = isServicePort(b);
  if (sa !== sb) return sa ? SERVER_A : SERVER_B;
  if (!sa) return SERVER_UNKNOWN;
  return a < b ? SERVER_A : SERVER_B;
}
