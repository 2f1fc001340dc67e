//go:build !windows

package session

import "syscall"

var (
	errConnRefused  = []error{syscall.ECONNREFUSED}
	errAddrInUse    = []error{syscall.EADDRINUSE}
	errAddrNotAvail = []error{syscall.EADDRNOTAVAIL}
	errAccess       = []error{syscall.EACCES, syscall.EPERM}
	errConnReset    = []error{syscall.ECONNRESET, syscall.EPIPE}
	errNetUnreach   = []error{syscall.ENETUNREACH}
	errHostUnreach  = []error{syscall.EHOSTUNREACH}
	errMsgSize      = []error{syscall.EMSGSIZE}
)
