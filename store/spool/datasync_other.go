//go:build !linux

package spool

import "os"

// Datasync writes f to the disk.
func Datasync(f *os.File) error { return f.Sync() }
