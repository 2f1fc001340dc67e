package chat

import (
	"net/netip"
	"slices"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// LimitedBroadcast is where announces go when no interface has a subnet
// broadcast address.
var LimitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// SubnetBroadcasts returns the IPv4 subnet broadcast address of every
// interface that is up, can broadcast and is not loopback (192.168.1.255
// for 192.168.1.10/24), or 255.255.255.255 when there is none. Subnet
// addresses reach every LAN the computer is on; the limited broadcast only
// leaves through one interface.
func SubnetBroadcasts() []netip.Addr {
	var out []netip.Addr
	m, _ := netinfo.LocalMachine()
	for _, it := range m.Interfaces {
		if !it.Up || !slices.Contains(it.Flags, "broadcast") || slices.Contains(it.Flags, "loopback") {
			continue
		}
		for _, a := range it.Addrs {
			if a.Broadcast.IsValid() && !slices.Contains(out, a.Broadcast) {
				out = append(out, a.Broadcast)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, LimitedBroadcast)
	}
	return out
}
