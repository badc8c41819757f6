//! Which IP addresses a fetch may connect to: those that are globally reachable according to
//! the IANA registries, and no other. The classification is complete: an address is global
//! only when the most specific block of the tables below that holds it says so, and an IPv6
//! address that stands for an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) is global only
//! when every IPv4 address it embeds is.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What the addresses of a block are.
#[derive(Debug, Clone, Copy)]
enum Block {
    /// Globally reachable.
    Global,
    /// Not globally reachable: special-purpose, reserved, multicast, or not allocated as
    /// unicast.
    NotGlobal,
    /// An IPv4 address in the last 32 bits (IPv4-mapped, NAT64's well-known prefix): as global
    /// as that address.
    Ipv4InLast32Bits,
    /// 6to4 (RFC 3056): the IPv4 address of the site in bits 16 to 47.
    SixToFour,
    /// Teredo (RFC 4380): the server's IPv4 address in bits 32 to 63, and the client's,
    /// inverted, in the last 32 bits.
    Teredo,
}

use Block::{Global, Ipv4InLast32Bits, NotGlobal, SixToFour, Teredo};

/// IPv4 blocks, from the IANA IPv4 Address Space Registry (unicast 0/8 to 223/8, multicast,
/// reserved) and the IANA IPv4 Special-Purpose Address Registry ("Globally Reachable": a
/// block marked False, N/A or deprecated is not global).
const IPV4: &[(Ipv4Addr, u8, Block)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 0, NotGlobal),
    // Unicast: 0.0.0.0 to 223.255.255.255.
    (Ipv4Addr::new(0, 0, 0, 0), 1, Global),
    (Ipv4Addr::new(128, 0, 0, 0), 2, Global),
    (Ipv4Addr::new(192, 0, 0, 0), 3, Global),
    (Ipv4Addr::new(0, 0, 0, 0), 8, NotGlobal),          // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8, NotGlobal),         // private use
    (Ipv4Addr::new(100, 64, 0, 0), 10, NotGlobal),      // shared address space
    (Ipv4Addr::new(127, 0, 0, 0), 8, NotGlobal),        // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16, NotGlobal),     // link local
    (Ipv4Addr::new(172, 16, 0, 0), 12, NotGlobal),      // private use
    (Ipv4Addr::new(192, 0, 0, 0), 24, NotGlobal),       // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 0, 9), 32, Global),          // port control protocol anycast
    (Ipv4Addr::new(192, 0, 0, 10), 32, Global),         // traversal using relays around NAT anycast
    (Ipv4Addr::new(192, 0, 2, 0), 24, NotGlobal),       // documentation (TEST-NET-1)
    (Ipv4Addr::new(192, 31, 196, 0), 24, Global),       // AS112-v4
    (Ipv4Addr::new(192, 52, 193, 0), 24, Global),       // AMT
    (Ipv4Addr::new(192, 88, 99, 0), 24, NotGlobal),     // deprecated 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16, NotGlobal),     // private use
    (Ipv4Addr::new(192, 175, 48, 0), 24, Global),       // direct delegation AS112 service
    (Ipv4Addr::new(198, 18, 0, 0), 15, NotGlobal),      // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24, NotGlobal),    // documentation (TEST-NET-2)
    (Ipv4Addr::new(203, 0, 113, 0), 24, NotGlobal),     // documentation (TEST-NET-3)
    (Ipv4Addr::new(224, 0, 0, 0), 4, NotGlobal),        // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4, NotGlobal),        // reserved
    (Ipv4Addr::new(255, 255, 255, 255), 32, NotGlobal), // limited broadcast
];

/// The IPv6 address `a:b:c:d:e:f:g:h`.
const fn v6(segments: [u16; 8]) -> Ipv6Addr {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Addr::new(a, b, c, d, e, f, g, h)
}

