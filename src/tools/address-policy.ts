import { isIPv4, isIPv6 } from 'node:net';

/**
 * Why an address must not be fetched (loopback, private, link-local, metadata...), or null when it is a
 * public unicast address. IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by it.
 */
export function refusedAddressReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return ipv4Reason(parseIpv4(bare));
  if (isIPv6(bare)) return ipv6Reason(parseIpv6(bare));
  return 'not an IP address';
}

const IPV4_RANGES: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'the "this network" range'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved or broadcast address'],
];

const IPV4_TABLE = IPV4_RANGES.map(([base, bits, reason]) => ({ base: parseIpv4(base), bits, reason }));

function parseIpv4(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function ipv4Reason(value: number): string | null {
  for (const range of IPV4_TABLE) {
    const size = 2 ** (32 - range.bits);
    if (Math.floor(value / size) === Math.floor(range.base / size)) return range.reason;
  }
  return null;
}

/** Eight 16-bit groups; a trailing dotted IPv4 part becomes the last two. */
function parseIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const value = parseIpv4(dotted[1]);
    text = `${text.slice(0, dotted.index)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.map((group) => Number.parseInt(group, 16));
}

function embeddedIpv4(high: number, low: number): number {
  return high * 65536 + low;
}

function ipv6Reason(groups: number[]): string | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0xffff) {
    const reason = ipv4Reason(embeddedIpv4(g6, g7));
    return reason ? `an IPv4-mapped ${reason}` : null;
  }
  if (firstFiveZero && g5 === 0) {
    if (g6 === 0 && g7 === 0) return 'the unspecified address';
    if (g6 === 0 && g7 === 1) return 'a loopback address';
    return 'an IPv4-compatible address';
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    const reason = ipv4Reason(embeddedIpv4(g6, g7));
    return reason ? `a NAT64 form of ${reason}` : null;
  }
  if (g0 === 0x64 && g1 === 0xff9b) return 'a local-use NAT64 address';
  if (g0 === 0x2002) {
    const reason = ipv4Reason(embeddedIpv4(g1, g2));
    return reason ? `a 6to4 form of ${reason}` : null;
  }
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'a discard-only address';
  if (g0 === 0x2001 && g1 === 0) return 'a Teredo address';
  if (g0 === 0x2001 && g1 === 0xdb8) return 'a documentation address';
  if ((g0 & 0xfe00) === 0xfc00) return 'a unique-local address';
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((g0 & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((g0 & 0xff00) === 0xff00) return 'a multicast address';
  return null;
}
