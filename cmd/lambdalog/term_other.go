//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import "os"

// windowWidth reports no terminal where lambdalog cannot ask the system.
func windowWidth(*os.File) (int, bool) { return 0, false }
