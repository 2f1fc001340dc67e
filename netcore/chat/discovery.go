package chat

import (
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"
)

// announcer broadcasts our announce every interval while discovery is on.
type announcer struct {
	c      *Chat
	r      *runState
	quit   chan struct{}
	again  chan struct{}
	done   chan struct{}
	once   sync.Once
	sayBye bool
}

// startAnnouncer starts announcing; the caller holds c.mu.
func (c *Chat) startAnnouncer(r *runState) *announcer {
	a := &announcer{c: c, r: r, quit: make(chan struct{}), again: make(chan struct{}, 1), done: make(chan struct{})}
	go a.loop()
	return a
}

func (a *announcer) loop() {
	defer close(a.done)
	t := time.NewTicker(a.c.cfg.AnnounceInterval)
	defer t.Stop()
	a.c.broadcast(a.r, false)
	for {
		select {
		case <-a.quit:
			if a.sayBye {
				a.c.broadcast(a.r, true)
			}
			return
		case <-a.again:
			a.c.broadcast(a.r, false)
		case <-t.C:
			a.c.broadcast(a.r, false)
			a.c.pruneNearby()
		}
	}
}

// kick announces now (after a nickname change).
func (a *announcer) kick() {
	select {
	case a.again <- struct{}{}:
	default:
	}
}

// stop ends the loop, saying goodbye first when bye is set.
func (a *announcer) stop(bye bool) {
	a.once.Do(func() {
		a.sayBye = bye
		close(a.quit)
	})
	<-a.done
}

// announce builds our announce.
func (c *Chat) announce(r *runState, reply, bye bool) []byte {
	c.mu.Lock()
	a := Announce{ID: c.id, Nick: c.nick, Port: int(r.local.Port()), Enc: string(c.enc), App: c.cfg.App, Reply: reply, Bye: bye}
	c.mu.Unlock()
	b, err := a.Marshal()
	if err != nil {
		// Only an overlong App can fail; announce without it.
		a.App = ""
		b, _ = a.Marshal()
	}
	return b
}

