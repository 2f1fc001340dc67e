package automation

import (
	"fmt"

	"github.com/netdebug/netdebug/netcore/codec"
)

// Payload is how quick commands and sequence steps store a payload in JSON.
// It is codec.Payload with names instead of types, so files stay readable
// and an unknown encoding is reported rather than silently replaced.
type Payload struct {
	Text       string `json:"text"`
	Hex        bool   `json:"hex,omitempty"`         // Text is hex ("01 03 {{crc16modbus}}")
	Encoding   string `json:"encoding,omitempty"`    // a codec.ParseEncoding name; "" is UTF-8
	LineEnding string `json:"line_ending,omitempty"` // none, lf, crlf or cr; text mode only
	Escapes    bool   `json:"escapes,omitempty"`     // \r \n \t \0 \\ \xHH in text mode
}

// FromCodec converts a send-box payload to its stored form.
func FromCodec(p codec.Payload) Payload {
	out := Payload{Text: p.Text, Hex: p.Hex, Escapes: p.Escapes}
	if p.Encoding != "" && p.Encoding != codec.UTF8 {
		out.Encoding = string(p.Encoding)
	}
	if p.LineEnding != "" && p.LineEnding != codec.LineNone {
		out.LineEnding = string(p.LineEnding)
	}
	return out
}

// Codec converts the stored form back, checking the encoding and line ending.
func (p Payload) Codec() (codec.Payload, error) {
	enc, err := codec.ParseEncoding(p.Encoding)
	if err != nil {
		return codec.Payload{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	le, err := codec.ParseLineEnding(p.LineEnding)
	if err != nil {
		return codec.Payload{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return codec.Payload{Text: p.Text, Hex: p.Hex, Encoding: enc, LineEnding: le, Escapes: p.Escapes}, nil
}

// Compile checks the payload and compiles its template.
func (p Payload) Compile(opts ...Option) (*Template, error) {
	cp, err := p.Codec()
	if err != nil {
		return nil, err
	}
	return Compile(cp, opts...)
}
