package netinfo

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Service is one line of a services database: a name bound to a port and
// protocol, as getservbyname and getservbyport answer.
type Service struct {
	Name    string   // "mysql"
	Port    int      // 3306
	Proto   string   // "tcp", "udp", "sctp", ...
	Aliases []string // other names for it, e.g. "www" for http
	Comment string   // the file's comment for the line, if any
	Source  string   // which database answered: a file path or BuiltinSource
}

// BuiltinSource names the built-in table in Service.Source.
const BuiltinSource = "built-in table"

// ServiceDB is one services database: the system's file or the built-in table.
type ServiceDB struct {
	Source  string // the file path, or BuiltinSource
	entries []Service
}

// ParseServices reads the services(5) format: "name port/proto aliases... #
// comment". Windows' %SystemRoot%\System32\drivers\etc\services has the same
// format. Lines that do not parse are skipped, as getservent skips them.
func ParseServices(r io.Reader, source string) (*ServiceDB, error) {
	db := &ServiceDB{Source: source}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, comment, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		p, proto, ok := strings.Cut(f[1], "/")
		port, err := strconv.Atoi(p)
		if !ok || err != nil || port < 0 || port > 65535 || proto == "" {
			continue
		}
		db.entries = append(db.entries, Service{
			Name: f[0], Port: port, Proto: strings.ToLower(proto), Aliases: f[2:],
			Comment: strings.TrimSpace(comment), Source: source,
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", source, err)
	}
	return db, nil
}

// LoadServices reads a services file.
func LoadServices(path string) (*ServiceDB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseServices(f, path)
}

// SystemServicesPath is where this system keeps its services database.
func SystemServicesPath() string {
	if runtime.GOOS == "windows" {
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return filepath.Join(root, "System32", "drivers", "etc", "services")
	}
	return "/etc/services"
}

// Len is the number of entries.
func (db *ServiceDB) Len() int { return len(db.entries) }

func (db *ServiceDB) byName(name, proto string) []Service {
	var out []Service
	for _, s := range db.entries {
		if proto != "" && s.Proto != proto {
			continue
		}
		if strings.EqualFold(s.Name, name) || slices.ContainsFunc(s.Aliases, func(a string) bool { return strings.EqualFold(a, name) }) {
			out = append(out, s)
		}
	}
	return out
}

func (db *ServiceDB) byPort(port int, proto string) []Service {
	var out []Service
	for _, s := range db.entries {
		if s.Port == port && (proto == "" || s.Proto == proto) {
			out = append(out, s)
		}
	}
	return out
}

// Services answers service queries from a chain of databases: the first one
// that knows the answer gives it, and says so in Service.Source.
type Services struct {
	DBs []*ServiceDB
	// Missing says why the system database is not in the chain, if it is not
	// ("open /etc/services: no such file or directory"); shown as a note.
	Missing string
}

var defaultServices = sync.OnceValue(func() *Services {
	return servicesFrom(SystemServicesPath())
})

// DefaultServices is the system's services file followed by the built-in
// table, read once per process.
func DefaultServices() *Services { return defaultServices() }

// servicesFrom builds the chain with path as the system database.
func servicesFrom(path string) *Services {
	s := &Services{}
	if db, err := LoadServices(path); err != nil {
		s.Missing = err.Error()
	} else {
		s.DBs = append(s.DBs, db)
	}
	s.DBs = append(s.DBs, BuiltinServices())
	return s
}

// ByName is getservbyname: the services called name (or with name as an
// alias, any case), for proto or for any protocol when proto is "".
func (s *Services) ByName(name, proto string) []Service {
	for _, db := range s.DBs {
		if out := db.byName(name, proto); len(out) > 0 {
			return out
		}
	}
	return nil
}

// ByPort is getservbyport: the services on port, for proto or any protocol.
func (s *Services) ByPort(port int, proto string) []Service {
	for _, db := range s.DBs {
		if out := db.byPort(port, proto); len(out) > 0 {
			return out
		}
	}
	return nil
}

func (s *Services) sourceNames() string {
	names := make([]string, len(s.DBs))
	for i, db := range s.DBs {
		names[i] = db.Source
		if db.Source == BuiltinSource {
			names[i] = "the " + BuiltinSource
		}
	}
	return strings.Join(names, " or ")
}

// ServiceQuery is a parsed service question: a name or a port, and a protocol.
type ServiceQuery struct {
	Name  string // "" when the query is a port
	Port  int    // -1 when the query is a name
	Proto string // "" for any
}

// ParseServiceQuery reads "mysql", "mysql/tcp", "3306" or "3306/tcp".
func ParseServiceQuery(q string) (ServiceQuery, error) {
	in := strings.TrimSpace(q)
	what, proto, hasProto := strings.Cut(in, "/")
	what, proto = strings.TrimSpace(what), strings.ToLower(strings.TrimSpace(proto))
	switch {
	case in == "":
		return ServiceQuery{}, fmt.Errorf("%w: the input is empty", ErrInvalidService)
	case hasProto && proto == "":
		return ServiceQuery{}, fmt.Errorf("%w %q: nothing after '/'; write tcp or udp", ErrInvalidService, in)
	case hasProto && !isServiceWord(proto):
		return ServiceQuery{}, fmt.Errorf("%w %q: %q is not a protocol name like tcp or udp", ErrInvalidService, in, proto)
	case what == "":
		return ServiceQuery{}, fmt.Errorf("%w %q: no service name or port before '/'", ErrInvalidService, in)
	}
	if allDigits(what) {
		port, err := ParsePort(what)
		if err != nil {
			return ServiceQuery{}, err
		}
		return ServiceQuery{Port: port, Proto: proto}, nil
	}
	if !isServiceWord(what) {
		return ServiceQuery{}, fmt.Errorf("%w %q: a service name has only letters, digits and - _ . +", ErrInvalidService, what)
	}
	return ServiceQuery{Name: what, Port: -1, Proto: proto}, nil
}

// ParsePort reads one port number, 0 to 65535.
func ParsePort(s string) (int, error) {
	p := strings.TrimSpace(s)
	if !allDigits(p) {
		return 0, fmt.Errorf("%w %q: not a number", ErrInvalidPort, p)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n > 65535 {
		return 0, fmt.Errorf("%w: %s is out of range; ports are 0 to 65535", ErrInvalidPort, p)
	}
	return n, nil
}

func isServiceWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.+", r)) {
			return false
		}
	}
	return s != ""
}

