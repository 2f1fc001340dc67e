//go:build !unix && !windows

package netinfo

import "strings"

// isRefused reports a TCP reset in answer to our SYN. Systems outside unix
// and Windows (plan9, wasm) have no shared errno for it, so read the text.
func isRefused(err error) bool {
	return err != nil && strings.Contains(err.Error(), "refused")
}
