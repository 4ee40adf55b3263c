//! Addresses an outbound request must not reach unless a grant names them: the SSRF rule.
//!
//! A plugin that may call `https://*` must still not reach the worker's own machine, its
//! network, or the cloud metadata endpoints that hand out the worker's AWS credentials
//! (169.254.169.254, fd00:ec2::254, 169.254.170.2 for ECS). The host resolves every name itself
//! and refuses an address in one of these ranges unless a grant names that address or a range
//! containing it (see [`super::HostPattern::names_address`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::pattern::canonical;

/// The special range `address` is in, in words, or `None` for a public address.
pub fn special_range(address: IpAddr) -> Option<&'static str> {
    match canonical(address) {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_link_local() => "link-local (cloud metadata endpoints live here)",
        _ if ip.is_private() => "private",
        _ if ip.is_unspecified() || a == 0 => "this-network",
        _ if ip.is_broadcast() => "broadcast",
        _ if ip.is_multicast() => "multicast",
        (100, 64..=127, _) => "shared address space (carrier-grade NAT)",
        (192, 0, 0) => "IETF protocol assignments",
        (198, 18..=19, _) => "benchmarking",
        (240..=255, _, _) => "reserved",
        _ => return None,
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    Some(match first {
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_multicast() => "multicast",
        0xfe80..=0xfebf => "link-local",
        0xfec0..=0xfeff => "site-local",
        0xfc00..=0xfdff => "unique-local (cloud metadata endpoints live here)",
        // NAT64 (64:ff9b::/96) carries an IPv4 address; judge that one.
        0x0064 if ip.segments()[1] == 0xff9b => {
            let [.., a, b, c, d] = ip.octets();
            return special_v4(Ipv4Addr::new(a, b, c, d));
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        for special in [
            "127.0.0.1",
            "169.254.169.254",
            "169.254.170.2",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(
                special_range(special.parse().unwrap()).is_some(),
                "{special} is special"
            );
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(special_range(public.parse().unwrap()), None, "{public}");
        }
    }
}
