import t from 'tap';
import { clientKey, UNKNOWN_CLIENT } from '../src/client-address.js';

t.test('IPv4 as is; IPv4-mapped IPv6 as IPv4', async (t) => {
  t.equal(clientKey('203.0.113.7'), '203.0.113.7');
  t.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  t.equal(clientKey('::FFFF:cb00:7107'), '203.0.113.7', 'hex form, any case');
  t.equal(clientKey('0:0:0:0:0:ffff:203.0.113.7'), '203.0.113.7', 'uncompressed');
  t.equal(clientKey(' 203.0.113.7 '), '203.0.113.7', 'trimmed');
});

t.test('IPv6 by its /64, in one spelling', async (t) => {
  const key = '2001:db8:1:2::/64';
  for (const ip of [
    '2001:db8:1:2::1',
    '2001:DB8:1:2:ffff:ffff:ffff:ffff',
    '2001:0db8:0001:0002:0000:0000:0000:0009',
    '[2001:db8:1:2::5]:443',
    '2001:db8:1:2::1%eth0',
  ]) {
    t.equal(clientKey(ip), key, ip);
  }
  t.equal(clientKey('2001:db8:1:3::1'), '2001:db8:1:3::/64', 'the next /64 is another bucket');
  t.equal(clientKey('::1'), '0:0:0:0::/64');
  t.equal(clientKey('2001:db8::1.2.3.4'), '2001:db8:0:0::/64', 'IPv4 tail');
  t.equal(clientKey('2001:db8:1:2::1', 8), '2001:db8:1:2:0:0:0:1::/128', 'a wider prefix if asked');
});

t.test('ports are dropped; garbage shares one bucket', async (t) => {
  t.equal(clientKey('203.0.113.7:5678'), '203.0.113.7');
  for (const bad of [
    '',
    'garbage',
    '1.2.3.256',
    '01.2.3.4',
    '::g',
    '1.2.3.4, 5.6.7.8',
    undefined,
  ]) {
    t.equal(clientKey(bad), UNKNOWN_CLIENT, String(bad));
  }
});
