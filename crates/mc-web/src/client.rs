//! Who a request comes from, for counting failed sign-ins per client: the address that
//! connected, or, when that address is one of the server's trusted proxies, the address the
//! proxies say they received the request from (`X-Forwarded-For`, read from the right, so that
//! a client cannot name an address of its choosing). An IPv6 client is counted by its /64, the
//! block one subscriber is usually given.

use std::{
    convert::Infallible,
    net::{IpAddr, Ipv6Addr},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};

use crate::{ServerState, quiet::Connection};

/// A network of trusted proxies: an address and the length of its prefix (`10.0.0.0/8`,
/// `192.0.2.7`, `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Reads `ADDRESS` or `ADDRESS/PREFIX`.
    pub fn parse(raw: &str) -> Result<Network, String> {
        let (addr, prefix) =
            raw.trim().split_once('/').map_or((raw.trim(), None), |(addr, prefix)| (addr, Some(prefix)));
        let addr: IpAddr =
            addr.parse().map_err(|_| format!("{raw:?} is not an IP address or network (such as 10.0.0.0/8)"))?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= bits)
                .ok_or_else(|| format!("{raw:?}: the prefix length must be a number from 0 to {bits}"))?,
        };
        Ok(Network { addr, prefix })
    }

    /// Whether `ip` is in the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client a request comes from, as failed attempts are counted: `None` when the server
/// does not know (a router served without connection information, as in some tests).
pub(crate) struct ClientAddress(pub(crate) Option<String>);

impl FromRequestParts<ServerState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<ClientAddress, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<Connection>>().map(|ConnectInfo(connection)| connection.peer());
        Ok(ClientAddress(peer.map(|peer| counted_as(client_of(peer, &parts.headers, &state.trusted_proxies)))))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the last address
/// of `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address it received
/// the request from, so the addresses to the left of the first untrusted one are the client's
/// to write). An unreadable entry ends the walk at the last proxy known.
fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|network| network.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    // Split the raw bytes: a client may put any bytes in its part of the header, and must not
    // make the proxies' entries after it unreadable.
    let forwarded: Vec<&[u8]> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.as_bytes().split(|byte| *byte == b','))
        .collect();
    for hop in forwarded.iter().rev() {
        let Some(hop) = std::str::from_utf8(hop).ok().and_then(|hop| hop.trim().parse::<IpAddr>().ok()) else { break };
        client = canonical(hop);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// How a client is counted: an IPv4 address, or the /64 of an IPv6 one.
fn counted_as(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("{}/64", Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn networks(raw: &[&str]) -> Vec<Network> {
        raw.iter().map(|raw| Network::parse(raw).unwrap()).collect()
    }

    #[test]
    fn networks_are_read_and_matched_by_prefix() {
        let private = Network::parse("10.0.0.0/8").unwrap();
        assert!(private.contains("10.200.3.4".parse().unwrap()));
        assert!(private.contains("::ffff:10.1.1.1".parse().unwrap()), "an IPv4-mapped address is IPv4");
        assert!(!private.contains("11.0.0.1".parse().unwrap()));
        let one = Network::parse("192.0.2.7").unwrap();
        assert!(one.contains("192.0.2.7".parse().unwrap()) && !one.contains("192.0.2.8".parse().unwrap()));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()) && !v6.contains("2001:db9::1".parse().unwrap()));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains("203.0.113.9".parse().unwrap()));
        for bad in ["10.0.0.0/33", "::/129", "proxy.example", "10.0.0.0/x", ""] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted = networks(&["10.0.0.0/8", "192.0.2.1"]);
        let forwarded = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", value.parse().unwrap());
            headers
        };
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let outsider: IpAddr = "198.51.100.20".parse().unwrap();
        // Straight from a client: the header is the client's to write, and ignored.
        assert_eq!(client_of(outsider, &forwarded("203.0.113.9"), &trusted), outsider);
        // Through the proxies: the address before them; what the client wrote further left is not believed.
        let chain = forwarded("1.1.1.1, 203.0.113.9, 192.0.2.1");
        assert_eq!(client_of(proxy, &chain, &trusted), "203.0.113.9".parse::<IpAddr>().unwrap());
        // No header, or an unreadable hop: the last proxy known.
        assert_eq!(client_of(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(client_of(proxy, &forwarded("203.0.113.9, junk"), &trusted), proxy);
        // Bytes a client wrote to the left do not hide the address the proxy appended.
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", axum::http::HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.9").unwrap());
        assert_eq!(client_of(proxy, &headers, &trusted), "203.0.113.9".parse::<IpAddr>().unwrap());
        assert_eq!(counted_as("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(counted_as("203.0.113.9".parse().unwrap()), "203.0.113.9");
    }
}
