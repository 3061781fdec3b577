// The gosnmp client of `make bench-fleet` (Debian's golang-go and
// golang-github-gosnmp-gosnmp-dev, built offline with GO111MODULE=off and
// GOPATH=/usr/share/gocode): one goroutine per agent, at most WINDOW at
// once, BulkWalk of ifEntry at 25 repetitions; after an error or an empty
// walk (gosnmp ends a walk quietly on tooBig) the table is walked again at
// 10.  Every cell is checked against the simulator's data
// (bench/fleet_data.h).  SNMPv2c, community public, timeout 1 s, 2 retries.
//
//	gosnmp_fleet PORTSFILE [WINDOW]
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gosnmp/gosnmp"
)

const rows, cols = 24, 22
const ifEntry = ".1.3.6.1.2.1.2.2.1"

func hash(port, col, row uint64) uint64 {
	return (port*2654435761 + col*40503 + row*2246822519) & 0xffffffff
}

// The expected BER type and value of a cell (bench/fleet_data.h).
func expected(port, col, row uint64) (gosnmp.Asn1BER, interface{}) {
	h := hash(port, col, row)
	switch col {
	case 1:
		return gosnmp.Integer, row
	case 2:
		return gosnmp.OctetString, []byte(fmt.Sprintf("a%d-if%d", port, row))
	case 3:
		return gosnmp.Integer, uint64(6)
	case 4:
		return gosnmp.Integer, uint64(1500)
	case 5:
		return gosnmp.Gauge32, h
	case 6:
		return gosnmp.OctetString, []byte{2, byte(port >> 8), byte(port), 0xab, 0xcd, byte(row)}
	case 7:
		return gosnmp.Integer, uint64(1)
	case 8:
		return gosnmp.Integer, 1 + h%2
	case 9:
		return gosnmp.TimeTicks, h
	case 21:
		return gosnmp.Gauge32, h % 100
	case 22:
		return gosnmp.ObjectIdentifier, ".0.0"
	}
	return gosnmp.Counter32, h
}

func good(port uint64, pdu gosnmp.SnmpPDU, col, row uint64) bool {
	t, v := expected(port, col, row)
	if pdu.Type != t {
		return false
	}
	switch want := v.(type) {
	case []byte:
		got, ok := pdu.Value.([]byte)
		return ok && bytes.Equal(got, want)
	case string:
		got, ok := pdu.Value.(string)
		return ok && got == want
	case uint64:
		n := gosnmp.ToBigInt(pdu.Value)
		return n.IsUint64() && n.Uint64() == want
	}
	return false
}

// Walks one agent's table at `reps` repetitions; the rows right, or an error.
func walk(port uint64, reps uint32) (int, int, error) {
	g := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(port), Community: "public",
		Version: gosnmp.Version2c, Timeout: time.Second, Retries: 2, MaxRepetitions: reps}
	if err := g.Connect(); err != nil {
		return 0, 0, err
	}
	defer g.Conn.Close()
	var ok [cols * rows]bool
	var bad [rows]bool
	n := 0
	err := g.BulkWalk(ifEntry, func(pdu gosnmp.SnmpPDU) error {
		n++
		parts := strings.Split(strings.TrimPrefix(pdu.Name, ifEntry+"."), ".")
		if len(parts) != 2 {
			return nil
		}
		col, e1 := strconv.ParseUint(parts[0], 10, 32)
		row, e2 := strconv.ParseUint(parts[1], 10, 32)
		if e1 != nil || e2 != nil || col < 1 || col > cols || row < 1 || row > rows {
			return nil
		}
		if good(port, pdu, col, row) {
			ok[(col-1)*rows+row-1] = true
		} else {
			bad[row-1] = true
		}
		return nil
	})
	whole := 0
	for r := 0; r < rows; r++ {
		w := !bad[r]
		for c := 0; c < cols && w; c++ {
			w = ok[c*rows+r]
		}
		if w {
			whole++
		}
	}
	return whole, n, err
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gosnmp_fleet PORTSFILE [WINDOW]")
		os.Exit(2)
	}
	window := 1000
	if len(os.Args) > 2 {
		window, _ = strconv.Atoi(os.Args[2])
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var ports []uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, err := strconv.ParseUint(strings.TrimSpace(sc.Text()), 10, 16); err == nil {
			ports = append(ports, p)
		}
	}
	f.Close()

	t0 := time.Now()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, window)
	rowsOK, agentsOK := 0, 0
	var failed []uint64
	for _, port := range ports {
		wg.Add(1)
		sem <- struct{}{}
		go func(port uint64) {
			defer wg.Done()
			defer func() { <-sem }()
			whole, n, err := walk(port, 25)
			if err != nil || n == 0 {
				whole, _, err = walk(port, 10)
			}
			mu.Lock()
			defer mu.Unlock()
			rowsOK += whole
			if whole == rows && err == nil {
				agentsOK++
			} else {
				failed = append(failed, port)
			}
		}(port)
	}
	wg.Wait()
	sort.Slice(failed, func(i, j int) bool { return failed[i] < failed[j] })
	fp := make([]string, len(failed))
	for i, p := range failed {
		fp[i] = strconv.FormatUint(p, 10)
	}
	fmt.Printf("{\"client\":\"gosnmp\",\"seconds\":%.3f,\"agents\":%d,\"agents_ok\":%d,"+
		"\"rows_ok\":%d,\"window\":%d,\"failed_ports\":\"%s\"}\n",
		time.Since(t0).Seconds(), len(ports), agentsOK, rowsOK, window, strings.Join(fp, " "))
}
