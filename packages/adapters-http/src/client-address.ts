import { isIPv4, isIPv6 } from 'node:net';

/** The key of every address that is not an IP address (a proxy sent garbage). */
export const UNKNOWN_CLIENT = 'unknown';

const V4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const V6_IN_BRACKETS = /^\[([^\]]+)\](?::\d{1,5})?$/;

const canonicalV4 = (ip: string): string => ip.split('.').map(Number).join('.');

/** The eight 16-bit groups of a valid IPv6 address (an IPv4 tail becomes two groups). */
const groupsOf = (ip: string): number[] => {
  let text = ip;
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = tail[1].split('.').map(Number);
    text = `${text.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
};

/**
 * The rate-limit key of a client address: IPv4 in dotted decimal; an IPv4-mapped IPv6 address as
 * its IPv4 address; any other IPv6 address as its /64 (`2001:db8:0:1::/64`), because one
 * subscriber usually gets a whole /64. Ports, brackets and zone ids are dropped; anything that is
 * not an IP address shares one `unknown` bucket, so garbage cannot mint fresh buckets.
 */
export const clientKey = (address: string | undefined, ipv6PrefixGroups = 4): string => {
  if (address === undefined) return UNKNOWN_CLIENT;
  let ip = address.trim();
  ip = V6_IN_BRACKETS.exec(ip)?.[1] ?? V4_WITH_PORT.exec(ip)?.[1] ?? ip;
  ip = ip.replace(/%.*$/, '');
  if (isIPv4(ip)) return canonicalV4(ip);
  if (!isIPv6(ip)) return UNKNOWN_CLIENT;
  const groups = groupsOf(ip.toLowerCase());
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups
    .slice(0, ipv6PrefixGroups)
    .map((g) => g.toString(16))
    .join(':')}::/${ipv6PrefixGroups * 16}`;
};
