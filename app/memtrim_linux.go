//go:build linux && cgo

package main

// #include <malloc.h>
import "C"

// trimCHeap hands the C heap's free pages back to the system. The window's
// renderer (Mesa's software rasteriser under Xvfb and on many VMs) keeps
// textures in malloc'd memory; a log redrawn many times a second frees and
// allocates them constantly, and glibc keeps the freed pages resident
// unless asked.
func trimCHeap() { C.malloc_trim(0) }