/// IPv6 blocks, from the IANA IPv6 Address Space Registry (only 2000::/3 is global unicast)
/// and the IANA IPv6 Special-Purpose Address Registry. The blocks outside 2000::/3 other than
/// the two that stand for IPv4 addresses are refused by `::/0` already; they are listed to
/// follow the registries.
const IPV6: &[(Ipv6Addr, u8, Block)] = &[
    (v6([0, 0, 0, 0, 0, 0, 0, 0]), 0, NotGlobal),
    (v6([0, 0, 0, 0, 0, 0, 0, 0]), 128, NotGlobal), // unspecified
    (v6([0, 0, 0, 0, 0, 0, 0, 1]), 128, NotGlobal), // loopback
    (v6([0, 0, 0, 0, 0, 0xffff, 0, 0]), 96, Ipv4InLast32Bits), // IPv4-mapped
    (v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0]), 96, Ipv4InLast32Bits), // IPv4/IPv6 translation (NAT64)
    (v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]), 48, NotGlobal), // local-use IPv4/IPv6 translation
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0]), 64, NotGlobal), // discard-only
    (v6([0x100, 0, 0, 1, 0, 0, 0, 0]), 64, NotGlobal), // dummy prefix
    (v6([0x2000, 0, 0, 0, 0, 0, 0, 0]), 3, Global), // global unicast
    (v6([0x2001, 0, 0, 0, 0, 0, 0, 0]), 23, NotGlobal), // IETF protocol assignments
    (v6([0x2001, 0, 0, 0, 0, 0, 0, 0]), 32, Teredo),
    (v6([0x2001, 1, 0, 0, 0, 0, 0, 1]), 128, Global), // port control protocol anycast
    (v6([0x2001, 1, 0, 0, 0, 0, 0, 2]), 128, Global), // traversal using relays around NAT anycast
    (v6([0x2001, 1, 0, 0, 0, 0, 0, 3]), 128, Global), // DNS-SD service registration protocol anycast
    (v6([0x2001, 2, 0, 0, 0, 0, 0, 0]), 48, NotGlobal), // benchmarking
    (v6([0x2001, 3, 0, 0, 0, 0, 0, 0]), 32, Global),  // AMT
    (v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0]), 48, Global), // AS112-v6
    (v6([0x2001, 0x10, 0, 0, 0, 0, 0, 0]), 28, NotGlobal), // deprecated (ORCHID)
    (v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0]), 28, Global), // ORCHIDv2
    (v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0]), 28, Global), // drone remote ID protocol entity tags
    (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), 32, NotGlobal), // documentation
    (v6([0x2002, 0, 0, 0, 0, 0, 0, 0]), 16, SixToFour),
    (v6([0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0]), 48, Global), // direct delegation AS112 service
    (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0]), 20, NotGlobal),      // documentation
    (v6([0x5f00, 0, 0, 0, 0, 0, 0, 0]), 16, NotGlobal),      // segment routing (SRv6) SIDs
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0]), 7, NotGlobal),       // unique-local
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 10, NotGlobal),      // link-local unicast
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0]), 10, NotGlobal),      // site-local (deprecated)
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0]), 8, NotGlobal),       // multicast
];

/// The block of `address`, `width` bits long, among `blocks`: the most specific that holds it.
fn block_of(blocks: impl Iterator<Item = (u128, u8, Block)>, width: u32, address: u128) -> Block {
    blocks
        .filter(|(network, length, _)| *length == 0 || (address ^ network) >> (width - u32::from(*length)) == 0)
        .max_by_key(|(_, length, _)| *length)
        .map_or(NotGlobal, |(_, _, block)| block)
}

