package tftp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestHostileNames: whatever the remote name, DownloadFile writes only the
// base name inside the chosen folder.
func TestHostileNames(t *testing.T) {
	data := []byte("payload")
	f := newFakeServer(t)
	stop := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-stop:
				return
			default:
			}
			p, from, err := readPacket(f.listen, f.buf, 100*time.Millisecond)
			if err != nil || p.Op != OpRRQ {
				continue
			}
			x := f.transferPort()
			x.peer = from
			x.serveLockstep(data, 512, false)
		}
	}()
	t.Cleanup(func() { close(stop); <-exited })

	outer := t.TempDir()
	dl := filepath.Join(outer, "downloads", "here")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		t.Fatal(err)
	}
	c := testClient(f.addr())
	c.Options = Options{}
	cases := []struct{ remote, want string }{
		{"../../etc/x", "x"},
		{"/etc/passwd", "passwd"},
		{`..\..\windows\win.ini`, "win.ini"},
		{`C:\boot.ini`, "boot.ini"},
		{"C:evil", "evil"},
		{"a/b/../../../../y", "y"},
		{"name:stream", "name_stream"},
		{"dir/", ""},
		{"..", ""},
		{"a/..", ""},
		{"...", ""},
		{`\`, ""},
	}
	for _, tc := range cases {
		path, _, err := DownloadFile(context.Background(), c, tc.remote, dl, "", false)
		if tc.want == "" {
			if !errors.Is(err, ErrInvalidName) {
				t.Errorf("%q: err = %v, want ErrInvalidName", tc.remote, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.remote, err)
			continue
		}
		if path != filepath.Join(dl, tc.want) {
			t.Errorf("%q landed at %s, want %s", tc.remote, path, filepath.Join(dl, tc.want))
		}
	}
	for _, local := range []string{"../x", "/tmp/x", `..\x`, "..", "a/b"} {
		if _, _, err := DownloadFile(context.Background(), c, "f", dl, local, false); !errors.Is(err, ErrInvalidName) {
			t.Errorf("local name %q: err = %v, want ErrInvalidName", local, err)
		}
	}
	// Only the expected files, nothing above the folder.
	if names := dirEntries(t, outer); len(names) != 1 || names[0] != "downloads" {
		t.Fatalf("outer folder holds %v", names)
	}
	if names := dirEntries(t, filepath.Join(outer, "downloads")); len(names) != 1 {
		t.Fatalf("downloads holds %v", names)
	}
	want := map[string]bool{}
	for _, tc := range cases {
		if tc.want != "" {
			want[tc.want] = true
		}
	}
	for _, n := range dirEntries(t, dl) {
		if !want[n] {
			t.Errorf("unexpected file %q", n)
		}
		delete(want, n)
	}
	if len(want) != 0 {
		t.Errorf("missing files %v", want)
	}

	// Existing files are kept unless overwrite is asked for.
	_, _, err := DownloadFile(context.Background(), c, "x", dl, "", false)
	if !errors.Is(err, ErrLocalExists) {
		t.Fatalf("err = %v, want ErrLocalExists", err)
	}
	if err := os.WriteFile(filepath.Join(dl, "x"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := DownloadFile(context.Background(), c, "x", dl, "", true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dl, "x")); !bytes.Equal(got, data) {
		t.Fatalf("overwrite left %q", got)
	}
}
