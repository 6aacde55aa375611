package spool

import (
	"os"
	"syscall"
)

// Datasync writes f's data, and the metadata needed to read it back, to
// the disk (fdatasync).
func Datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
