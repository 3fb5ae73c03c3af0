import { test } from "node:test";
import assert from "node:assert/strict";
import { intToIpv4, ipv4CidrsOverlap, ipv4ToInt, parseIpv4Cidr } from "../../src/shared/api/ipv4.js";

test("IPv4 addresses round-trip through their 32-bit numbers", () => {
  assert.equal(ipv4ToInt("10.43.0.1"), 0x0a2b0001);
  assert.equal(intToIpv4(0xffffffff), "255.255.255.255");
  assert.equal(intToIpv4(ipv4ToInt("192.168.1.200")), "192.168.1.200");
});

test("CIDRs parse to their network, prefix and size; anything else is undefined", () => {
  assert.deepEqual(parseIpv4Cidr("10.42.3.0/24"), { network: 0x0a2a0300, prefix: 24, size: 256 });
  // Host bits are cleared, as a network address has none.
  assert.deepEqual(parseIpv4Cidr("10.42.3.77/16"), { network: 0x0a2a0000, prefix: 16, size: 65536 });
  assert.deepEqual(parseIpv4Cidr("0.0.0.0/0"), { network: 0, prefix: 0, size: 2 ** 32 });
  for (const bad of ["10.42.0.0", "10.42.0.0/33", "10.42.0.256/24", "10.42.0/24", "fd00::/64", "10.42.0.0/ 8", ""]) assert.equal(parseIpv4Cidr(bad), undefined, bad);
});

test("CIDRs overlap when they share an address, whichever contains the other", () => {
  assert.equal(ipv4CidrsOverlap("10.42.0.0/16", "10.42.7.0/24"), true);
  assert.equal(ipv4CidrsOverlap("10.42.7.0/24", "10.42.0.0/16"), true);
  assert.equal(ipv4CidrsOverlap("10.42.7.0/24", "10.42.7.128/25"), true);
  assert.equal(ipv4CidrsOverlap("0.0.0.0/0", "192.168.1.0/24"), true);
  // Neighbours touch but share nothing.
  assert.equal(ipv4CidrsOverlap("10.42.7.0/24", "10.42.8.0/24"), false);
  assert.equal(ipv4CidrsOverlap("10.42.0.0/16", "10.43.0.0/16"), false);
  assert.equal(ipv4CidrsOverlap("255.255.255.0/24", "255.255.254.0/24"), false);
  // Not IPv4 CIDRs: nothing to compare.
  assert.equal(ipv4CidrsOverlap("fd00::/64", "10.42.0.0/16"), false);
  assert.equal(ipv4CidrsOverlap("10.42.0.0/16", ""), false);
});
