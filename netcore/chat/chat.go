package chat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
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
	discErr   error
	saveErr   error
	dropped   int
	closed    bool
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
	// a saved message, or when the file has grown to twice the limit).
	pending   int
	fileLines int
	rewrite   bool
	file      string
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
	r := &runState{chat: c, ctx: ctx, cancel: cancel, udp: udp, ln: ln, local: udp.localAddr(), acceptTCP: acceptTCP, peers: map[string]*tcpPeer{}, stop: make(chan struct{})}
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
		return
	}
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
	c.notify(Change{Kind: StateChanged}, Change{Kind: ConversationsChanged}, Change{Kind: NearbyChanged})
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
	s := State{Discovery: c.discovery, DiscoveryErr: c.discErr, SaveErr: c.saveErr, Dropped: c.dropped}
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

func (c *Chat) nextMessageID() int64 {
	id := c.nextID
	c.nextID++
	return id
}

// newConv adds a conversation; the caller holds mu and checks the limit.
func (c *Chat) newConv(tr Transport, ap netip.AddrPort, host string) *conv {
	key := UDPKey(ap)
	if tr == TCP {
		key = TCPKey(ap)
	}
	cv := &conv{Conversation: Conversation{Key: key, Transport: tr, Addr: UDPKey(ap), Host: host, Encoding: c.enc, LineEnding: codec.LineNone}, created: time.Now()}
	cv.file = fileName(key)
	if tr == UDP {
		for _, n := range c.nearby {
			if n.Addr == ap {
				cv.Nick = n.Nick
			}
		}
	}
	c.convs[key] = cv
	c.indexChanged()
	return cv
}

// AddPeer opens the conversation with host and port as typed (a host name
// is resolved; ctx bounds the lookup and, for TCP, the connect) and returns
// its key. An existing conversation is returned as it is. For TCP while
// online, the connection is made now and a failure is returned.
func (c *Chat) AddPeer(ctx context.Context, host, port string, tr Transport) (string, error) {
	if tr != TCP {
		tr = UDP
	}
	joined, err := session.JoinHostPort(host, port, false)
	if err != nil {
		return "", err
	}
	h, _, _ := net.SplitHostPort(joined)
	p, _ := session.ParsePort(port, false)
	ip, err := c.resolve(ctx, h)
	if err != nil {
		return "", err
	}
	ap := netip.AddrPortFrom(ip, uint16(p))
	name := ""
	if _, perr := netip.ParseAddr(h); perr != nil {
		name = h
	}
	key := UDPKey(ap)
	if tr == TCP {
		key = TCPKey(ap)
	}
	c.mu.Lock()
	cv, existed := c.convs[key]
	if !existed {
		if len(c.convs) >= c.cfg.MaxConversations {
			c.mu.Unlock()
			return "", fmt.Errorf("%w (%d); remove some first", ErrTooManyConversations, c.cfg.MaxConversations)
		}
		cv = c.newConv(tr, ap, name)
	}
	cv.Manual = true
	if name != "" && cv.Host == "" {
		cv.Host = name
	}
	c.indexChanged()
	r := c.run
	c.mu.Unlock()
	if tr == TCP && r != nil {
		if _, err := r.peer(c, key, ap, true).connection(ctx); err != nil {
			if !existed {
				c.removeConv(key)
			}
			return "", err
		}
	}
	c.notify(Change{Kind: ConversationsChanged, Key: key})
	return key, nil
}

// resolve looks a host up, preferring the family the socket is bound to.
func (c *Chat) resolve(ctx context.Context, host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), nil
	}
	c.mu.Lock()
	v6 := c.run != nil && c.run.udp.v6
	c.mu.Unlock()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, session.Explain(err, host)
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() != v6 {
			return ip.Unmap(), nil
		}
	}
	if len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("%w: the name %q has no addresses", session.ErrHostNotFound, host)
	}
	return ips[0].Unmap(), nil
}

