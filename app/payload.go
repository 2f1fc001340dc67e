package main

import (
	"github.com/netdebug/netdebug/netcore/automation"
	"github.com/netdebug/netdebug/netcore/codec"
	"github.com/netdebug/netdebug/netcore/framing"
)

// payloadBuilder expands send-box payloads, templates included. Its
// counters carry on from send to send until the text changes.
type payloadBuilder struct{ x *automation.Expander }

func newPayloadBuilder() *payloadBuilder { return &payloadBuilder{x: automation.NewExpander()} }

func (b *payloadBuilder) build(p codec.Payload) ([]byte, error)   { return b.x.Expand(p) }
func (b *payloadBuilder) preview(p codec.Payload) ([]byte, error) { return b.x.Preview(p) }

// sendOptions are the tab settings applied after expansion, captured on the
// UI goroutine so background senders never read widgets.
type sendOptions struct {
	prefix  bool
	framing framing.Config
}

func (o sendOptions) finish(b []byte) ([]byte, error) {
	if o.prefix {
		return o.framing.AddPrefix(b)
	}
	return b, nil
}

// repeater builds the payload for each periodic send from its own compiled
// template, so its counters are independent of the send box.
func repeater(p codec.Payload, o sendOptions) (func() ([]byte, error), error) {
	t, err := automation.Compile(p)
	if err != nil {
		return nil, err
	}
	if _, err := t.Preview(); err != nil {
		return nil, err
	}
	return func() ([]byte, error) {
		b, err := t.Expand()
		if err != nil {
			return nil, err
		}
		return o.finish(b)
	}, nil
}
