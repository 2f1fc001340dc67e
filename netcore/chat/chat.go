package chat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/session"
)

// Defaults.
const (
	// DefaultPort is the chat port NetDebug suggests, and the port every
	// instance also announces to, so instances on other ports still meet.
	DefaultPort             = 9900
	DefaultHistoryLimit     = 1000
	DefaultHistoryBytes     = 4 << 20
	DefaultMaxConversations = 256
	DefaultAnnounceInterval = 5 * time.Second
)

// ChangeKind says what changed.
type ChangeKind int

// The kinds of change.
const (
	// MessagesChanged: Key's messages (new, status, cleared, re-decoded).
	MessagesChanged ChangeKind = iota + 1
	// ConversationsChanged: the list (new, removed, unread, last message).
	ConversationsChanged
	// NearbyChanged: the nearby list.
	NearbyChanged
	// StateChanged: online, offline, discovery or save errors.
	StateChanged
)

// Change is reported to Config.OnChange.
type Change struct {
	Kind ChangeKind
	Key  string
}

// Config sets a chat up. Only OnChange and Dir are fixed for the chat's
// life; the rest have setters.
type Config struct {
	Nickname string
	// Encoding is the default for new conversations (UTF-8 if empty).
	Encoding codec.Encoding
	// Dir keeps the history (one JSON-lines file per conversation and an
	// index); "" keeps it in memory only.
	Dir string
	// HistoryLimit and HistoryBytes bound each conversation; the oldest
	// messages go first.
	HistoryLimit int
	HistoryBytes int
	// MaxConversations bounds the list; datagrams from new peers beyond it
	// are dropped and counted.
	MaxConversations int
	// Discovery turns announcing and the nearby list on.
	Discovery bool
	// AnnounceInterval is how often to announce (DefaultAnnounceInterval).
	AnnounceInterval time.Duration
	// AnnouncePorts are where announces go besides our own chat port;
	// nil means DefaultPort.
	AnnouncePorts []int
	// Broadcasts lists the broadcast addresses to announce to; nil means
	// SubnetBroadcasts.
	Broadcasts func() []netip.Addr
	// App is announced as the program name and version.
	App string
	// OnChange is called from the chat's goroutines after each change. It
	// must not block; it may call the chat's methods.
	OnChange func(Change)
}

// State is the chat's connection state.
type State struct {
	Online    bool
	Local     netip.AddrPort
	AcceptTCP bool
	Discovery bool
	// DiscoveryErr is the last announce failure (nil once one succeeds).
	DiscoveryErr error
	// SaveErr is the last history write failure.
	SaveErr error
	// Dropped counts datagrams from new peers refused over the limit.
	Dropped int
	// OfflineErr is why the chat went offline by itself: its socket stopped
	// receiving. Start clears it.
	OfflineErr error
}

// Chat is the engine: conversations, history, the chat socket, TCP links
// and discovery. All methods are safe from any goroutine.
type Chat struct {
	cfg   Config
	id    string
	store *store

	mu        sync.Mutex
	nick      string
	enc       codec.Encoding
	discovery bool
	convs     map[string]*conv
	nextID    int64
	active    string
	nearby    map[string]*Nearby
	run       *runState
	// ending is a run being shut down off the caller's goroutine after
	// its socket failed; offlineErr says why.
	ending     *runState
	offlineErr error
	discErr    error
	saveErr    error
	dropped    int
	closed     bool
	// indexDirty asks the save loop to write the conversation index.
	indexDirty bool

	saveKick chan struct{}
	saveStop chan struct{}
	saveDone chan struct{}
}

// conv is a conversation with its messages and persistence state.
type conv struct {
	Conversation
	created time.Time
	msgs    []Message
	size    int
	// pending counts trailing messages not yet written; rewrite asks for
	// the whole file to be written again (after a clear, a status change of
	// a saved message, or when the file has grown to twice a limit).
	pending   int
	fileLines int
	// fileBytes is the file's size; compactBytes its size after the last
	// rewrite.
	fileBytes    int64
	compactBytes int64
	rewrite      bool
	file         string
}

// runState is what exists while the chat is online.
type runState struct {
	chat      *Chat
	ctx       context.Context // cancelled by Stop: ends dials
	cancel    context.CancelFunc
	udp       *udpEndpoint
	ln        net.Listener
	local     netip.AddrPort
	acceptTCP bool
	peers     map[string]*tcpPeer
	stop      chan struct{}
	wg        sync.WaitGroup
	disc      *announcer
	// done is closed once the run is shut down.
	done chan struct{}
}