/// Whether a connection to `ip` would stay on the public internet.
pub(crate) fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_global_v4(ip),
        IpAddr::V6(ip) => is_global_v6(ip),
    }
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let blocks = IPV4.iter().map(|(network, length, block)| (u128::from(network.to_bits()), *length, *block));
    matches!(block_of(blocks, 32, u128::from(ip.to_bits())), Global)
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    let blocks = IPV6.iter().map(|(network, length, block)| (network.to_bits(), *length, *block));
    let octets = ip.octets();
    // The IPv4 address in octets `at` to `at + 3`.
    let ipv4_at = |at: usize| Ipv4Addr::new(octets[at], octets[at + 1], octets[at + 2], octets[at + 3]);
    match block_of(blocks, 128, ip.to_bits()) {
        Global => true,
        NotGlobal => false,
        Ipv4InLast32Bits => is_global_v4(ipv4_at(12)),
        SixToFour => is_global_v4(ipv4_at(2)),
        Teredo => is_global_v4(ipv4_at(4)) && is_global_v4(Ipv4Addr::from_bits(!ipv4_at(12).to_bits())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses on each side of the line, with every form that embeds an IPv4 address.
    const NOT_GLOBAL: &[&str] = &[
        // IPv4: this network, private, shared, loopback, link-local, IETF protocol
        // assignments, documentation, 6to4 relays, benchmarking, multicast, reserved, broadcast.
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "10.255.255.255",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.255.255.254",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.1",
        "192.0.0.8",
        "192.0.0.170",
        "192.0.0.171",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.1.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        // IPv6: unspecified, loopback, IPv4-compatible (even of a global address), IPv4-mapped.
        "::",
        "::1",
        "::127.0.0.1",
        "::10.0.0.1",
        "::8.8.8.8",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:0.0.0.0",
        // NAT64 of a non-global address, and the local-use NAT64 prefix whatever it embeds.
        "64:ff9b::127.0.0.1",
        "64:ff9b::10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b::192.168.0.1",
        "64:ff9b:1::8.8.8.8",
        "64:ff9b:1::1",
        "64:ff9b:1:ffff::1",
        // Discard-only and the dummy prefix.
        "100::1",
        "100::ffff:ffff:ffff:ffff",
        "100:0:0:1::1",
        // Teredo with a non-global server or client (the client is stored inverted).
        "2001::1",
        "2001:0:a00:1::1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "2001:0:7f00:1:0:0:f7f7:fbfb",
        // The rest of the IETF protocol assignments: benchmarking, ORCHID, documentation.
        "2001:1::4",
        "2001:2::1",
        "2001:10::1",
        "2001:db8::1",
        "2001:db8:ffff::1",
        "2001:1ff::1",
        // 6to4 of a non-global address.
        "2002:7f00:1::1",
        "2002:a00:1::1",
        "2002:c0a8:101::1",
        "2002::1",
        "2002:a9fe:a9fe::1",
        // Documentation, SRv6 SIDs, unique-local, link-local, site-local, multicast.
        "3fff::1",
        "3fff:fff::1",
        "5f00::1",
        "fc00::1",
        "fd00::1",
        "fdff::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "feff::1",
        "ff02::1",
        "ff0e::1",
        // Outside 2000::/3, the only space allocated as global unicast.
        "1000::1",
        "4000::1",
        "8000::1",
        "e000::1",
    ];
    const GLOBAL: &[&str] = &[
        "1.1.1.1",
        "8.8.8.8",
        "9.9.9.9",
        "93.184.216.34",
        "100.63.255.255",
        "100.128.0.0",
        "126.255.255.255",
        "128.0.0.1",
        "169.253.255.255",
        "172.15.255.255",
        "172.32.0.1",
        "191.255.255.255",
        "192.0.0.9",
        "192.0.0.10",
        "192.0.1.1",
        "192.0.3.1",
        "192.31.196.1",
        "192.52.193.1",
        "192.88.98.1",
        "192.167.255.255",
        "192.169.0.1",
        "192.175.48.1",
        "198.17.255.255",
        "198.20.0.1",
        "198.51.99.1",
        "203.0.112.1",
        "223.255.255.254",
        "2606:2800:220:1::1",
        "2a00:1450:4001::1",
        "2001:4860:4860::8888",
        "2c0f:f248::1",
        "2001:200::1",
        "2001:1::1",
        "2001:1::2",
        "2001:1::3",
        "2001:3::1",
        "2001:4:112::1",
        "2001:20::1",
        "2001:30::1",
        "2620:4f:8000::1",
        "3fff:1000::1",
        // Forms that embed a global IPv4 address: NAT64, IPv4-mapped, 6to4, Teredo.
        "64:ff9b::8.8.8.8",
        "64:ff9b::93.184.216.34",
        "::ffff:8.8.8.8",
        "2002:808:808::1",
        "2001:0:4136:e378:8000:63bf:f7f7:fbfb",
    ];

    #[test]
    fn addresses_are_global_only_where_the_iana_registries_say_so() {
        let misjudged: Vec<String> = NOT_GLOBAL
            .iter()
            .map(|ip| (ip, false))
            .chain(GLOBAL.iter().map(|ip| (ip, true)))
            .filter(|(ip, global)| is_global(ip.parse().unwrap()) != *global)
            .map(|(ip, global)| format!("{ip} ({})", if global { "global" } else { "not global" }))
            .collect();
        assert!(misjudged.is_empty(), "misjudged: {misjudged:#?}");
    }

    /// No block of the tables has bits set past its prefix: a typo would move it.
    #[test]
    fn every_block_is_a_network_address() {
        for (network, length, _) in IPV4 {
            assert_eq!(network.to_bits().checked_shl(u32::from(*length)).unwrap_or(0), 0, "{network}/{length}");
        }
        for (network, length, _) in IPV6 {
            assert_eq!(network.to_bits().checked_shl(u32::from(*length)).unwrap_or(0), 0, "{network}/{length}");
        }
    }
}
