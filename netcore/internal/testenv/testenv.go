// Package testenv is for netcore's tests only: it lets a test skip for a
// reason in its environment (no root, no network namespaces, no IPv6, a
// missing system file or program) while CI, where every one of those is
// provided, turns each such skip into a failure with one switch,
// NETDEBUG_REQUIRE_PEERS=1 (set by `make test`). A test whose code under
// test misbehaves fails; it never skips.
package testenv

import (
	"os"
	"testing"
)

// Required reports whether environment skips must fail.
func Required() bool { return os.Getenv("NETDEBUG_REQUIRE_PEERS") == "1" }

// Skip skips t for a reason in its environment, or fails it under
// NETDEBUG_REQUIRE_PEERS=1.
func Skip(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("NETDEBUG_REQUIRE_PEERS=1, so this environment skip is a failure: "+format, args...)
	}
	t.Skipf(format, args...)
}
