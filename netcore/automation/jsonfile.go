package automation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// FormatVersion is the version written into, and required of, every JSON
// file this package reads: rule sets, sequences and quick-command sets.
const FormatVersion = 1

// decodeStrict decodes one JSON value, refusing unknown fields and trailing
// data, and describes failures with a line and column.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		return fmt.Errorf("unexpected data after the JSON value at %s", lineCol(data, off))
	}
	return nil
}

func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("the file is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends too early (a missing \"}\" or \"]\"?)")
	case errors.As(err, &se):
		return fmt.Errorf("%s at %s", strings.TrimPrefix(se.Error(), "json: "), lineCol(data, se.Offset-1)) // Offset is just past the bad byte
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the top level"
		} else {
			field = fmt.Sprintf("%q", field)
		}
		return fmt.Errorf("%s must be %s, not %s (at %s)", field, jsonKind(te.Type.Kind().String()), te.Value, lineCol(data, te.Offset))
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// lineCol turns a byte offset into "line L, column C" (both 1-based).
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

func checkVersion(v int, what string) error {
	switch {
	case v == FormatVersion:
		return nil
	case v == 0:
		return fmt.Errorf("%w: the %s file has no \"version\" (expected \"version\": %d)", ErrUnsupportedVersion, what, FormatVersion)
	case v > FormatVersion:
		return fmt.Errorf("%w: the %s file is version %d, written by a newer NetDebug (this one reads version %d)", ErrUnsupportedVersion, what, v, FormatVersion)
	}
	return fmt.Errorf("%w: the %s file has version %d (expected %d)", ErrUnsupportedVersion, what, v, FormatVersion)
}

// decodeItems decodes each element of a list strictly, so an error names
// the element: "rule 3 (\"heartbeat\"): ...". Numbers are 1-based.
func decodeItems[T any](raws []json.RawMessage, kind string) ([]T, error) {
	out := make([]T, len(raws))
	for i, raw := range raws {
		if err := decodeStrict(raw, &out[i]); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformedJSON, itemLabel(kind, i, peekName(raw)), err)
		}
	}
	return out, nil
}

func peekName(raw json.RawMessage) string {
	var n struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &n)
	return n.Name
}

func itemLabel(kind string, i int, name string) string {
	if name == "" {
		return fmt.Sprintf("%s %d", kind, i+1)
	}
	return fmt.Sprintf("%s %d (%q)", kind, i+1, name)
}

// readFile reads a whole file for Load*; the path goes into the error.
func readFile(path string, read func([]byte) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := read(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