// New makes a chat and loads its history from cfg.Dir. It does not open
// any socket; Start does.
func New(cfg Config) (*Chat, error) {
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = DefaultHistoryLimit
	}
	if cfg.HistoryBytes <= 0 {
		cfg.HistoryBytes = DefaultHistoryBytes
	}
	if cfg.MaxConversations <= 0 {
		cfg.MaxConversations = DefaultMaxConversations
	}
	if cfg.AnnounceInterval <= 0 {
		cfg.AnnounceInterval = DefaultAnnounceInterval
	}
	if cfg.AnnouncePorts == nil {
		cfg.AnnouncePorts = []int{DefaultPort}
	}
	if cfg.Broadcasts == nil {
		cfg.Broadcasts = SubnetBroadcasts
	}
	if cfg.Encoding == "" {
		cfg.Encoding = codec.UTF8
	}
	idb := make([]byte, 8)
	_, _ = rand.Read(idb)
	c := &Chat{
		cfg:       cfg,
		id:        hex.EncodeToString(idb),
		nick:      CleanNick(cfg.Nickname),
		enc:       cfg.Encoding,
		discovery: cfg.Discovery,
		convs:     map[string]*conv{},
		nearby:    map[string]*Nearby{},
		nextID:    1,
	}
	if c.nick == "" {
		c.nick = "NetDebug"
	}
	if cfg.Dir != "" {
		c.store = &store{dir: cfg.Dir}
		if err := c.load(); err != nil {
			return nil, err
		}
		c.saveKick = make(chan struct{}, 1)
		c.saveStop = make(chan struct{})
		c.saveDone = make(chan struct{})
		go c.saveLoop()
		for _, cv := range c.convs {
			if cv.rewrite {
				// Compact what load trimmed now rather than on the first
				// message.
				c.kickSave()
				break
			}
		}
	}
	return c, nil
}

// ID is this instance's announce id.
func (c *Chat) ID() string { return c.id }

func (c *Chat) notify(changes ...Change) {
	if c.cfg.OnChange == nil {
		return
	}
	for _, ch := range changes {
		c.cfg.OnChange(ch)
	}
}

// Start binds the chat socket to listen ("host:port", ":port" or "port";
// port 0 picks a free one) and, with acceptTCP, a TCP listener on the same
// port. A port in use is a *PortInUseError that suggests a free one.
func (c *Chat) Start(listen string, acceptTCP bool) error {
	host, port, err := session.SplitTarget(normalizeListen(listen), 0, true)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	c.waitEnding()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return fmt.Errorf("%w: the chat is closed", session.ErrClosed)
	}
	if c.run != nil {
		c.mu.Unlock()
		return fmt.Errorf("chat is already online on %s", c.run.local)
	}
	c.mu.Unlock()

	udp, ln, err := c.listen(addr, host, port, acceptTCP)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &runState{chat: c, ctx: ctx, cancel: cancel, udp: udp, ln: ln, local: udp.localAddr(), acceptTCP: acceptTCP, peers: map[string]*tcpPeer{}, stop: make(chan struct{}), done: make(chan struct{})}
	c.mu.Lock()
	if c.run != nil || c.closed {
		c.mu.Unlock()
		cancel()
		udp.close()
		if r.ln != nil {
			r.ln.Close()
		}
		return fmt.Errorf("chat is already online")
	}
	c.run = r
	c.offlineErr = nil
	if r.ln != nil {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			c.acceptLoop(r)
		}()
	}
	if c.discovery {
		r.disc = c.startAnnouncer(r)
	}
	c.mu.Unlock()
	c.notify(Change{Kind: StateChanged})
	return nil
}

// listen binds the UDP socket and, with acceptTCP, a TCP listener on the
// same port. With port 0 a port free for UDP may be taken for TCP; then
// another is tried.
func (c *Chat) listen(addr, host string, port int, acceptTCP bool) (*udpEndpoint, net.Listener, error) {
	for attempt := 0; ; attempt++ {
		udp, err := listenUDP(addr, c)
		if err != nil {
			return nil, nil, portInUse(err, host, port)
		}
		if !acceptTCP {
			return udp, nil, nil
		}
		network := "tcp4"
		if udp.v6 {
			network = "tcp6"
		}
		taddr := net.JoinHostPort(host, strconv.Itoa(int(udp.localAddr().Port())))
		ln, err := net.Listen(network, taddr)
		if err == nil {
			return udp, ln, nil
		}
		udp.close()
		err = session.Explain(err, taddr+" (TCP)")
		if port != 0 || attempt >= 5 || !errors.Is(err, session.ErrAddrInUse) {
			return nil, nil, portInUse(err, host, port)
		}
	}
}

