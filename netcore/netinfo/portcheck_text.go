package netinfo

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Text prints the host, a summary, and one line per open port; runs of
// adjacent ports in the same other state (closed, filtered, the same error)
// share one line, so a 65535-port range stays short.
func (pc PortCheck) Text() string {
	var b strings.Builder
	host := pc.Host
	if pc.Addr.IsValid() && pc.Addr.String() != pc.Host {
		host += " (" + pc.Addr.String() + ")"
	}
	head := [][]string{
		{"Host", host},
		{"Ports", fmt.Sprintf("%s: %d checked in %s", pc.Ports, len(pc.Results), roundDuration(pc.Elapsed))},
		{"Summary", pc.Summary()},
	}
	if pc.Cancelled {
		head = append(head, []string{"Stopped", fmt.Sprintf("cancelled after %d of %d ports", len(pc.Results), len(pc.Ports))})
	}
	b.WriteString(table(nil, head))
	b.WriteString("\n")
	b.WriteString(table([]string{"PORT", "STATE", "TIME", "SERVICE", "DETAIL"}, pc.rows()))
	return b.String()
}

// Summary counts the results by state: "1 open, 1023 closed, 0 filtered, 0 errors".
func (pc PortCheck) Summary() string {
	return fmt.Sprintf("%d open, %d closed, %d filtered, %d errors",
		pc.Count(PortOpen), pc.Count(PortClosed), pc.Count(PortFiltered), pc.Count(PortError))
}

func (pc PortCheck) rows() [][]string {
	svc := DefaultServices()
	var rows [][]string
	rs := pc.Results
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i
		if r.State != PortOpen {
			for j+1 < len(rs) && rs[j+1].Port == rs[j].Port+1 && rs[j+1].State == r.State && detail(rs[j+1]) == detail(r) {
				j++
			}
		}
		if j > i {
			rows = append(rows, []string{fmt.Sprintf("%d-%d", r.Port, rs[j].Port), r.State.String(), "", "", detail(r)})
		} else {
			name := ""
			if s := svc.ByPort(r.Port, "tcp"); len(s) > 0 {
				name = s[0].Name
			}
			rows = append(rows, []string{strconv.Itoa(r.Port), r.State.String(), roundDuration(r.Latency).String(), name, detail(r)})
		}
		i = j + 1
	}
	return rows
}

func detail(r PortResult) string {
	switch r.State {
	case PortError:
		var op *net.OpError
		if errors.As(r.Err, &op) && op.Err != nil {
			return op.Err.Error() // without the address, so runs of ports can share it
		}
		if r.Err != nil {
			return r.Err.Error()
		}
	case PortFiltered:
		return "no answer before the timeout"
	}
	return ""
}
