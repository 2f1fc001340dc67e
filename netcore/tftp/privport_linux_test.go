package tftp

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestPrivilegedPortBind binds port 69 for real without the privilege.
func TestPrivilegedPortBind(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "the real bind needs root to drop the privilege")
	}
	if b, _ := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); strings.TrimSpace(string(b)) != "1024" {
		skipOrFail(t, "ip_unprivileged_port_start is %q: port 69 needs no privilege here", strings.TrimSpace(string(b)))
	}
	// Drop root on one OS thread only (raw setresuid), try to bind there,
	// and let the runtime discard that thread.
	res := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, 65534, 65534, 65534); e != 0 {
			res <- fmt.Errorf("setresuid: %v", e)
			return
		}
		uc, err := Listen("127.0.0.1:69")
		if err == nil {
			uc.Close()
		}
		res <- err
	}()
	err := <-res
	if !errors.Is(err, ErrPrivilegedPort) || !errors.Is(err, os.ErrPermission) {
		t.Fatalf("Listen as nobody: %v, want ErrPrivilegedPort", err)
	}
	if SetcapCommand() == "" {
		t.Fatal("no setcap hint on Linux")
	}
}
