// Package netinfo holds the logic of the Tools tab: the network facts a person
// debugging a device asks for next to the socket tabs. It answers what this
// machine is called and which interfaces and addresses it has; looks names,
// addresses and services up; converts addresses between their forms (the
// inet_aton/inet_ntoa and inet_pton/inet_ntop analogues); shows byte order;
// calculates subnets; checks whether TCP ports are open; and lists the sockets
// of this machine (the netstat -an analogue).
//
// Every result is a plain struct with a Text method that gives the aligned,
// plain-text form the copy buttons and the CLI print. Calls that block take a
// context.Context first so the UI can run them off its goroutine and cancel
// them. Errors wrap the exported sentinel errors below with %w.
//
// netinfo must not import any UI package, must not keep global mutable state
// beyond the once-loaded services database, and must not send traffic anywhere
// but to the host the user typed: the port check resolves the name once and
// dials only that address.
//
// What is written here rather than taken from a library, and why:
//   - The address parser in front of net/netip: netip answers "ParseAddr: IPv4
//     field has value >255", and a person needs "octet 4 is 256, more than 255".
//     netip still does the final parse, so both agree on what is valid.
//   - The services database reader: net.LookupPort only maps name to port, and
//     there is no reverse (port to name) in the standard library.
//   - The /proc/net reader on Linux: the format is small and stable, and the
//     maintained library that covers the other systems
//     (github.com/shirou/gopsutil) does not tell the process name; reading
//     /proc ourselves keeps the Linux build free of that dependency.
package netinfo

import "errors"

// Sentinel errors. Every error this package returns wraps one of them (or a
// context error), so the UI can pick the right words and the CLI the right
// exit code.
var (
	// ErrInvalidAddress: the text is not an address in any form we accept.
	ErrInvalidAddress = errors.New("invalid address")
	// ErrInvalidMask: a netmask or prefix length is malformed or not contiguous.
	ErrInvalidMask = errors.New("invalid netmask")
	// ErrInvalidSubnet: a subnet input lacks its mask or mixes families.
	ErrInvalidSubnet = errors.New("invalid subnet")
	// ErrInvalidValue: a byte-order value is not a 16- or 32-bit number.
	ErrInvalidValue = errors.New("invalid value")
	// ErrInvalidName: a host name is not a valid DNS name.
	ErrInvalidName = errors.New("invalid host name")
	// ErrInvalidPort: a port or port range is malformed or out of range.
	ErrInvalidPort = errors.New("invalid port")
	// ErrInvalidService: a service query ("mysql/tcp") is malformed.
	ErrInvalidService = errors.New("invalid service query")
	// ErrNotFound: a lookup found nothing (no such host, no names, no service).
	ErrNotFound = errors.New("not found")
	// ErrTimeout: a lookup did not answer within its timeout.
	ErrTimeout = errors.New("timed out")
	// ErrNotSupported: this system does not tell us (listing sockets on a
	// system we have no reader for).
	ErrNotSupported = errors.New("not available on this system")
)
