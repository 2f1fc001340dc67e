package netinfo

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/netdebug/netdebug/netcore/internal/testenv"
)

const sampleServices = `# Network services, Internet style
tcpmux		1/tcp				# TCP port service multiplexer
domain		53/tcp				# Domain Name Server
domain		53/udp
http		80/tcp		www		# WorldWideWeb HTTP
mysql		3306/tcp
sctpthing	9999/sctp	thing
broken line without port
alsobroken	abc/tcp
toolarge	70000/tcp
noproto		81/
  # indented comment
custom-svc	40000/udp	Custom cust	# ours
`

func writeServices(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "services")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseServicesFile(t *testing.T) {
	db, err := LoadServices(writeServices(t, sampleServices))
	if err != nil {
		t.Fatal(err)
	}
	if db.Len() != 7 {
		t.Errorf("parsed %d entries, want 7 (malformed lines skipped)", db.Len())
	}
	want := []Service{
		{Name: "tcpmux", Port: 1, Proto: "tcp", Aliases: []string{}, Comment: "TCP port service multiplexer"},
		{Name: "http", Port: 80, Proto: "tcp", Aliases: []string{"www"}, Comment: "WorldWideWeb HTTP"},
		{Name: "custom-svc", Port: 40000, Proto: "udp", Aliases: []string{"Custom", "cust"}, Comment: "ours"},
	}
	for _, w := range want {
		got := db.byName(w.Name, "")
		if len(got) != 1 || got[0].Port != w.Port || got[0].Proto != w.Proto || got[0].Comment != w.Comment ||
			strings.Join(got[0].Aliases, ",") != strings.Join(w.Aliases, ",") || got[0].Source != db.Source {
			t.Errorf("byName(%s) = %+v, want %+v", w.Name, got, w)
		}
	}
	if _, err := LoadServices(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestServicesLookupBothWays(t *testing.T) {
	path := writeServices(t, sampleServices)
	s := servicesFrom(path)
	if s.Missing != "" || len(s.DBs) != 2 {
		t.Fatalf("chain = %d dbs, missing %q", len(s.DBs), s.Missing)
	}
	cases := []struct {
		q     string
		want  []string // name/port/proto
		where string
	}{
		{"mysql", []string{"mysql/3306/tcp"}, path},
		{"MySQL", []string{"mysql/3306/tcp"}, path},
		{"3306/tcp", []string{"mysql/3306/tcp"}, path},
		{"3306", []string{"mysql/3306/tcp"}, path},
		{"53", []string{"domain/53/tcp", "domain/53/udp"}, path},
		{"domain/udp", []string{"domain/53/udp"}, path},
		{"www", []string{"http/80/tcp"}, path},
		{"cust", []string{"custom-svc/40000/udp"}, path},
		{"thing/sctp", []string{"sctpthing/9999/sctp"}, path},
		// not in the file: the built-in table answers and says so
		{"ssh", []string{"ssh/22/tcp"}, BuiltinSource},
		{"22/tcp", []string{"ssh/22/tcp"}, BuiltinSource},
		{"modbus", []string{"mbap/502/tcp"}, BuiltinSource},
		{"443", []string{"https/443/tcp", "https/443/udp"}, BuiltinSource},
	}
	for _, c := range cases {
		r, err := s.LookupService(c.q)
		if err != nil {
			t.Errorf("LookupService(%q): %v", c.q, err)
			continue
		}
		var got []string
		for _, svc := range r.Services {
			got = append(got, svc.Name+"/"+strconv.Itoa(svc.Port)+"/"+svc.Proto)
			if svc.Source != c.where {
				t.Errorf("LookupService(%q) source = %q, want %q", c.q, svc.Source, c.where)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("LookupService(%q) = %v, want %v", c.q, got, c.want)
		}
	}
	text, _ := s.LookupService("53")
	for _, w := range []string{"SERVICE  PORT  PROTO", "domain   53    tcp", "well-known (0-1023)", path, "Domain Name Server"} {
		if !strings.Contains(text.Text(), w) {
			t.Errorf("Text lacks %q:\n%s", w, text.Text())
		}
	}
}

func TestServicesFallbackWithoutSystemFile(t *testing.T) {
	s := servicesFrom(filepath.Join(t.TempDir(), "no-services-here"))
	if s.Missing == "" || len(s.DBs) != 1 || s.DBs[0].Source != BuiltinSource {
		t.Fatalf("chain without file: %d dbs, missing %q", len(s.DBs), s.Missing)
	}
	cases := map[string]string{"mysql": "mysql/3306/tcp", "3306/tcp": "mysql/3306/tcp", "http": "http/80/tcp", "postgres": "postgresql/5432/tcp", "mqtt": "mqtt/1883/tcp"}
	for q, want := range cases {
		r, err := s.LookupService(q)
		if err != nil || len(r.Services) != 1 {
			t.Errorf("LookupService(%q) = %v, %v", q, r.Services, err)
			continue
		}
		got := r.Services[0]
		if got.Name+"/"+strconv.Itoa(got.Port)+"/"+got.Proto != want || got.Source != BuiltinSource {
			t.Errorf("LookupService(%q) = %+v, want %s from the built-in table", q, got, want)
		}
	}
	r, err := s.LookupService("53")
	if err != nil || len(r.Services) != 2 || r.Services[0].Proto != "tcp" || r.Services[1].Proto != "udp" {
		t.Errorf("53 = %+v, %v; want domain tcp and udp", r.Services, err)
	}
}

func TestBuiltinTableAgreesWithSystemFile(t *testing.T) {
	// Where this machine has a services file, every built-in port that the
	// file also names must carry the same name or an alias of it.
	if runtime.GOOS != "linux" {
		t.Skip("other systems' files use older IANA names (502 asa-appl-proto, say)")
	}
	sys, err := LoadServices(SystemServicesPath())
	if err != nil {
		testenv.Skip(t, "no system services file (Debian: netbase): %v", err)
	}
	checked := 0
	for _, b := range BuiltinServices().entries {
		got := sys.byPort(b.Port, b.Proto)
		if len(got) == 0 {
			continue
		}
		checked++
		names := []string{}
		for _, g := range got {
			names = append(append(names, strings.ToLower(g.Name)), lower(g.Aliases)...)
		}
		mine := append([]string{strings.ToLower(b.Name)}, lower(b.Aliases)...)
		if !overlaps(names, mine) {
			t.Errorf("built-in %s %d/%s; %s says %v", b.Name, b.Port, b.Proto, sys.Source, names)
		}
	}
	if checked < 30 {
		t.Errorf("only %d built-in entries found in %s", checked, sys.Source)
	}
}

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func TestServiceQueryErrors(t *testing.T) {
	s := servicesFrom(writeServices(t, sampleServices))
	cases := []struct {
		q    string
		is   error
		want string
	}{
		{"", ErrInvalidService, "empty"},
		{"70000", ErrInvalidPort, "out of range"},
		{"3306/", ErrInvalidService, "nothing after '/'"},
		{"/tcp", ErrInvalidService, "no service name or port"},
		{"mysql/t cp", ErrInvalidService, "not a protocol name"},
		{"my sql", ErrInvalidService, "only letters, digits"},
		{"nosuchservice", ErrNotFound, `no service "nosuchservice"`},
		{"mysql/udp", ErrNotFound, `no service "mysql"/udp`},
		{"12345", ErrNotFound, "registered (1024-49151) port"},
		{"60000/tcp", ErrNotFound, "dynamic (49152-65535)"},
	}
	for _, c := range cases {
		_, err := s.LookupService(c.q)
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LookupService(%q) error = %v; want %v with %q", c.q, err, c.is, c.want)
		}
	}
	_, err := s.LookupService("nosuchservice")
	if !strings.Contains(err.Error(), "the built-in table") {
		t.Errorf("not-found error does not name the sources: %v", err)
	}
}

func TestPortClass(t *testing.T) {
	for port, want := range map[int]string{0: "well-known", 1023: "well-known", 1024: "registered", 49151: "registered", 49152: "dynamic", 65535: "dynamic"} {
		if got := PortClass(port); !strings.HasPrefix(got, want) {
			t.Errorf("PortClass(%d) = %q, want %s", port, got, want)
		}
	}
}
