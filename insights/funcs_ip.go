package insights

import "net/netip"

// reservedPrefixes are the special-purpose address blocks of the IANA
// registries (RFC 6890 and its updates) that are not globally routable.
var reservedPrefixes = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
		"2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// privatePrefixes are RFC 1918's private IPv4 blocks and RFC 4193's unique
// local IPv6 block.
var privatePrefixes = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("fc00::/7"),
}

// ipOf parses a value as an IP address (without a zone).
func ipOf(v value) (netip.Addr, bool) {
	s, ok := v.text()
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func defineIPFuncs() {
	ipTest := func(f func(a netip.Addr) bool) func(*ectx, []value) value {
		return func(_ *ectx, v []value) value {
			a, ok := ipOf(v[0])
			return boolVal(ok && f(a))
		}
	}
	def("isvalidip", 1, 1, ipTest(func(netip.Addr) bool { return true }))
	def("isvalidipv4", 1, 1, ipTest(netip.Addr.Is4))
	def("isvalidipv6", 1, 1, ipTest(netip.Addr.Is6))
	def("isprivateip", 1, 1, ipTest(func(a netip.Addr) bool { return inAny(a, privatePrefixes) }))
	def("isreservedip", 1, 1, ipTest(func(a netip.Addr) bool { return inAny(a, reservedPrefixes) }))
	def("ispublicip", 1, 1, ipTest(func(a netip.Addr) bool { return !inAny(a, reservedPrefixes) }))
	def("ipv4tonumber", 1, 1, func(_ *ectx, v []value) value {
		a, ok := ipOf(v[0])
		if !ok || !a.Is4() {
			return null
		}
		b := a.As4()
		return numVal(float64(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])))
	})
	def("isipinsubnet", 2, 2, nil).build = buildInSubnet(0)
	def("isipv4insubnet", 2, 2, nil).build = buildInSubnet(4)
	def("isipv6insubnet", 2, 2, nil).build = buildInSubnet(6)
}

// buildInSubnet compiles isIpInSubnet (family 0), isIpv4InSubnet (4) and
// isIpv6InSubnet (6). A constant subnet is parsed once.
func buildInSubnet(family int) func(c *compiler, n *node) evalFn {
	familyOK := func(a netip.Addr) bool {
		switch family {
		case 4:
			return a.Is4()
		case 6:
			return a.Is6()
		}
		return true
	}
	return func(c *compiler, n *node) evalFn {
		ip := c.expr(n.args[0])
		if s, ok := constString(n.args[1]); ok {
			p, err := netip.ParsePrefix(s)
			if err != nil || !familyOK(p.Addr()) {
				c.failAt(n.args[1].start, n.args[1].end, "%q is not a CIDR block of the right address family, such as 192.0.2.0/24 or 2001:db8::/32", s)
			}
			p = p.Masked()
			return func(r *row) value {
				a, ok := ipOf(ip(r))
				return boolVal(ok && familyOK(a) && p.Contains(a))
			}
		}
		sub := c.expr(n.args[1])
		return func(r *row) value {
			a, ok := ipOf(ip(r))
			s, ok2 := sub(r).text()
			if !ok || !ok2 || !familyOK(a) {
				return boolVal(false)
			}
			p, err := netip.ParsePrefix(s)
			return boolVal(err == nil && familyOK(p.Addr()) && p.Masked().Contains(a))
		}
	}
}
