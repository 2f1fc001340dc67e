//go:build windows

package session

import (
	"syscall"

	"golang.org/x/sys/windows"
)

var (
	errConnRefused  = []error{windows.WSAECONNREFUSED, syscall.ECONNREFUSED}
	errAddrInUse    = []error{windows.WSAEADDRINUSE, syscall.EADDRINUSE}
	errAddrNotAvail = []error{windows.WSAEADDRNOTAVAIL, syscall.EADDRNOTAVAIL}
	errAccess       = []error{windows.WSAEACCES, syscall.EACCES}
	errConnReset    = []error{windows.WSAECONNRESET, windows.WSAECONNABORTED, syscall.ECONNRESET}
	errNetUnreach   = []error{windows.WSAENETUNREACH, syscall.ENETUNREACH}
	errHostUnreach  = []error{windows.WSAEHOSTUNREACH, syscall.EHOSTUNREACH}
	errMsgSize      = []error{windows.WSAEMSGSIZE, syscall.EMSGSIZE}
)