// Conversations lists the conversations, the most recent first.
func (c *Chat) Conversations() []Conversation {
	c.mu.Lock()
	out := make([]Conversation, 0, len(c.convs))
	created := map[string]time.Time{}
	var r *runState = c.run
	for _, cv := range c.convs {
		v := cv.Conversation
		v.Count = len(cv.msgs)
		if n := len(cv.msgs); n > 0 {
			last := cv.msgs[n-1]
			v.LastTime = last.Time
			v.LastText = preview(last.Text)
		}
		created[v.Key] = cv.created
		out = append(out, v)
	}
	c.mu.Unlock()
	for i := range out {
		if out[i].Transport == TCP && r != nil {
			out[i].Connected = r.connected(c, out[i].Key)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := out[i].LastTime, out[j].LastTime
		if ti.IsZero() {
			ti = created[out[i].Key]
		}
		if tj.IsZero() {
			tj = created[out[j].Key]
		}
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Conversation returns one conversation.
func (c *Chat) Conversation(key string) (Conversation, bool) {
	for _, cv := range c.Conversations() {
		if cv.Key == key {
			return cv, true
		}
	}
	return Conversation{}, false
}

func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}

// Messages returns a copy of a conversation's messages, oldest first.
func (c *Chat) Messages(key string) []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	cv := c.convs[key]
	if cv == nil {
		return nil
	}
	return append([]Message(nil), cv.msgs...)
}

// SetEncoding changes a conversation's encoding; received messages are
// decoded again from their bytes.
func (c *Chat) SetEncoding(key string, e codec.Encoding) error {
	if e == "" {
		e = codec.UTF8
	}
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return ErrNoConversation
	}
	cv.Encoding = e
	for i := range cv.msgs {
		m := &cv.msgs[i]
		if m.Dir == Incoming && m.Enc != e {
			m.Text, m.Undecodable = decode(e, trimLineEnd(m.Raw))
			m.Enc = e
			m.Rev++
		}
	}
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	return nil
}

// SetLineEnding sets what is appended to messages sent in a UDP
// conversation (nc shows messages on their own lines with "\n").
func (c *Chat) SetLineEnding(key string, l codec.LineEnding) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cv := c.convs[key]
	if cv == nil {
		return ErrNoConversation
	}
	cv.LineEnding = l
	c.indexChanged()
	return nil
}

// Clear deletes a conversation's messages and keeps the conversation.
func (c *Chat) Clear(key string) error {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return ErrNoConversation
	}
	cv.msgs, cv.size, cv.pending, cv.Unread, cv.rewrite = nil, 0, 0, 0, true
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	return nil
}

// Remove deletes a conversation and its history file, and closes its TCP
// connection.
func (c *Chat) Remove(key string) error {
	if !c.removeConv(key) {
		return ErrNoConversation
	}
	c.notify(Change{Kind: ConversationsChanged, Key: key}, Change{Kind: MessagesChanged, Key: key})
	return nil
}

func (c *Chat) removeConv(key string) bool {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return false
	}
	delete(c.convs, key)
	if c.active == key {
		c.active = ""
	}
	c.indexChanged()
	r := c.run
	c.mu.Unlock()
	if r != nil {
		r.dropPeer(c, key)
	}
	if c.store != nil {
		c.store.remove(cv.file)
	}
	return true
}

