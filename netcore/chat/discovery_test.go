package chat

import (
	"net/netip"
	"testing"
	"time"
)

// discoveryPair checks that a and b (online, discovery on) find each other
// with the right nicknames and addresses, talk through the conversation
// discovery gives them, and never see an announce as a message.
func discoveryPair(t *testing.T, a, b *Chat, aAddr, bAddr netip.AddrPort) {
	t.Helper()
	var na, nb []Nearby
	waitFor(t, "both to find each other", func() bool {
		na, nb = a.Nearby(), b.Nearby()
		return len(na) == 1 && len(nb) == 1
	})
	if na[0].Nick != b.Nickname() || na[0].Addr != bAddr || na[0].ID != b.ID() {
		t.Fatalf("a sees %+v, want %s at %s", na[0], b.Nickname(), bAddr)
	}
	if nb[0].Nick != a.Nickname() || nb[0].Addr != aAddr {
		t.Fatalf("b sees %+v, want %s at %s", nb[0], a.Nickname(), aAddr)
	}
	// Long enough for a silent instance to be forgotten: both still see
	// each other, and no announce became a message.
	time.Sleep(3*a.cfg.AnnounceInterval + 1500*time.Millisecond)
	if n := len(a.Conversations()) + len(b.Conversations()); n != 0 {
		t.Fatalf("announces opened conversations: %s / %s", keys(a.Conversations()), keys(b.Conversations()))
	}
	if len(a.Nearby()) != 1 || len(b.Nearby()) != 1 {
		t.Fatalf("forgotten: a sees %v, b sees %v", a.Nearby(), b.Nearby())
	}
	key, err := a.Discover(na[0])
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := a.Send(key, "你好，"+b.Nickname()); m.Status != StatusSent {
		t.Fatalf("send %+v", m)
	}
	back := UDPKey(aAddr)
	got := waitMessages(t, b, back, 1)
	if len(got) != 1 || got[0].Text != "你好，"+b.Nickname() || got[0].Nick != a.Nickname() {
		t.Fatalf("b got %+v", got)
	}
	if cv, _ := b.Conversation(back); cv.Title() != a.Nickname() {
		t.Fatalf("b names the conversation %q", cv.Title())
	}
	// A nickname change travels with the next announce.
	b.SetNickname("Bob2")
	waitFor(t, "the new nickname", func() bool { n := a.Nearby(); return len(n) == 1 && n[0].Nick == "Bob2" })
	if cv, _ := a.Conversation(key); cv.Nick != "Bob2" {
		t.Fatalf("conversation nick %q", cv.Nick)
	}
	// Turning discovery off says goodbye.
	b.SetDiscovery(false)
	waitFor(t, "the goodbye", func() bool { return len(a.Nearby()) == 0 })
	if len(b.Nearby()) != 0 {
		t.Fatal("b still lists nearby instances with discovery off")
	}
}

// On loopback, 127.255.255.255 reaches sockets bound to 0.0.0.0: the
// protocol can be tested without privileges. Here the two instances use
// different ports, so each also announces to the other's port, as every
// instance announces to DefaultPort besides its own.
func TestDiscoveryOnLoopback(t *testing.T) {
	lo := func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("127.255.255.255")} }
	// No announces to DefaultPort: a NetDebug running on this computer
	// must not join the test.
	a := newChat(t, "Alice", false, func(c *Config) {
		c.Discovery, c.AnnounceInterval, c.Broadcasts, c.AnnouncePorts = true, 100*time.Millisecond, lo, []int{}
	})
	if err := a.Start("0.0.0.0:0", false); err != nil {
		t.Fatal(err)
	}
	pa := int(a.State().Local.Port())
	b := newChat(t, "Bob", false, func(c *Config) {
		c.Discovery, c.AnnounceInterval, c.Broadcasts, c.AnnouncePorts = true, 100*time.Millisecond, lo, []int{pa}
	})
	if err := b.Start("0.0.0.0:0", false); err != nil {
		t.Fatal(err)
	}
	pb := b.State().Local.Port()
	// Replies come from the instance's own socket, to loopback.
	loop := netip.MustParseAddr("127.0.0.1")
	discoveryPair(t, a, b, netip.AddrPortFrom(loop, uint16(pa)), netip.AddrPortFrom(loop, pb))
	if err := a.State().DiscoveryErr; err != nil {
		t.Fatal(err)
	}
}

func TestSubnetBroadcastsNeverEmpty(t *testing.T) {
	got := SubnetBroadcasts()
	if len(got) == 0 {
		t.Fatal("no broadcast address")
	}
	for _, a := range got {
		if !a.Is4() || a.IsLoopback() || a.As4()[3]&1 == 0 { // host bits all ones
			t.Errorf("odd broadcast address %s", a)
		}
	}
}

// TestNearbyForgottenAfter16s: with the default announce interval (5 s) an
// instance last heard 15.5 s ago is still listed and one heard 16.5 s ago
// is forgotten, as the README says.
func TestNearbyForgottenAfter16s(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c.mu.Lock()
	c.nearby["fresh"] = &Nearby{ID: "fresh", Nick: "fresh", Seen: now.Add(-15500 * time.Millisecond)}
	c.nearby["stale"] = &Nearby{ID: "stale", Nick: "stale", Seen: now.Add(-16500 * time.Millisecond)}
	c.mu.Unlock()
	c.pruneNearby()
	if got := c.Nearby(); len(got) != 1 || got[0].ID != "fresh" {
		t.Fatalf("nearby after pruning: %+v, want only the one heard 15.5 s ago", got)
	}
}