// normalizeListen accepts a bare port.
func normalizeListen(s string) string {
	s = strings.TrimSpace(s)
	if _, err := strconv.Atoi(s); err == nil {
		return ":" + s
	}
	return s
}

// portInUse adds a free port suggestion to an address-in-use error.
func portInUse(err error, host string, port int) error {
	if !errors.Is(err, session.ErrAddrInUse) || port == 0 {
		return err
	}
	e := &PortInUseError{Port: port, Err: err}
	for p := port + 1; p <= 65535 && p <= port+50; p++ {
		pc, lerr := net.ListenPacket("udp4", net.JoinHostPort(host, strconv.Itoa(p)))
		if lerr != nil {
			continue
		}
		pc.Close()
		e.Free = p
		break
	}
	return e
}

// Stop closes the sockets; history stays. Messages still waiting on a TCP
// connection fail.
func (c *Chat) Stop() {
	c.mu.Lock()
	r := c.run
	c.run = nil
	c.mu.Unlock()
	if r == nil {
		c.waitEnding()
		return
	}
	c.shutdown(r)
	c.notify(Change{Kind: StateChanged}, Change{Kind: ConversationsChanged}, Change{Kind: NearbyChanged})
}

// readFailed takes the chat offline when the reader of e gave up on its
// socket, and keeps err for State. The reader calls it, and closing the
// endpoint waits for the reader: the shutdown runs on its own goroutine.
func (c *Chat) readFailed(e *udpEndpoint, err error) {
	c.mu.Lock()
	r := c.run
	if r == nil || r.udp != e {
		c.mu.Unlock()
		return
	}
	c.run, c.ending = nil, r
	c.offlineErr = err
	c.mu.Unlock()
	go func() {
		c.shutdown(r)
		c.mu.Lock()
		if c.ending == r {
			c.ending = nil
		}
		c.mu.Unlock()
		c.notify(Change{Kind: StateChanged}, Change{Kind: ConversationsChanged}, Change{Kind: NearbyChanged})
	}()
}

// waitEnding waits for a run that failed to finish shutting down.
func (c *Chat) waitEnding() {
	c.mu.Lock()
	r := c.ending
	c.mu.Unlock()
	if r != nil {
		<-r.done
	}
}

// shutdown closes a run's sockets and connections and waits for its
// goroutines; r is no longer c.run.
func (c *Chat) shutdown(r *runState) {
	defer close(r.done)
	c.mu.Lock()
	disc := r.disc
	c.mu.Unlock()
	if disc != nil {
		disc.stop(true)
	}
	close(r.stop)
	r.cancel()
	r.udp.close()
	if r.ln != nil {
		r.ln.Close()
	}
	for _, p := range r.snapshotPeers(c) {
		p.closeConn()
	}
	r.wg.Wait()
	c.mu.Lock()
	c.nearby = map[string]*Nearby{}
	c.mu.Unlock()
}

// Close stops the chat and writes the history out.
func (c *Chat) Close() error {
	c.Stop()
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already || c.store == nil {
		return nil
	}
	close(c.saveStop)
	<-c.saveDone
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saveErr
}

// State reports whether the chat is online and how.
func (c *Chat) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := State{Discovery: c.discovery, DiscoveryErr: c.discErr, SaveErr: c.saveErr, Dropped: c.dropped, OfflineErr: c.offlineErr}
	if c.run != nil {
		s.Online, s.Local, s.AcceptTCP = true, c.run.local, c.run.acceptTCP
	}
	return s
}

// Nickname is the name we announce and sign our messages with.
func (c *Chat) Nickname() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nick
}

// SetNickname changes the nickname; an empty one becomes "NetDebug".
func (c *Chat) SetNickname(nick string) {
	nick = CleanNick(nick)
	if nick == "" {
		nick = "NetDebug"
	}
	c.mu.Lock()
	changed := c.nick != nick
	c.nick = nick
	var r *runState
	if changed && c.run != nil && c.run.disc != nil {
		r = c.run
	}
	c.mu.Unlock()
	if r != nil {
		r.disc.kick()
	}
}

// SetDefaultEncoding sets the encoding new conversations start with.
func (c *Chat) SetDefaultEncoding(e codec.Encoding) {
	c.mu.Lock()
	c.enc = e
	c.mu.Unlock()
}

// SetActive names the conversation the user is looking at: its incoming
// messages do not count as unread. "" for none.
func (c *Chat) SetActive(key string) {
	c.mu.Lock()
	c.active = key
	changed := false
	if cv := c.convs[key]; cv != nil && cv.Unread > 0 {
		cv.Unread = 0
		changed = true
		c.indexChanged()
	}
	c.mu.Unlock()
	if changed {
		c.notify(Change{Kind: ConversationsChanged, Key: key})
	}
}
