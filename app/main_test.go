package main

import (
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/netdebug/netdebug/widgets"
)

// uiQueue is the tests' UI goroutine. Fyne's test driver runs fyne.Do
// inline on whatever goroutine calls it; the app's uiDo and the tests'
// onUI both go through this one goroutine instead, as in the real app.
var uiQueue = make(chan func(), 1<<16)

func TestMain(m *testing.M) {
	go func() {
		for f := range uiQueue {
			f()
		}
	}()
	uiDo = func(f func()) { uiQueue <- f }
	os.Exit(m.Run())
}

// onUI runs f on the UI goroutine and waits for it.
func onUI(f func()) {
	done := make(chan struct{})
	uiQueue <- func() {
		defer close(done)
		f()
	}
	<-done
}

// eventually polls cond on the "UI goroutine" until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		onUI(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// fakeFiles answers file dialogs without a user.
type fakeFiles struct {
	save, open, folder string
	err                error
	// whileOpen, if set, runs while the open dialog is "showing".
	whileOpen func()
}

func (f *fakeFiles) SaveFile(string, string, ...widgets.FileFilter) (string, error) {
	return f.save, f.err
}
func (f *fakeFiles) OpenFile(string, ...widgets.FileFilter) (string, error) {
	if f.whileOpen != nil {
		f.whileOpen()
	}
	return f.open, f.err
}
func (f *fakeFiles) Folder(string) (string, error) { return f.folder, f.err }

// newTestUI builds the whole window on a test app.
func newTestUI(t *testing.T) (*appUI, *fakeFiles) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	files := &fakeFiles{}
	var u *appUI
	onUI(func() {
		u = newUI(a, w, files)
		w.Resize(fyne.NewSize(1100, 720))
	})
	t.Cleanup(func() { onUI(u.shutdown) })
	return u, files
}

// peer is an in-process TCP server that records what it receives and can
// write back.
type peer struct {
	ln    net.Listener
	mu    sync.Mutex
	got   []byte
	conns []net.Conn
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{ln: ln}
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					p.mu.Lock()
					p.got = append(p.got, buf[:n]...)
					p.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return p
}

func (p *peer) port() string {
	_, port, _ := net.SplitHostPort(p.ln.Addr().String())
	return port
}

func (p *peer) received() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.got...)
}

func (p *peer) write(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Write(b)
	}
}

func (p *peer) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *peer) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}