// Send encodes text in the conversation's encoding and sends it. The
// message is recorded whatever happens: a failure marks it (Status and
// Note) so it can be retried. An error means nothing was recorded: an
// empty message, an unknown conversation, a character the encoding cannot
// represent, or a message too large for one datagram.
func (c *Chat) Send(key, text string) (Message, error) {
	if text == "" {
		return Message{}, ErrEmpty
	}
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return Message{}, ErrNoConversation
	}
	raw, err := codec.Encode(cv.Encoding, text)
	if err != nil {
		c.mu.Unlock()
		return Message{}, err
	}
	if cv.Transport == UDP {
		raw = append(raw, cv.LineEnding.Bytes()...)
	}
	if len(raw) > MaxMessageSize {
		c.mu.Unlock()
		return Message{}, fmt.Errorf("%w: %d bytes, more than the %d a datagram holds", session.ErrTooLarge, len(raw), MaxMessageSize)
	}
	if cv.Transport == TCP && strings.ContainsAny(text, "\r\n") {
		// One line per message: a multi-line message becomes several.
		raw = []byte(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(raw)))
	}
	m := Message{ID: c.nextMessageID(), Dir: Outgoing, Time: time.Now(), Text: text, Raw: raw, Enc: cv.Encoding,
		Nick: c.nick, Status: StatusSending, Attempts: 1}
	c.appendMsg(cv, m)
	r, tr := c.run, cv.Transport
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	c.deliver(r, key, tr, m.ID, raw)
	got, _ := c.message(key, m.ID)
	return got, nil
}

// Retry sends a failed or undelivered message again.
func (c *Chat) Retry(key string, id int64) error {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return ErrNoConversation
	}
	i := cv.find(id)
	if i < 0 {
		c.mu.Unlock()
		return fmt.Errorf("no message %d in %s", id, key)
	}
	m := &cv.msgs[i]
	if m.Dir != Outgoing || !m.Status.Retryable() {
		c.mu.Unlock()
		return fmt.Errorf("message %d is %s; only failed messages can be retried", id, m.Status)
	}
	m.Status, m.Note = StatusSending, ""
	m.Attempts++
	m.Time = time.Now()
	c.msgChanged(cv, i)
	raw, r, tr := m.Raw, c.run, cv.Transport
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key})
	c.deliver(r, key, tr, id, raw)
	return nil
}

func (c *Chat) message(key string, id int64) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cv := c.convs[key]; cv != nil {
		if i := cv.find(id); i >= 0 {
			return cv.msgs[i], true
		}
	}
	return Message{}, false
}

// deliver puts raw on the wire for message id.
func (c *Chat) deliver(r *runState, key string, tr Transport, id int64, raw []byte) {
	if r == nil {
		c.setStatus(key, id, StatusFailed, ErrOffline.Error()+"; go online first")
		return
	}
	_, ap, err := ParseKey(key)
	if err != nil {
		c.setStatus(key, id, StatusFailed, err.Error())
		return
	}
	if tr == TCP {
		c.mu.Lock()
		canDial := c.convs[key] != nil && c.convs[key].Manual
		c.mu.Unlock()
		r.peer(c, key, ap, canDial).enqueue(c, id, raw)
		return
	}
	if err := r.udp.send(ap, raw); err != nil {
		c.setStatus(key, id, StatusFailed, err.Error())
		return
	}
	// On loopback the ICMP error can be read before send returns; a
	// message already marked undelivered stays so.
	c.setStatusIf(key, id, StatusSending, StatusSent, "")
}

// setStatus updates an outgoing message.
func (c *Chat) setStatus(key string, id int64, st Status, note string) {
	c.setStatusIf(key, id, "", st, note)
}

// setStatusIf updates an outgoing message if its status is from ("" for
// any).
func (c *Chat) setStatusIf(key string, id int64, from, st Status, note string) {
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return
	}
	i := cv.find(id)
	if i < 0 || (cv.msgs[i].Status == st && cv.msgs[i].Note == note) || (from != "" && cv.msgs[i].Status != from) {
		c.mu.Unlock()
		return
	}
	cv.msgs[i].Status, cv.msgs[i].Note = st, note
	c.msgChanged(cv, i)
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key})
}

