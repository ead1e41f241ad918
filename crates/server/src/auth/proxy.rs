//! Trusted reverse proxies (issue 9 finding 8): addresses and CIDR ranges.

/// An address or CIDR range of trusted proxies.
#[derive(Debug, Clone, Copy)]
pub struct Cidr {
    net: std::net::IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn single(ip: std::net::IpAddr) -> Cidr {
        Cidr {
            net: ip,
            bits: if ip.is_ipv4() { 32 } else { 128 },
        }
    }

    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let net: std::net::IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { net, bits })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        fn prefix(a: u128, b: u128, bits: u8, width: u32) -> bool {
            if bits == 0 {
                return true;
            }
            let shift = width - u32::from(bits);
            (a >> shift) == (b >> shift)
        }
        let ip = match ip {
            std::net::IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map_or(std::net::IpAddr::V6(v6), std::net::IpAddr::V4),
            v4 => v4,
        };
        match (self.net, ip) {
            (std::net::IpAddr::V4(n), std::net::IpAddr::V4(i)) => prefix(
                u128::from(u32::from(n)),
                u128::from(u32::from(i)),
                self.bits,
                32,
            ),
            (std::net::IpAddr::V6(n), std::net::IpAddr::V6(i)) => {
                prefix(u128::from(n), u128::from(i), self.bits, 128)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_by_prefix() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let r = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(r.contains(ip("10.1.200.3")));
        assert!(!r.contains(ip("10.2.0.1")));
        assert!(r.contains(ip("::ffff:10.1.0.9")));
        assert!(Cidr::parse("192.0.2.1").unwrap().contains(ip("192.0.2.1")));
        assert!(!Cidr::parse("192.0.2.1").unwrap().contains(ip("192.0.2.2")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(!Cidr::parse("fd00::/8").unwrap().contains(ip("fe80::1")));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("proxy.local").is_none());
    }
}
