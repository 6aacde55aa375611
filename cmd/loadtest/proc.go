package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStat is what /proc tells about a process: resident memory and the
// CPU time it used.
type procStat struct {
	rssKB, hwmKB int64
	cpu          time.Duration // user + system
}

// readProc reads /proc/<pid>/status and /proc/<pid>/stat.
func readProc(pid int) (procStat, error) {
	var st procStat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			st.rssKB = n
		case "VmHWM":
			st.hwmKB = n
		}
	}
	b, err = os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return st, err
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th of them, in clock ticks (100 a second
	// on Linux).
	if i := bytes.LastIndexByte(b, ')'); i >= 0 {
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			st.cpu = time.Duration(u+s) * 10 * time.Millisecond
		}
	}
	return st, nil
}

// sampler watches a process's memory during a phase: the largest VmRSS
// seen, sampled every 100 ms, and the CPU it used.
type sampler struct {
	pid     int
	start   procStat
	started time.Time
	stop    chan struct{}
	done    sync.WaitGroup
	maxRSS  int64
	used    time.Duration // CPU used in the phase, once it ended
}

func sample(pid int) *sampler {
	s := &sampler{pid: pid, stop: make(chan struct{}), started: time.Now()}
	s.start, _ = readProc(pid)
	s.maxRSS = s.start.rssKB
	s.done.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if st, err := readProc(pid); err == nil && st.rssKB > s.maxRSS {
					s.maxRSS = st.rssKB
				}
			}
		}
	})
	return s
}

// end stops sampling and describes the phase: peak RSS and CPU used, in
// cores (1.0 = one core busy the whole phase).
func (s *sampler) end() string {
	close(s.stop)
	s.done.Wait()
	st, err := readProc(s.pid)
	if err != nil {
		return "memory: -"
	}
	if st.rssKB > s.maxRSS {
		s.maxRSS = st.rssKB
	}
	s.used = st.cpu - s.start.cpu
	cores := s.used.Seconds() / time.Since(s.started).Seconds()
	return fmt.Sprintf("plusone process: RSS peak %.0f MiB (high-water mark %.0f MiB), CPU %.2f cores",
		float64(s.maxRSS)/1024, float64(st.hwmKB)/1024, cores)
}