// received records an incoming message on key, opening the conversation
// if it is new. It reports false when the conversation limit refused it.
func (c *Chat) received(tr Transport, from netip.AddrPort, raw []byte, at time.Time) bool {
	key := UDPKey(from)
	if tr == TCP {
		key = TCPKey(from)
	}
	c.mu.Lock()
	cv := c.convs[key]
	isNew := cv == nil
	if isNew {
		if len(c.convs) >= c.cfg.MaxConversations {
			c.dropped++
			c.mu.Unlock()
			c.notify(Change{Kind: StateChanged})
			return false
		}
		cv = c.newConv(tr, from, "")
		if cv.Encoding == codec.UTF8 && looksGB(trimLineEnd(raw)) {
			// The classic Windows assistants send GB2312: a first message
			// that is not UTF-8 but is clean GB2312 sets the conversation
			// to GB2312. One click on the encoding undoes it.
			cv.Encoding = codec.GB2312
		}
	}
	m := Message{ID: c.nextMessageID(), Dir: Incoming, Time: at, Raw: raw, Enc: cv.Encoding, Nick: cv.Nick, Status: StatusReceived}
	m.Text, m.Undecodable = decode(cv.Encoding, trimLineEnd(raw))
	c.appendMsg(cv, m)
	if key != c.active {
		cv.Unread++
	}
	c.indexChanged()
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key}, Change{Kind: ConversationsChanged, Key: key})
	return true
}

// datagram handles what the UDP socket reads: announces go to discovery
// (or nowhere), everything else is a message.
func (c *Chat) datagram(from netip.AddrPort, b []byte, at time.Time) {
	if IsControl(b) {
		c.control(from, b, at)
		return
	}
	c.received(UDP, from, b, at)
}

// bounced marks the message an ICMP error was about as undelivered: the
// latest recent message to that peer whose bytes start with the quoted
// payload (or simply the latest when nothing is quoted).
func (c *Chat) bounced(to netip.AddrPort, payload []byte, err error) {
	if IsControl(payload) {
		return
	}
	key := UDPKey(to)
	c.mu.Lock()
	cv := c.convs[key]
	if cv == nil {
		c.mu.Unlock()
		return
	}
	found := -1
	cutoff := time.Now().Add(-2 * time.Minute)
	for i := len(cv.msgs) - 1; i >= 0 && i >= len(cv.msgs)-200; i-- {
		m := cv.msgs[i]
		if m.Dir != Outgoing || (m.Status != StatusSent && m.Status != StatusSending) || m.Time.Before(cutoff) {
			continue
		}
		if len(payload) == 0 || strings.HasPrefix(string(m.Raw), string(payload)) {
			found = i
			break
		}
	}
	if found < 0 {
		c.mu.Unlock()
		return
	}
	cv.msgs[found].Status, cv.msgs[found].Note = StatusUndelivered, err.Error()
	c.msgChanged(cv, found)
	c.mu.Unlock()
	c.notify(Change{Kind: MessagesChanged, Key: key})
}

// appendMsg adds a message and enforces the bounds; the caller holds mu.
func (c *Chat) appendMsg(cv *conv, m Message) {
	cv.msgs = append(cv.msgs, m)
	cv.size += msgSize(m)
	cv.pending++
	for len(cv.msgs) > 1 && (len(cv.msgs) > c.cfg.HistoryLimit || cv.size > c.cfg.HistoryBytes) {
		cv.size -= msgSize(cv.msgs[0])
		cv.msgs[0] = Message{}
		cv.msgs = cv.msgs[1:]
	}
	cv.pending = min(cv.pending, len(cv.msgs))
	c.kickSave()
}

func msgSize(m Message) int { return len(m.Raw) + len(m.Text) + 64 }

// msgChanged marks message i changed; the caller holds mu.
func (c *Chat) msgChanged(cv *conv, i int) {
	cv.msgs[i].Rev++
	if i < len(cv.msgs)-cv.pending {
		cv.rewrite = true
	}
	c.kickSave()
}

// find returns the index of message id (ids grow), or -1.
func (cv *conv) find(id int64) int {
	i := sort.Search(len(cv.msgs), func(i int) bool { return cv.msgs[i].ID >= id })
	if i < len(cv.msgs) && cv.msgs[i].ID == id {
		return i
	}
	return -1
}