// PortClass names the IANA range a port is in.
func PortClass(port int) string {
	switch {
	case port < 1024:
		return "well-known (0-1023)"
	case port < 49152:
		return "registered (1024-49151)"
	}
	return "dynamic (49152-65535)"
}

// ServiceResult answers a service query.
type ServiceResult struct {
	Query    ServiceQuery
	Services []Service // what answered, each with its Source
}

// LookupService answers "mysql", "mysql/tcp", "3306" or "3306/tcp" from the
// chain: name to ports, or port to names.
func (s *Services) LookupService(q string) (ServiceResult, error) {
	sq, err := ParseServiceQuery(q)
	if err != nil {
		return ServiceResult{}, err
	}
	res := ServiceResult{Query: sq}
	on := ""
	if sq.Proto != "" {
		on = "/" + sq.Proto
	}
	if sq.Port < 0 {
		res.Services = s.ByName(sq.Name, sq.Proto)
		if len(res.Services) == 0 {
			return res, fmt.Errorf("%w: no service %q%s in %s", ErrNotFound, sq.Name, on, s.sourceNames())
		}
		return res, nil
	}
	res.Services = s.ByPort(sq.Port, sq.Proto)
	if len(res.Services) == 0 {
		return res, fmt.Errorf("%w: no service on port %d%s in %s; it is a %s port", ErrNotFound, sq.Port, on, s.sourceNames(), PortClass(sq.Port))
	}
	return res, nil
}

// Text lists the answers as a table.
func (r ServiceResult) Text() string {
	rows := make([][]string, 0, len(r.Services))
	for _, s := range r.Services {
		rows = append(rows, []string{s.Name, strconv.Itoa(s.Port), s.Proto, strings.Join(s.Aliases, " "), PortClass(s.Port), s.Source, s.Comment})
	}
	return table([]string{"SERVICE", "PORT", "PROTO", "ALIASES", "RANGE", "SOURCE", "COMMENT"}, rows)
}