// broadcast sends our announce to every broadcast address, on our port and
// the announce ports.
func (c *Chat) broadcast(r *runState, bye bool) {
	b := c.announce(r, false, bye)
	ports := []int{int(r.local.Port())}
	extra := append([]int(nil), c.cfg.AnnouncePorts...)
	// Instances heard on other ports found us through DefaultPort or our
	// reply; our broadcasts must reach their port too, or they forget us.
	c.mu.Lock()
	for _, n := range c.nearby {
		extra = append(extra, int(n.Addr.Port()))
	}
	c.mu.Unlock()
	for _, p := range extra {
		if p > 0 && p <= 65535 && !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	var firstErr error
	sent := 0
	for _, addr := range c.cfg.Broadcasts() {
		for _, p := range ports {
			if err := r.udp.send(netip.AddrPortFrom(addr, uint16(p)), b); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			sent++
		}
	}
	c.mu.Lock()
	prev := c.discErr
	if sent > 0 {
		c.discErr = nil
	} else {
		c.discErr = firstErr
	}
	changed := (prev == nil) != (c.discErr == nil)
	c.mu.Unlock()
	if changed {
		c.notify(Change{Kind: StateChanged})
	}
}

// control handles a control datagram: an announce when discovery is on;
// with discovery off, only the nickname of someone we already talk to. It
// never becomes a message.
func (c *Chat) control(from netip.AddrPort, b []byte, at time.Time) {
	a, err := ParseAnnounce(b)
	if err != nil {
		return
	}
	c.mu.Lock()
	r := c.run
	if r == nil || a.ID == c.id {
		c.mu.Unlock()
		return
	}
	if !c.discovery {
		// Nobody is listed or answered, but the people in our
		// conversations are still called by the names they give.
		var changed []string
		if !a.Bye {
			changed = c.learnNickLocked(netip.AddrPortFrom(from.Addr(), uint16(a.Port)), a.Nick)
		}
		c.mu.Unlock()
		for _, key := range changed {
			c.notify(Change{Kind: ConversationsChanged, Key: key})
		}
		return
	}
	if a.Bye {
		_, had := c.nearby[a.ID]
		delete(c.nearby, a.ID)
		c.mu.Unlock()
		if had {
			c.notify(Change{Kind: NearbyChanged})
		}
		return
	}
	addr := netip.AddrPortFrom(from.Addr(), uint16(a.Port))
	old, known := c.nearby[a.ID]
	n := &Nearby{ID: a.ID, Nick: a.Nick, Addr: addr, App: a.App, Seen: at}
	if e, err := parseEnc(a.Enc); err == nil {
		n.Encoding = e
	}
	c.nearby[a.ID] = n
	changed := !known || old.Nick != n.Nick || old.Addr != n.Addr
	convChanged := c.learnNickLocked(addr, a.Nick)
	c.mu.Unlock()
	if !known && !a.Reply {
		// A newcomer: answer at once so it need not wait a full interval.
		_ = r.udp.send(from, c.announce(r, true, false))
	}
	if changed {
		c.notify(Change{Kind: NearbyChanged})
	}
	for _, key := range convChanged {
		c.notify(Change{Kind: ConversationsChanged, Key: key})
	}
}

// learnNickLocked names the conversations with addr, over UDP and over
// TCP (the same chat port), after the nickname its owner announced, and
// returns the keys of those that changed. The caller holds mu.
func (c *Chat) learnNickLocked(addr netip.AddrPort, nick string) []string {
	var changed []string
	for _, key := range []string{UDPKey(addr), TCPKey(addr)} {
		if cv := c.convs[key]; cv != nil && cv.Nick != nick {
			cv.Nick = nick
			changed = append(changed, key)
		}
	}
	if len(changed) > 0 {
		c.indexChanged()
	}
	return changed
}

// pruneNearby forgets instances not heard for three intervals.
func (c *Chat) pruneNearby() {
	cutoff := time.Now().Add(-3*c.cfg.AnnounceInterval - time.Second)
	c.mu.Lock()
	removed := false
	for id, n := range c.nearby {
		if n.Seen.Before(cutoff) {
			delete(c.nearby, id)
			removed = true
		}
	}
	c.mu.Unlock()
	if removed {
		c.notify(Change{Kind: NearbyChanged})
	}
}

// Nearby lists the instances heard recently, by nickname.
func (c *Chat) Nearby() []Nearby {
	c.mu.Lock()
	out := make([]Nearby, 0, len(c.nearby))
	for _, n := range c.nearby {
		out = append(out, *n)
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Nick != out[j].Nick {
			return out[i].Nick < out[j].Nick
		}
		return out[i].Addr.String() < out[j].Addr.String()
	})
	return out
}

// SetDiscovery turns announcing and listening for announces on or off.
// Turning it off says goodbye so the others drop us at once.
func (c *Chat) SetDiscovery(on bool) {
	c.mu.Lock()
	if c.discovery == on {
		c.mu.Unlock()
		return
	}
	c.discovery = on
	r := c.run
	var old *announcer
	if r != nil {
		if on && r.disc == nil {
			r.disc = c.startAnnouncer(r)
		} else if !on {
			old, r.disc = r.disc, nil
		}
	}
	if !on {
		c.nearby = map[string]*Nearby{}
	}
	c.mu.Unlock()
	if old != nil {
		old.stop(true)
	}
	c.notify(Change{Kind: StateChanged}, Change{Kind: NearbyChanged})
}

// Discover opens (or finds) the UDP conversation with a nearby instance.
func (c *Chat) Discover(n Nearby) (string, error) {
	key := n.Key()
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		if len(c.convs) >= c.cfg.MaxConversations {
			c.mu.Unlock()
			return "", ErrTooManyConversations
		}
		cv = c.newConv(UDP, n.Addr, "")
		if n.Encoding != "" {
			cv.Encoding = n.Encoding
		}
	}
	cv.Nick = n.Nick
	cv.Manual = true
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: ConversationsChanged, Key: key})
	return key, nil
}
