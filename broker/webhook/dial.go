package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
)

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// guardedDial returns a DialContext that applies the host allow-list to the
// address it actually connects to. It resolves the name once, checks each
// address, and dials the checked address itself, so a DNS answer that
// changes between the check and the connection (rebinding) cannot reach an
// address the allow-list does not permit.
//
// A name that an exact allow-list entry names is trusted with whatever it
// resolves to: the operator wrote that host. A name that matched only a
// "*.domain" wildcard or a /pattern/ is trusted with public and private
// addresses, but not with loopback, link-local (where cloud metadata
// services answer) or unspecified ones: those need an entry naming the
// address or its range.
func guardedDial(hosts []string, res Resolver, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	dialer := &net.Dialer{Timeout: timeout}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else if ips, err = res.LookupNetIP(ctx, "ip", host); err != nil {
			return nil, err
		}
		var refused []string
		for _, ip := range ips {
			if !dialAllowed(host, ip, hosts) {
				refused = append(refused, ip.String())
				continue
			}
			c, err := dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
			if err == nil {
				return c, nil
			}
			refused = append(refused, fmt.Sprintf("%s (%v)", ip, err))
		}
		return nil, broker.Errorf(broker.Invalid, "not sent: %s resolves to %s, which the webhook host allow-list (PACT_BROKER_WEBHOOK_HOST_WHITELIST) does not permit to be dialled; name that address or its range in the allow-list", host, strings.Join(refused, ", "))
	}
}

// dialAllowed reports whether the allow-list lets a request for host go to
// ip (see guardedDial).
func dialAllowed(host string, ip netip.Addr, hosts []string) bool {
	if len(hosts) == 0 {
		return true
	}
	ip = ip.Unmap()
	if ipEntryAllows(ip, hosts) {
		return true
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return false // a literal address passes only through an address entry
	}
	special := ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast()
	for _, e := range hosts {
		if strings.EqualFold(e, host) {
			return true
		}
	}
	return !special && HostAllowed(host, hosts)
}

// ipEntryAllows reports whether an address, CIDR or pattern entry (not a
// name) allows ip.
func ipEntryAllows(ip netip.Addr, hosts []string) bool {
	for _, e := range hosts {
		if p, err := netip.ParsePrefix(e); err == nil && p.Contains(ip) {
			return true
		}
		if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil && a.Unmap() == ip {
			return true
		}
		if len(e) > 1 && strings.HasPrefix(e, "/") && strings.HasSuffix(e, "/") {
			if re, err := regexp.Compile(e[1 : len(e)-1]); err == nil && re.MatchString(ip.String()) {
				return true
			}
		}
	}
	return false
}
